import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fingerprintKey } from './fingerprint.ts';

test('fingerprint is stable and distinct per key', () => {
  const secret = 'AIzaSyTEST-fingerprint-0001';
  assert.equal(fingerprintKey(secret), fingerprintKey(secret));
  assert.notEqual(fingerprintKey(secret), fingerprintKey('AIzaSyTEST-fingerprint-0002'));
  assert.match(fingerprintKey(secret), /^key_[0-9a-f]{12}$/);
});

test('fingerprint reveals no run of the key', () => {
  const secret = 'AIzaSyABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
  const fingerprint = fingerprintKey(secret).slice('key_'.length);
  for (let start = 0; start + 4 <= secret.length; start++) {
    assert.ok(!fingerprint.includes(secret.slice(start, start + 4)));
  }
});
