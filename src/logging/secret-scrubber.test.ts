import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fingerprintKey } from '../secrets/fingerprint.ts';
import { SecretScrubber } from './secret-scrubber.ts';

test('configured secrets and anything shaped like a Google key become fingerprints', () => {
  const scrubber = new SecretScrubber();
  scrubber.add(['client-token-123', 'x']);
  const unknownKey = `AIza${'B'.repeat(35)}`;
  const line = `{"msg":"Consumer 'api_key:${unknownKey}' suspended","token":"client-token-123","short":"x"}`;
  const scrubbed = scrubber.scrub(line);
  assert.ok(!scrubbed.includes(unknownKey));
  assert.ok(!scrubbed.includes('client-token-123'));
  assert.ok(scrubbed.includes(fingerprintKey(unknownKey)));
  assert.ok(scrubbed.includes(fingerprintKey('client-token-123')));
  assert.ok(scrubbed.includes('"short":"x"'), 'secrets shorter than 4 characters are not masked everywhere');
});

test('a removed secret is no longer masked; regex characters in secrets are literal', () => {
  const scrubber = new SecretScrubber();
  scrubber.add(['a.b*c', 'gone-token']);
  scrubber.delete('gone-token');
  assert.equal(scrubber.scrub('aXbbc gone-token'), 'aXbbc gone-token');
  assert.equal(scrubber.scrub('a.b*c'), fingerprintKey('a.b*c'));
});
