import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rewriteUploadUrl } from './rewrite-upload-url.ts';
import { upstreamPath } from './upstream-path.ts';

test('the client credential leaves the query; everything else keeps its exact encoding and order', () => {
  assert.equal(
    upstreamPath('/v1beta/models/m:streamGenerateContent?alt=sse&key=secret'),
    '/v1beta/models/m:streamGenerateContent?alt=sse',
  );
  assert.equal(upstreamPath('/v1beta/models?key=secret'), '/v1beta/models');
  assert.equal(upstreamPath('/v1/x?b=%2F&key=s&a=1&keyword=k'), '/v1/x?b=%2F&a=1&keyword=k');
  assert.equal(upstreamPath('/v1/x'), '/v1/x');
  assert.equal(
    upstreamPath('/v1/x?%6Bey=secret&%6b%65%79=s2&a=1'),
    '/v1/x?a=1',
    'an encoded name is still the key',
  );
});

test('upload URLs move to our origin with path and query kept and no key', () => {
  const rewritten = rewriteUploadUrl(
    'https://generativelanguage.googleapis.com/upload/v1beta/files?upload_id=AB-c_1&upload_protocol=resumable&key=leak',
    'https://proxy.example',
  );
  assert.equal(
    rewritten.url,
    'https://proxy.example/upload/v1beta/files?upload_id=AB-c_1&upload_protocol=resumable',
  );
  assert.deepEqual(rewritten.session, { id: 'AB-c_1', path: '/upload/v1beta/files' });
});
