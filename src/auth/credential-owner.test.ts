import assert from 'node:assert/strict';
import { test } from 'node:test';
import { credentialOwner } from './credential-owner.ts';

test('clients that send their token as ?key= each own their state, and the owner never is the token', () => {
  const first = credentialOwner({ headers: {}, url: '/v1/responses?key=token-one' });
  const second = credentialOwner({ headers: {}, url: '/v1/responses?key=token-two' });
  assert.notEqual(first, second);
  assert.ok(!first.includes('token-one'));
});

test('the same token is the same owner whichever way it was sent', () => {
  const byQuery = credentialOwner({ headers: {}, url: '/v1/messages?key=token-one' });
  const byHeader = credentialOwner({ headers: { 'x-goog-api-key': 'token-one' }, url: '/v1/messages' });
  const byBearer = credentialOwner({ headers: { authorization: 'Bearer token-one' }, url: '/v1/messages' });
  assert.equal(byQuery, byHeader);
  assert.equal(byQuery, byBearer);
  assert.equal(credentialOwner({ headers: {}, url: '/v1/messages' }), 'anonymous');
});
