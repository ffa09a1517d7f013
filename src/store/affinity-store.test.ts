import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryAffinityStore } from '../../test/helpers/memory-affinity-store.ts';
import type { AffinityStore } from './affinity-store.ts';
import { openDatabase } from './database.ts';
import { SqliteAffinityStore } from './sqlite-affinity-store.ts';

const engines: Record<string, () => AffinityStore> = {
  memory: () => new MemoryAffinityStore(),
  sqlite: () => new SqliteAffinityStore(openDatabase(':memory:')),
};

for (const [engine, makeStore] of Object.entries(engines)) {
  test(`${engine}: remembers owners until they expire`, async () => {
    const store = makeStore();
    await store.remember('files/abc', 'key_111111111111', 1000);
    await store.remember('cachedContents/x', 'key_222222222222', 5000);
    await store.remember('upload:session-1', 'key_333333333333', 100);
    assert.equal(await store.lookup('files/abc', 999), 'key_111111111111');
    assert.equal(await store.lookup('files/abc', 1000), undefined);
    assert.equal(await store.lookup('files/unknown', 0), undefined);
    await store.remember('cachedContents/x', 'key_444444444444', 6000);
    assert.equal(await store.lookup('cachedContents/x', 5500), 'key_444444444444');
    await store.forget('cachedContents/x');
    assert.equal(await store.lookup('cachedContents/x', 0), undefined);
    assert.equal(await store.prune(2000), engine === 'memory' ? 1 : 2);
  });
}
