import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  bypassSignature,
  isRememberable,
  isSignatureRejection,
  missingSignatureCalls,
  restoreSignatures,
  withBypassSignatures,
} from './thought-signatures.ts';

const contents = [
  { role: 'user', parts: [{ text: 'Weather in Paris and Rome?' }] },
  {
    role: 'model',
    parts: [
      { text: 'Checking.' },
      { functionCall: { name: 'weather', args: { city: 'Paris' } } },
      { functionCall: { name: 'weather', args: { city: 'Rome' } } },
    ],
  },
  { role: 'user', parts: [{ functionResponse: { name: 'weather', response: {} } }] },
  { role: 'model', parts: [{ functionCall: { name: 'done', args: {} }, thoughtSignature: 'real' }] },
];
const ids = new Map([
  ['1:1', 'toolu_paris'],
  ['1:2', 'toolu_rome'],
  ['3:0', 'toolu_done'],
]);
const idOf = (content: number, part: number) => ids.get(`${content}:${part}`);

describe('thought signatures', () => {
  test('only the first call of each model turn needs one; signed calls are left alone', () => {
    assert.deepEqual(missingSignatureCalls(contents, idOf), [{ content: 1, part: 1, id: 'toolu_paris' }]);
  });

  test('a remembered signature goes back on its part', () => {
    const missing = missingSignatureCalls(contents, idOf);
    const restored = restoreSignatures(
      contents,
      missing,
      new Map([['toolu_paris', 'sig-paris']]),
      'gemini-2.5-pro',
    );
    assert.deepEqual(restored[1]?.parts[1], {
      functionCall: { name: 'weather', args: { city: 'Paris' } },
      thoughtSignature: 'sig-paris',
    });
    assert.equal('thoughtSignature' in (contents[1]?.parts[1] ?? {}), false, 'the input is not changed');
  });

  test('on Gemini 3 an unknown signature becomes the bypass value; older models get none', () => {
    const missing = missingSignatureCalls(contents, idOf);
    const gemini3 = restoreSignatures(contents, missing, new Map(), 'gemini-3-pro-preview');
    assert.equal(
      (gemini3[1]?.parts[1] as { thoughtSignature?: string } | undefined)?.thoughtSignature,
      bypassSignature,
    );
    const gemini25 = restoreSignatures(contents, missing, new Map(), 'gemini-2.5-flash');
    assert.equal('thoughtSignature' in (gemini25[1]?.parts[1] ?? {}), false);
  });

  test('the bypass value is never remembered as a signature', () => {
    assert.equal(isRememberable(bypassSignature), false);
    assert.equal(isRememberable(''), false);
    assert.equal(isRememberable('CtQOAVSo'), true);
  });

  test('a signature rejection is a 400 about thought signatures, whatever the wording', () => {
    assert.equal(isSignatureRejection(400, 'Corrupted thought signature.'), true);
    assert.equal(isSignatureRejection(400, 'Invalid thought signature'), true);
    assert.equal(
      isSignatureRejection(400, 'Function call is missing a thought_signature in functionCall parts.'),
      true,
    );
    assert.equal(isSignatureRejection(400, 'Invalid JSON payload received.'), false);
    assert.equal(isSignatureRejection(500, 'Corrupted thought signature.'), false);
  });

  test('the retry body puts the bypass value on every call and drops signatures from text', () => {
    const signed = [
      { role: 'user', parts: [{ text: 'Hi' }] },
      {
        role: 'model',
        parts: [
          { text: 'Let me look.', thoughtSignature: 'old-text' },
          { functionCall: { name: 'a' }, thoughtSignature: 'old-call' },
          { functionCall: { name: 'b' } },
        ],
      },
    ];
    assert.deepEqual(withBypassSignatures(signed)[1]?.parts, [
      { text: 'Let me look.' },
      { functionCall: { name: 'a' }, thoughtSignature: bypassSignature },
      { functionCall: { name: 'b' }, thoughtSignature: bypassSignature },
    ]);
    assert.equal(
      signed[1]?.parts[0] && 'thoughtSignature' in signed[1].parts[0],
      true,
      'the input is unchanged',
    );
  });
});
