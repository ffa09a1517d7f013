import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fingerprintKey } from '../secrets/fingerprint.ts';
import { MemoryKeyStateStore } from '../store/memory-key-state-store.ts';
import { KeyPool } from './key-pool.ts';
import type { Outcome } from './outcome.ts';
import type { PoolEvent } from './pool-events.ts';

const secrets = Array.from({ length: 4 }, (_, index) => `AIzaSyTEST-faults-${index}`);
const ids = secrets.map(fingerprintKey);
const flash = 'gemini-2.5-flash';

function makePool(check?: (id: string) => Outcome) {
  const clock = { now: Date.parse('2026-01-15T12:00:00Z') };
  const events: PoolEvent[] = [];
  const store = new MemoryKeyStateStore();
  const pool = new KeyPool({
    keys: secrets,
    store,
    now: () => clock.now,
    random: () => 0,
    onEvent: (event) => events.push(event),
  });
  const checked: string[] = [];
  if (check !== undefined) {
    pool.startRechecks({
      intervalMs: 3_600_000,
      concurrency: 1,
      check: async (lease) => {
        checked.push(lease.id);
        return check(lease.id);
      },
    });
  }
  return { pool, clock, events, store, checked };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));
const unregistered: Outcome = { kind: 'invalid', reason: 'UNREGISTERED_CALLER' };

test('"unregistered callers" from every key disables none; one key is re-checked, the finding logged', async () => {
  const { pool, events, checked } = makePool(() => ({ kind: 'ok' }));
  const verdicts = ids.map((id) => pool.report(id, flash, unregistered));
  assert.deepEqual(verdicts, ['path-fault', 'path-fault', 'path-fault', 'path-fault']);
  await settle();
  assert.deepEqual(
    pool.list().map((view) => view.enabled),
    [true, true, true, true],
  );
  assert.deepEqual(checked, [ids[0]], 'one re-check, not one per key');
  assert.deepEqual(
    events.map((event) => (event.type === 'path-fault' ? event.finding : event.type)),
    ['suspected', 'key-works'],
  );
});

test('the same dead-key reason from a second key within seconds disables nothing more, and brings the first back when the key works', async () => {
  const { pool, clock, events, checked } = makePool(() => ({ kind: 'ok' }));
  const reason: Outcome = { kind: 'invalid', reason: 'API_KEY_HTTP_REFERRER_BLOCKED' };
  assert.equal(pool.report(ids[0] ?? '', flash, reason), 'recorded', 'one key: its own death');
  assert.equal(pool.get(ids[0] ?? '')?.enabled, false);
  clock.now += 2000;
  assert.equal(pool.report(ids[1] ?? '', flash, reason), 'path-fault');
  assert.equal(pool.report(ids[2] ?? '', flash, reason), 'path-fault');
  await settle();
  assert.deepEqual(checked, [ids[1]]);
  assert.deepEqual(
    pool.list().map((view) => view.enabled),
    [true, true, true, true],
    'the first is back: the fault was not the keys',
  );
  assert.deepEqual(
    events.map((event) => event.type),
    ['key-disabled', 'path-fault', 'key-revived', 'path-fault'],
  );
  clock.now += 30_000;
  assert.equal(pool.report(ids[3] ?? '', flash, reason), 'path-fault', 'the suspicion holds a while');
});

test('when the re-checked key is dead after all, it alone is disabled', async () => {
  const { pool, clock } = makePool(() => ({ kind: 'invalid', reason: 'CONSUMER_SUSPENDED' }));
  const reason: Outcome = { kind: 'invalid', reason: 'CONSUMER_SUSPENDED' };
  pool.report(ids[0] ?? '', flash, reason);
  clock.now += 1000;
  pool.report(ids[1] ?? '', flash, reason);
  await settle();
  assert.deepEqual(
    pool.list().map((view) => view.enabled),
    [false, false, true, true],
  );
});

test('ten thousand distinct unknown model names leave the per-model state bounded, and spread over the keys', () => {
  const { pool, store, clock } = makePool();
  const firstPicks = new Set<string>();
  for (let index = 0; index < 10_000; index++) {
    const id = ids[index % ids.length] ?? '';
    const model = `gemini-made-up-${index}-${'x'.repeat(50)}`;
    const first = pool.acquire(model);
    if (first.kind === 'lease' && index < 100) firstPicks.add(first.id);
    pool.report(id, model, { kind: 'quota', retryAfterMs: 30_000, perDay: false });
    pool.report(id, model, { kind: 'transient', scope: 'model' });
  }
  const stored = [...store.load(clock.now).values()].reduce((sum, state) => sum + state.cooldowns.size, 0);
  assert.ok(stored <= 32, `${stored} stored cooldowns`);
  const cooling = pool.list().reduce((sum, view) => sum + view.cooling.length, 0);
  assert.ok(cooling <= 32, `${cooling} cooldowns in memory`);
  assert.equal(pool.tracksModel('gemini-made-up-1-x'), false);
  assert.equal(firstPicks.size, ids.length, 'new names do not all start on the same key');
});

