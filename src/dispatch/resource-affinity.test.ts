import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AffinityStore } from '../store/affinity-store.ts';
import { ResourceAffinity, uploadSessionOf } from './resource-affinity.ts';

function memoryStore(): AffinityStore & { entries: Map<string, string> } {
  const entries = new Map<string, string>();
  return {
    entries,
    remember: async (resource, fingerprint) => {
      entries.set(resource, fingerprint);
    },
    lookup: async (resource) => entries.get(resource),
    forget: async (resource) => {
      entries.delete(resource);
    },
    prune: async () => 0,
  };
}

test('a call naming a resource in its path or body goes to its owner; others are answered at once', async () => {
  const store = memoryStore();
  const affinity = new ResourceAffinity(store);
  await affinity.rememberCreated('{"name": "files/abc-1", "x": {"name":"cachedContents/c.2"}}', 'key-a');
  assert.deepEqual(
    [...store.entries],
    [
      ['files/abc-1', 'key-a'],
      ['cachedContents/c.2', 'key-a'],
    ],
  );
  assert.equal(await affinity.ownerFor('/v1beta/files/abc-1', null), 'key-a');
  assert.equal(await affinity.ownerFor('/v1beta/files/abc-1?key=x&alt=json', null), 'key-a');
  assert.equal(await affinity.ownerFor('/v1beta/cachedContents/c.2:get', null), 'key-a');
  const model = '/v1beta/models/gemini-2.5-flash:generateContent';
  assert.equal(affinity.ownerFor(model, null), undefined, 'no promise for a call naming nothing');
  assert.equal(affinity.ownerFor(`${model}?q=files/abc-1`, null), undefined, 'the query names nothing');
  assert.equal(affinity.ownerFor(model, Buffer.from('{"contents":[]}')), undefined);
  assert.equal(affinity.ownerFor(model, Buffer.alloc(0)), undefined);
  const body = (text: string) => Buffer.from(text);
  assert.equal(
    await affinity.ownerFor(model, body('{"fileData":{"fileUri":"https://g/v1beta/files/abc-1"}}')),
    'key-a',
  );
  assert.equal(await affinity.ownerFor(model, body('{"cachedContent": "cachedContents/c.2"}')), 'key-a');
  assert.equal(
    await affinity.ownerFor(model, body('{"text":"files/abc-1"}')),
    undefined,
    'only references count',
  );
});

test('calls that create a resource are told apart by method and path, not by their query', () => {
  const affinity = new ResourceAffinity(memoryStore());
  for (const path of [
    '/upload/v1beta/files?upload_id=x',
    '/v1beta/cachedContents',
    '/v1beta/cachedContents?key=k',
    '/v1beta/models/m:batchGenerateContent',
    '/v1beta/fileSearchStores/s:uploadToFileSearchStore?alt=json',
  ])
    assert.equal(affinity.creates('POST', path), true, path);
  for (const path of [
    '/v1beta/models/gemini-2.5-flash:generateContent',
    '/v1beta/models/m:generateContent?x=/cachedContents',
    '/v1beta/cachedContents/c',
  ])
    assert.equal(affinity.creates('POST', path), false, path);
  assert.equal(affinity.creates('GET', '/v1beta/cachedContents'), false);
});

test('an upload session is its id and path', () => {
  assert.deepEqual(uploadSessionOf('/upload/v1beta/files?upload_id=AB-c_1&upload_protocol=resumable'), {
    id: 'AB-c_1',
    path: '/upload/v1beta/files',
  });
  assert.equal(uploadSessionOf('/upload/v1beta/files'), undefined);
  assert.equal(uploadSessionOf('/upload/v1beta/files?upload_id='), undefined);
  assert.equal(uploadSessionOf('/v1beta/files?upload_id=x'), undefined);
});
