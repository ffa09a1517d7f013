import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ListableAffinityStore } from './affinity-store.ts';
import { WriteBehindAffinityStore } from './write-behind-affinity-store.ts';

/** An in-memory store whose writes throw while `locked`, counting the writes tried. */
function lockableStore() {
  const rows = new Map<string, { fingerprint: string; expiresAt: number }>();
  const state = { locked: false, tries: 0 };
  const store: ListableAffinityStore = {
    async remember(resource, fingerprint, expiresAt) {
      state.tries += 1;
      if (state.locked) throw new Error('database is locked');
      rows.set(resource, { fingerprint, expiresAt });
    },
    async forget(resource) {
      state.tries += 1;
      if (state.locked) throw new Error('database is locked');
      rows.delete(resource);
    },
    async lookup(resource, now) {
      const row = rows.get(resource);
      return row !== undefined && row.expiresAt > now ? row.fingerprint : undefined;
    },
    async prune() {
      return 0;
    },
    async entries(now) {
      return [...rows]
        .filter(([, row]) => row.expiresAt > now)
        .map(([resource, row]) => ({ resource, ...row }));
    },
  };
  return { store, rows, state };
}

describe('WriteBehindAffinityStore', () => {
  it('never fails a write: a failed one is reported, kept, seen by lookups and written once the store recovers', async () => {
    const { store, rows, state } = lockableStore();
    const errors: number[] = [];
    const affinity = new WriteBehindAffinityStore(store, (_error, pending) => errors.push(pending));
    state.locked = true;
    await affinity.remember('files/a', 'key_a', 2000);
    await affinity.remember('files/b', 'key_b', 2000);
    await affinity.forget('files/b');
    await affinity.remember('files/a', 'key_c', 3000);
    assert.deepEqual(errors, [1], 'the first failure is reported');
    assert.equal(state.tries, 1, 'writes queued behind the failed one do not touch the store');
    assert.equal(affinity.pending, 2);
    assert.equal(await affinity.lookup('files/a', 1000), 'key_c');
    assert.equal(await affinity.lookup('files/b', 1000), undefined);
    assert.equal(await affinity.lookup('files/a', 3000), undefined, 'a pending owner still expires');

    state.locked = false;
    await affinity.close();
    assert.equal(affinity.pending, 0);
    assert.deepEqual([...rows], [['files/a', { fingerprint: 'key_c', expiresAt: 3000 }]]);
  });

  it('a failed flush on close keeps the writes and schedules nothing', async () => {
    const { store, state } = lockableStore();
    const affinity = new WriteBehindAffinityStore(store, () => {});
    state.locked = true;
    await affinity.remember('files/a', 'key_a', 2000);
    await affinity.close();
    assert.equal(affinity.pending, 1);
  });

  it('lists what the database holds overlaid with the writes still pending', async () => {
    const { store, state } = lockableStore();
    const affinity = new WriteBehindAffinityStore(store, () => {});
    await affinity.remember('files/kept', 'key_a', 10_000);
    await affinity.flush();
    await affinity.remember('files/gone', 'key_b', 10_000);
    await affinity.flush();
    state.locked = true;
    await affinity.forget('files/gone');
    await affinity.remember('files/new', 'key_c', 10_000);
    const listed = (await affinity.entries(0)).map((entry) => `${entry.resource}=${entry.fingerprint}`);
    assert.deepEqual(listed.sort(), ['files/kept=key_a', 'files/new=key_c']);
    state.locked = false;
    await affinity.close();
  });
});
