import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeSignatures, encodeSignatures } from './thought-signature-envelope.ts';

test('an envelope gives its signatures back for the model that minted them, and nothing otherwise', () => {
  const signatures = [{ callId: 'call_1', signature: 'c2ln' }, { signature: 'dGV4dA==' }];
  const envelope = encodeSignatures('models/gemini-3-pro-preview', signatures);
  assert.deepEqual(decodeSignatures(envelope, 'gemini-3-pro-preview'), signatures);
  assert.deepEqual(decodeSignatures(envelope, 'gemini-3-flash-preview'), []);
  // OpenAI's own encrypted reasoning, a damaged envelope, nothing at all: no signatures, no error.
  for (const foreign of ['gAAAAABpX1', 'gbsig1.not-json', 'gbsig1.', null, undefined])
    assert.deepEqual(decodeSignatures(foreign, 'gemini-3-pro-preview'), []);
});