test('names Gemini vouched for keep their state, within a cap; the oldest is forgotten with its state', () => {
  const clock = { now: 0 };
  const store = new MemoryKeyStateStore();
  const pool = new KeyPool({ keys: secrets, store, now: () => clock.now, maxKnownModels: 2 });
  pool.report(ids[0] ?? '', 'models/model-a', { kind: 'ok' });
  pool.report(ids[0] ?? '', 'x', { kind: 'quota', retryAfterMs: 5000, perDay: false, model: 'model-b' });
  assert.ok(pool.tracksModel('model-a'));
  assert.ok(pool.tracksModel('model-b'), 'named in a QuotaFailure');
  assert.ok(
    store
      .load(0)
      .get(ids[0] ?? '')
      ?.cooldowns.has('model-b'),
  );
  for (let index = 0; index < 100; index++)
    pool.report(ids[1] ?? '', `junk-${index}`, { kind: 'transient', scope: 'model' });
  assert.ok(pool.tracksModel('model-b'), 'unvouched names never push out vouched ones');
  pool.learnModels(['model-c']);
  assert.equal(pool.tracksModel('model-a'), false, 'evicted');
  pool.learnModels(['model-d']);
  assert.equal(
    store
      .load(0)
      .get(ids[0] ?? '')
      ?.cooldowns.has('model-b'),
    false,
    'its state went with it',
  );
  assert.deepEqual(pool.get(ids[0] ?? '')?.cooling, []);
});

test('a cooldown is never stored further than 48 hours ahead', () => {
  const { pool, clock, store } = makePool();
  pool.learnModels([flash]);
  pool.report(ids[0] ?? '', flash, { kind: 'quota', retryAfterMs: 1e20, perDay: false });
  const until = store
    .load(clock.now)
    .get(ids[0] ?? '')
    ?.cooldowns.get(flash);
  assert.equal(until, clock.now + 48 * 3600_000);
  assert.deepEqual(pool.get(ids[0] ?? '')?.cooling, [{ model: flash, until }]);
});

test('pool events: disabled with its reason, revived, cooling for the quota day; the census counts usable keys', () => {
  const { pool, events } = makePool();
  pool.learnModels([flash]);
  pool.report(ids[0] ?? '', flash, { kind: 'invalid', reason: 'API_KEY_INVALID' });
  pool.report(ids[1] ?? '', flash, { kind: 'quota', retryAfterMs: 1, perDay: true });
  pool.report(ids[1] ?? '', flash, { kind: 'quota', retryAfterMs: 1, perDay: true });
  assert.deepEqual(pool.census(), { total: 4, usable: 2, resting: 1, disabled: 1 });
  pool.reinstate(ids[0] ?? '');
  assert.deepEqual(
    events.map((event) => [event.type, 'keyFingerprint' in event ? event.keyFingerprint : undefined]),
    [
      ['key-disabled', ids[0]],
      ['key-cooling-for-day', ids[1]],
      ['key-revived', ids[0]],
    ],
    'once per change, not per report',
  );
  assert.equal(events[0]?.type === 'key-disabled' && events[0].reason, 'API_KEY_INVALID');
});

test('a network failure blames the path: the key does not rest', () => {
  const { pool } = makePool();
  pool.report(ids[0] ?? '', flash, { kind: 'transient', scope: 'path' });
  assert.equal(pool.get(ids[0] ?? '')?.backoffUntil, undefined);
  assert.equal(pool.get(ids[0] ?? '')?.counters.transient, 1);
});

test('keys an earlier version disabled for "unregistered callers" are back after a restart', () => {
  const store = new MemoryKeyStateStore();
  store.saveHealth(ids[0] ?? '', {
    disabled: { reason: 'UNREGISTERED_CALLER', since: 1, by: 'upstream' },
    failureStreak: 0,
    backoffUntil: 0,
  });
  store.saveHealth(ids[1] ?? '', {
    disabled: { reason: 'API_KEY_INVALID', since: 1, by: 'upstream' },
    failureStreak: 0,
    backoffUntil: 0,
  });
  const pool = new KeyPool({ keys: secrets, store });
  assert.deepEqual(
    pool.list().map((view) => view.enabled),
    [true, false, true, true],
  );
});
