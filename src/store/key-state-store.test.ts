import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openDatabase } from './database.ts';
import type { KeyStateStore } from './key-state-store.ts';
import { MemoryKeyStateStore } from './memory-key-state-store.ts';
import { SqliteKeyStateStore } from './sqlite-key-state-store.ts';

// One contract, every engine.
const engines: Record<string, () => KeyStateStore> = {
  memory: () => new MemoryKeyStateStore(),
  sqlite: () => new SqliteKeyStateStore(openDatabase(':memory:'), { flushIntervalMs: 60_000 }),
};

for (const [engine, makeStore] of Object.entries(engines)) {
  test(`${engine}: health, cooldowns and counters round-trip`, () => {
    const store = makeStore();
    store.saveHealth('key_a', {
      disabled: { reason: 'API_KEY_INVALID', since: 100, by: 'upstream' },
      failureStreak: 2,
      backoffUntil: 5000,
    });
    store.saveCooldown('key_a', 'gemini-2.5-flash', 2000);
    store.saveCooldown('key_a', 'gemini-2.5-pro', 500);
    store.saveCooldown('key_b', 'gemini-2.5-flash', 3000);
    store.saveCooldown('key_b', 'gemini-2.5-flash', 4000);
    for (let index = 0; index < 3; index++) store.increment('key_a', 'successes');
    store.increment('key_a', 'quota');
    store.increment('key_c', 'transient');
    store.flush();
    const states = store.load(1000);
    const first = states.get('key_a');
    assert.deepEqual(first?.disabled, { reason: 'API_KEY_INVALID', since: 100, by: 'upstream' });
    assert.equal(first?.failureStreak, 2);
    assert.equal(first?.backoffUntil, 5000);
    assert.deepEqual(
      [...(first?.cooldowns ?? [])],
      [['gemini-2.5-flash', 2000]],
      'expired cooldowns dropped',
    );
    assert.deepEqual(first?.counters, { successes: 3, invalid: 0, quota: 1, transient: 0, clientErrors: 0 });
    assert.deepEqual([...(states.get('key_b')?.cooldowns ?? [])], [['gemini-2.5-flash', 4000]]);
    assert.equal(states.get('key_c')?.counters.transient, 1);
    assert.equal(states.get('key_c')?.disabled, undefined);
  });

  test(`${engine}: re-enabling clears the disabled state; counters survive health writes; forget`, () => {
    const store = makeStore();
    store.increment('key_a', 'invalid');
    store.flush();
    store.saveHealth('key_a', {
      disabled: { reason: 'x', since: 1, by: 'admin' },
      failureStreak: 0,
      backoffUntil: 0,
    });
    store.saveHealth('key_a', { disabled: undefined, failureStreak: 0, backoffUntil: 0 });
    const state = store.load(0).get('key_a');
    assert.equal(state?.disabled, undefined);
    assert.equal(state?.counters.invalid, 1);
    store.saveCooldown('key_a', 'm', 10);
    store.saveLimit('key_a', 'm', { limit: 5, windowMs: 60_000 });
    store.forget('key_a');
    assert.equal(store.load(0).has('key_a'), false);
    store.close();
  });

  test(`${engine}: learnt limits round-trip; forgetting a model drops its cooldowns and limits`, () => {
    const store = makeStore();
    store.saveLimit('key_a', 'gemini-2.5-flash', { limit: 10, windowMs: 60_000 });
    store.saveLimit('key_a', 'gemini-2.5-flash', { limit: 5, windowMs: 60_000 });
    store.saveLimit('key_b', 'odd-model', { limit: 2, windowMs: 60_000 });
    store.saveCooldown('key_b', 'odd-model', 5000);
    let states = store.load(0);
    assert.deepEqual(
      [...(states.get('key_a')?.limits ?? [])],
      [['gemini-2.5-flash', { limit: 5, windowMs: 60_000 }]],
    );
    assert.equal(states.get('key_b')?.limits.size, 1);
    store.forgetModel('odd-model');
    states = store.load(0);
    assert.equal(states.get('key_b')?.limits.size ?? 0, 0);
    assert.equal(states.get('key_b')?.cooldowns.size ?? 0, 0);
    store.close();
  });
}

test('sqlite: counters are batched until the flush interval', async () => {
  const database = openDatabase(':memory:');
  const store = new SqliteKeyStateStore(database, { flushIntervalMs: 5 });
  store.increment('key_a', 'successes');
  const count = () => database.prepare('SELECT successes FROM key_state WHERE fingerprint = ?').get('key_a');
  assert.equal(count(), undefined, 'not written synchronously');
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual({ ...count() }, { successes: 1 });
  store.close();
  database.close();
});

test('SQLite takes fractional times (scaled delays) without failing the request path', async () => {
  const { openDatabase } = await import('./database.ts');
  const { SqliteKeyStateStore } = await import('./sqlite-key-state-store.ts');
  const store = new SqliteKeyStateStore(openDatabase(':memory:'));
  store.saveCooldown('key_x', 'flash', 1000.4);
  store.saveHealth('key_x', { disabled: undefined, failureStreak: 1, backoffUntil: 2000.6 });
  const state = store.load(0).get('key_x');
  assert.equal(state?.backoffUntil, 2001);
  assert.equal(state?.cooldowns.get('flash'), 1001);
});

test('SQLite keeps absurd times inside its integer range instead of failing the request path', () => {
  const store = new SqliteKeyStateStore(openDatabase(':memory:'));
  store.saveCooldown('key_x', 'flash', 1e30);
  store.saveCooldown('key_x', 'pro', Number.POSITIVE_INFINITY);
  store.saveHealth('key_x', { disabled: undefined, failureStreak: 1, backoffUntil: Number.NaN });
  const state = store.load(0).get('key_x');
  assert.ok((state?.cooldowns.get('flash') ?? 0) <= Date.UTC(9999, 0, 1));
  assert.ok(Number.isSafeInteger(state?.backoffUntil));
});
