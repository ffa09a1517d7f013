import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MemorySignatureStore } from '../../test/helpers/memory-signature-store.ts';
import { openDatabase } from './database.ts';
import type { SignatureStore, SignatureStoreLimits } from './signature-store.ts';
import { SqliteSignatureStore } from './sqlite-signature-store.ts';

const engines: Array<[string, (limits: Partial<SignatureStoreLimits>) => SignatureStore]> = [
  ['memory', (limits) => new MemorySignatureStore(limits)],
  ['sqlite', (limits) => new SqliteSignatureStore(openDatabase(':memory:'), limits)],
];

for (const [name, create] of engines) {
  describe(`SignatureStore (${name})`, () => {
    test('recalls by owner and id; another owner sees nothing', async () => {
      const store = create({});
      await store.remember(
        'owner-a',
        [
          { id: 'toolu_1', signature: 'sig-1' },
          { id: 'toolu_2', signature: 'sig-2' },
        ],
        1000,
      );
      assert.deepEqual(
        await store.recall('owner-a', ['toolu_1', 'toolu_3'], 2000),
        new Map([['toolu_1', 'sig-1']]),
      );
      assert.equal((await store.recall('owner-b', ['toolu_1'], 2000)).size, 0);
    });

    test('a later signature for the same id replaces the earlier one', async () => {
      const store = create({});
      await store.remember('owner', [{ id: 'call', signature: 'old' }], 1000);
      await store.remember('owner', [{ id: 'call', signature: 'new' }], 2000);
      assert.equal((await store.recall('owner', ['call'], 3000)).get('call'), 'new');
    });

    test('entries expire with age', async () => {
      const store = create({ maxAgeMs: 1000 });
      await store.remember('owner', [{ id: 'call', signature: 'sig' }], 5000);
      assert.equal((await store.recall('owner', ['call'], 5999)).size, 1);
      assert.equal((await store.recall('owner', ['call'], 6000)).size, 0);
    });

    test('the count stays bounded: the oldest go first', async () => {
      const store = create({ maxEntries: 3 });
      for (let index = 0; index < 10; index++) {
        await store.remember('owner', [{ id: `call-${index}`, signature: `sig-${index}` }], 1000 + index);
      }
      const found = await store.recall(
        'owner',
        Array.from({ length: 10 }, (_, index) => `call-${index}`),
        2000,
      );
      assert.ok(found.size <= 3, `at most 3 kept, found ${found.size}`);
      assert.equal(found.get('call-9'), 'sig-9');
      assert.equal(found.has('call-0'), false);
    });
  });
}
