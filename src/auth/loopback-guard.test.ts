import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLoopbackRequest } from './loopback-guard.ts';

test('programs on this machine pass; foreign pages and rebound DNS names do not', () => {
  assert.equal(isLoopbackRequest({ host: '127.0.0.1:8000' }), true);
  assert.equal(isLoopbackRequest({ host: 'localhost:8000', origin: 'http://localhost:3000' }), true);
  assert.equal(isLoopbackRequest({ host: '[::1]:8000' }), true);
  assert.equal(isLoopbackRequest({ host: '127.0.0.1:8000', origin: 'https://evil.example' }), false);
  assert.equal(isLoopbackRequest({ host: 'rebound.evil.example:8000' }), false);
  assert.equal(isLoopbackRequest({ host: '127.0.0.1:8000', origin: 'null' }), false);
  assert.equal(isLoopbackRequest({}), false);
});
