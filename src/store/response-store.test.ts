import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { openDatabase } from './database.ts';
import { MemoryResponseStore, type ResponseStore, type ResponseStoreLimits } from './response-store.ts';
import { SqliteResponseStore } from './sqlite-response-store.ts';

const engines: Array<[string, (limits: ResponseStoreLimits) => ResponseStore]> = [
  ['memory', (limits) => new MemoryResponseStore(limits)],
  ['sqlite', (limits) => new SqliteResponseStore(openDatabase(':memory:'), limits)],
];

for (const [name, create] of engines) {
  describe(`the ${name} response store`, () => {
    test('gives an entry back to its own client only, until it is deleted', async () => {
      const store = create({ maxCount: 10, maxAgeMs: 60_000 });
      await store.save({ id: 'resp_a', scope: 'key_client1', createdAt: 1000, data: { output: [1, 'two'] } });
      assert.deepEqual((await store.get('key_client1', 'resp_a', 2000))?.data, { output: [1, 'two'] });
      assert.equal(await store.get('key_client2', 'resp_a', 2000), undefined);
      assert.equal(await store.delete('key_client2', 'resp_a'), false);
      assert.equal(await store.delete('key_client1', 'resp_a'), true);
      assert.equal(await store.get('key_client1', 'resp_a', 2000), undefined);
    });

    test('keeps the newest maxCount entries (SQLite trims once 1 % over), dropping the oldest', async () => {
      const store = create({ maxCount: 2, maxAgeMs: 60_000 });
      for (const [index, id] of ['resp_1', 'resp_2', 'resp_3', 'resp_4'].entries())
        await store.save({ id, scope: 's', createdAt: 1000 + index, data: index });
      assert.equal(await store.get('s', 'resp_1', 2000), undefined);
      assert.equal(await store.get('s', 'resp_2', 2000), undefined);
      assert.equal((await store.get('s', 'resp_3', 2000))?.data, 2);
      assert.equal((await store.get('s', 'resp_4', 2000))?.data, 3);
    });

    test('forgets entries past the age limit, and prune deletes them', async () => {
      const store = create({ maxCount: 10, maxAgeMs: 1000 });
      await store.save({ id: 'resp_old', scope: 's', createdAt: 1000, data: 'old' });
      await store.save({ id: 'resp_new', scope: 's', createdAt: 1800, data: 'new' });
      assert.equal(await store.get('s', 'resp_old', 2000), undefined);
      assert.equal((await store.get('s', 'resp_new', 2000))?.data, 'new');
      assert.equal(await store.prune(2000), 1);
      assert.equal(await store.prune(2000), 0);
    });
  });
}

test('the SQLite store counts what an earlier run left, so a smaller limit applies at once', async () => {
  const database = openDatabase(':memory:');
  const before = new SqliteResponseStore(database, { maxCount: 100, maxAgeMs: 60_000 });
  for (const index of [1, 2, 3])
    await before.save({ id: `resp_${index}`, scope: 's', createdAt: index, data: index });
  const after = new SqliteResponseStore(database, { maxCount: 2, maxAgeMs: 60_000 });
  await after.save({ id: 'resp_4', scope: 's', createdAt: 4, data: 4 });
  const kept = [];
  for (const index of [1, 2, 3, 4]) if (await after.get('s', `resp_${index}`, 10)) kept.push(index);
  assert.deepEqual(kept, [3, 4]);
});
