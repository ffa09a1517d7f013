import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeyMasker } from '../secrets/key-masker.ts';
import { clientResponseHeaders, upstreamRequestHeaders } from './hop-by-hop.ts';

const key = 'AIzaSyTESTKEY0000000000000000000000000';

test('the answer reaches the client without hop-by-hop headers and those its Connection names', () => {
  const headers = clientResponseHeaders({
    'content-type': 'application/json; charset=UTF-8',
    'content-length': '12',
    connection: 'keep-alive, x-private',
    'keep-alive': 'timeout=5',
    'transfer-encoding': 'chunked',
    'x-private': 'hop',
    'set-cookie': ['a=1', 'b=2'],
    vary: 'Origin',
    'x-absent': undefined,
  });
  assert.deepEqual(headers, {
    'content-type': 'application/json; charset=UTF-8',
    'content-length': '12',
    'set-cookie': ['a=1', 'b=2'],
    vary: 'Origin',
  });
  assert.deepEqual(clientResponseHeaders({ connection: 'close', 'x-kept': '1' }), { 'x-kept': '1' });
});

test('with a masker every value kept is masked, lists entry by entry, in the same pass', () => {
  const masker = new KeyMasker(key);
  const headers = clientResponseHeaders(
    {
      location: `https://example.test/x?key=${key}`,
      'x-list': [`a ${key}`, 'b'],
      'x-plain': 'untouched',
      connection: 'keep-alive',
      'x-escaped': `\\u0041IzaSyTESTKEY0000000000000000000000000`,
    },
    masker,
  );
  const text = JSON.stringify(headers);
  assert.ok(!text.includes(key) && !text.includes('IzaSyTESTKEY'), text);
  assert.equal(headers.location, `https://example.test/x?key=${masker.mask(key)}`);
  assert.deepEqual(headers['x-list'], [`a ${masker.mask(key)}`, 'b']);
  assert.equal(headers['x-plain'], 'untouched');
  assert.equal(headers.connection, undefined);
  assert.equal((headers['x-escaped'] ?? '').length, key.length + 5, 'the same length as what it replaced');
});

test('only what Gemini needs goes upstream, identity encoding asked for', () => {
  assert.deepEqual(
    upstreamRequestHeaders({
      host: 'proxy.example',
      'content-type': 'application/json',
      'content-length': '10',
      'x-goog-api-key': 'client-token',
      authorization: 'Bearer x',
      'x-goog-upload-command': 'start',
      'accept-encoding': 'gzip',
      referer: 'https://site',
      connection: 'keep-alive, user-agent',
      'user-agent': 'listed in Connection',
      'x-goog-upload-protocol': ['a', 'b'],
    }),
    {
      'content-type': 'application/json',
      'x-goog-upload-command': 'start',
      'x-goog-upload-protocol': 'a, b',
      'accept-encoding': 'identity',
    },
  );
});
