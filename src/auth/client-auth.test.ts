import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readCredential, TokenVerifier } from './client-auth.ts';

test('the credential is read from x-goog-api-key, then ?key=, then a bearer token', () => {
  const query = new URLSearchParams('key=from-query');
  assert.deepEqual(readCredential({ 'x-goog-api-key': 'h', authorization: 'Bearer b' }, query), {
    value: 'h',
    source: 'x-goog-api-key',
  });
  assert.deepEqual(readCredential({ authorization: 'Bearer b' }, query), {
    value: 'from-query',
    source: 'query',
  });
  assert.deepEqual(readCredential({ authorization: 'bearer  b ' }, new URLSearchParams()), {
    value: 'b',
    source: 'bearer',
  });
  assert.equal(readCredential({ authorization: 'Basic Zm9v' }, new URLSearchParams()), undefined);
});

test('only configured tokens pass; with none configured everything passes (loopback-only mode)', () => {
  const verifier = new TokenVerifier(['alpha', 'beta']);
  assert.equal(verifier.verify('alpha'), true);
  assert.equal(verifier.verify('beta'), true);
  assert.equal(verifier.verify('alph'), false);
  assert.equal(verifier.verify('alpha '), false);
  assert.equal(verifier.verify(''), false);
  assert.equal(verifier.verify(undefined), false);
  assert.equal(new TokenVerifier([]).verify(undefined), true);
});

test('named tokens say which client called; every token is compared', () => {
  const verifier = new TokenVerifier([
    { name: 'alice', token: 'alpha' },
    { name: 'bob', token: 'beta' },
  ]);
  assert.equal(verifier.identify('alpha'), 'alice');
  assert.equal(verifier.identify('beta'), 'bob');
  assert.equal(verifier.identify('gamma'), undefined);
  assert.equal(verifier.identify(undefined), undefined);
  assert.equal(verifier.verify('beta'), true);
  assert.equal(verifier.verify('alice'), false);
});

test('a remembered token still names its own client; near misses stay refused', () => {
  const verifier = new TokenVerifier([{ name: 'alice', token: 'alpha' }, 'plain-token']);
  for (let round = 0; round < 3; round++) {
    assert.equal(verifier.identify('alpha'), 'alice');
    assert.equal(verifier.identify('plain-token'), '');
    assert.equal(verifier.identify('alph'), undefined);
    assert.equal(verifier.identify('alphaa'), undefined);
    assert.equal(verifier.identify('ALPHA'), undefined);
  }
});
