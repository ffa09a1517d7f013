import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fingerprintKey } from '../secrets/fingerprint.ts';
import { MemoryKeyStateStore } from '../store/memory-key-state-store.ts';
import { type AcquireOptions, KeyPool, type KeyPoolOptions } from './key-pool.ts';
import type { AcquireResult, Lease } from './lease.ts';

const secrets = Array.from({ length: 5 }, (_, index) => `AIzaSyTEST-pool-key-${index}`);
const ids = secrets.map(fingerprintKey);
const flash = 'gemini-2.5-flash';
const pro = 'gemini-2.5-pro';

function makePool(options: Partial<KeyPoolOptions> = {}) {
  const clock = { now: Date.parse('2026-01-15T12:00:00Z') };
  const pool = new KeyPool({
    keys: secrets,
    store: new MemoryKeyStateStore(),
    now: () => clock.now,
    transientBackoff: { baseMs: 1000, maxMs: 8000 },
    random: () => 0,
    ...options,
  });
  // Names Gemini vouched for (as models.list would): the pool keeps state for them.
  pool.learnModels([flash, pro]);
  return { pool, clock };
}

function leaseOf(result: AcquireResult): Lease {
  assert.equal(result.kind, 'lease', `expected a lease, got ${JSON.stringify(result)}`);
  return result as Lease;
}

const pickIds = (pool: KeyPool, model: string, count: number, options?: AcquireOptions): string[] =>
  Array.from({ length: count }, () => leaseOf(pool.acquire(model, options)).id);

test('round robin: picks rotate, counts within ±1 over many picks', () => {
  const { pool } = makePool();
  assert.deepEqual(pickIds(pool, flash, 5).toSorted(), ids.toSorted());
  const counts = new Map<string, number>();
  for (const id of pickIds(pool, flash, 5003)) counts.set(id, (counts.get(id) ?? 0) + 1);
  const values = [...counts.values()];
  assert.equal(counts.size, 5);
  assert.ok(Math.max(...values) - Math.min(...values) <= 1, String(values));
});

test('a key cooling for one model keeps serving the others, and comes back after the delay', () => {
  const { pool, clock } = makePool();
  const cooled = ids[2] ?? '';
  pool.report(cooled, `models/${flash}`, { kind: 'quota', retryAfterMs: 26_000, perDay: false });
  assert.ok(!pickIds(pool, flash, 40).includes(cooled));
  assert.ok(pickIds(pool, pro, 5).includes(cooled));
  clock.now += 25_999;
  assert.ok(!pickIds(pool, flash, 40).includes(cooled));
  clock.now += 1;
  assert.ok(pickIds(pool, flash, 5).includes(cooled));
  assert.deepEqual(pool.get(cooled)?.cooling, []);
});

test("Gemini's model from QuotaFailure is cooled too (aliases)", () => {
  const { pool } = makePool({ keys: secrets.slice(0, 1) });
  pool.report(ids[0] ?? '', 'gemini-flash-latest', {
    kind: 'quota',
    retryAfterMs: 5000,
    perDay: false,
    model: flash,
  });
  assert.equal(pool.acquire(flash).kind, 'cooling');
  assert.equal(pool.acquire('gemini-flash-latest').kind, 'cooling');
  assert.equal(pool.acquire(pro).kind, 'lease');
});

test('a per-day quota cools until the next Pacific midnight (DST day)', () => {
  const { pool, clock } = makePool({ keys: secrets.slice(0, 1) });
  // 2026-03-08 is the day DST starts: its next midnight is at 07:00Z, not 08:00Z.
  clock.now = Date.parse('2026-03-08T12:00:00Z');
  pool.report(ids[0] ?? '', flash, { kind: 'quota', retryAfterMs: 1, perDay: true });
  const midnight = Date.parse('2026-03-09T07:00:00Z');
  assert.deepEqual(pool.get(ids[0] ?? '')?.cooling, [{ model: flash, until: midnight }]);
  assert.deepEqual(pool.acquire(flash), {
    kind: 'cooling',
    retryAfterMs: midnight - clock.now,
    cause: 'quota',
  });
  clock.now = midnight - 1;
  assert.equal(pool.acquire(flash).kind, 'cooling');
  clock.now = midnight;
  assert.equal(pool.acquire(flash).kind, 'lease');
});

test('a late per-minute 429 does not shorten a per-day cooldown', () => {
  const { pool, clock } = makePool({ keys: secrets.slice(0, 1) });
  const id = ids[0] ?? '';
  pool.report(id, flash, { kind: 'quota', retryAfterMs: 0, perDay: true });
  pool.report(id, flash, { kind: 'quota', retryAfterMs: 26_000, perDay: false });
  clock.now += 60_000;
  assert.equal(pool.acquire(flash).kind, 'cooling');
});

test('all keys cooling: retryAfterMs is the earliest re-admission', () => {
  const { pool, clock } = makePool();
  ids.forEach((id, index) => {
    pool.report(id, flash, { kind: 'quota', retryAfterMs: 30_000 - index * 1000, perDay: false });
  });
  assert.deepEqual(pool.acquire(flash), { kind: 'cooling', retryAfterMs: 26_000, cause: 'quota' });
  clock.now += 26_000;
  assert.equal(leaseOf(pool.acquire(flash)).id, ids[4]);
});

test('all disabled → all-dead; no keys → empty', () => {
  const { pool, clock } = makePool();
  for (const id of ids) {
    pool.report(id, flash, { kind: 'invalid', reason: 'API_KEY_INVALID' });
    clock.now += 60_000; // one by one, not a burst
  }
  assert.deepEqual(pool.acquire(flash), { kind: 'all-dead' });
  assert.deepEqual(pool.stats(), { total: 5, enabled: 0, disabled: 5 });
  assert.deepEqual(makePool({ keys: [] }).pool.acquire(flash), { kind: 'empty' });
});

test('invalid disables with its reason until enabled; the others carry on', () => {
  const { pool } = makePool();
  const dead = ids[1] ?? '';
  pool.report(dead, flash, { kind: 'invalid', reason: 'CONSUMER_SUSPENDED' });
  const view = pool.get(dead);
  assert.equal(view?.enabled, false);
  assert.equal(view?.disabledReason, 'CONSUMER_SUSPENDED');
  assert.equal(view?.disabledBy, 'upstream');
  assert.ok(!pickIds(pool, flash, 20).includes(dead));
  assert.ok(!pickIds(pool, pro, 20).includes(dead));
  assert.ok(pool.enable(dead));
  assert.ok(pickIds(pool, flash, 5).includes(dead));
});

test('transient failures back off the key for every model, growing and capped', () => {
  const { pool, clock } = makePool({ keys: secrets.slice(0, 1) });
  const id = ids[0] ?? '';
  const expectedDelays = [1000, 2000, 4000, 8000, 8000];
  for (const delay of expectedDelays) {
    pool.report(id, flash, { kind: 'transient' });
    assert.deepEqual(pool.acquire(pro), { kind: 'cooling', retryAfterMs: delay, cause: 'resting' });
    clock.now += delay;
    assert.equal(leaseOf(pool.acquire(flash)).id, id);
  }
  assert.equal(pool.get(id)?.failureStreak, 5);
  pool.report(id, flash, { kind: 'ok' });
  assert.equal(pool.get(id)?.failureStreak, 0);
  pool.report(id, flash, { kind: 'client-error' });
  assert.equal(leaseOf(pool.acquire(flash)).id, id);
  assert.deepEqual(pool.get(id)?.counters, {
    successes: 1,
    invalid: 0,
    quota: 0,
    transient: 5,
    clientErrors: 1,
  });
});

test('exclude skips keys already tried; when only those are left → exhausted', () => {
  const { pool } = makePool();
  const tried = new Set(ids.slice(0, 4));
  assert.deepEqual(new Set(pickIds(pool, flash, 10, { exclude: tried })), new Set([ids[4]]));
  assert.deepEqual(pool.acquire(flash, { exclude: new Set(ids) }), { kind: 'exhausted' });
});

test('affinity: the owning key even while cooling or backing off, never when disabled', () => {
  const { pool } = makePool();
  const owner = ids[3] ?? '';
  pool.report(owner, flash, { kind: 'quota', retryAfterMs: 60_000, perDay: false });
  pool.report(owner, flash, { kind: 'transient' });
  assert.equal(leaseOf(pool.acquire(flash, { preferKeyId: owner })).id, owner);
  assert.deepEqual(pool.acquire(flash, { preferKeyId: owner, exclude: new Set([owner]) }), {
    kind: 'affinity-unavailable',
    id: owner,
  });
  pool.disable(owner, 'rotated out');
  assert.deepEqual(pool.acquire(flash, { preferKeyId: owner }), { kind: 'affinity-unavailable', id: owner });
  assert.deepEqual(pool.acquire(flash, { preferKeyId: 'key_unknown' }), {
    kind: 'affinity-unavailable',
    id: 'key_unknown',
  });
});

test('add is idempotent, remove forgets, and no view or log of a lease shows a secret', () => {
  const { pool } = makePool();
  assert.equal(pool.add(` ${secrets[0]} `), ids[0]);
  assert.equal(pool.stats().total, 5);
  assert.ok(pool.remove(ids[0] ?? ''));
  assert.ok(!pool.remove(ids[0] ?? ''));
  assert.ok(!pickIds(pool, flash, 10).includes(ids[0] ?? ''));
  assert.throws(() => pool.add('  '), TypeError);
  const lease = leaseOf(pool.acquire(flash));
  assert.ok(secrets.includes(lease.secret));
  const shown = [JSON.stringify(pool.list()), JSON.stringify(lease), String(Object.values(lease))];
  for (const text of shown) for (const secret of secrets) assert.ok(!text.includes(secret), text);
});

test('admin-disabled keys are not re-checked; upstream-disabled ones rotate through batches', () => {
  const { pool, clock } = makePool();
  pool.disable(ids[0] ?? '', 'by hand');
  for (const id of ids.slice(1, 4)) {
    pool.report(id, flash, { kind: 'invalid', reason: 'API_KEY_INVALID' });
    clock.now += 60_000;
  }
  assert.deepEqual(
    pool.nextRecheckBatch(2).map((lease) => lease.id),
    ids.slice(1, 3),
  );
  assert.deepEqual(
    pool.nextRecheckBatch(2).map((lease) => lease.id),
    [ids[3], ids[1]],
  );
  assert.equal(pool.reinstate(ids[0] ?? ''), false);
  assert.equal(pool.reinstate(ids[1] ?? ''), true);
  assert.equal(pool.get(ids[1] ?? '')?.enabled, true);
});

test('an HTTP 5xx backs off only that (key, model), with a growing delay; a network error the whole key', () => {
  let now = 1_000_000;
  const pool = new KeyPool({
    keys: ['a', 'b'],
    store: new MemoryKeyStateStore(),
    now: () => now,
    random: () => 0,
    transientBackoff: { baseMs: 1000, maxMs: 60_000 },
  });
  pool.learnModels(['flash', 'pro']);
  const a = fingerprintKey('a');
  const idOf = (result: AcquireResult) => (result.kind === 'lease' ? result.id : result.kind);
  pool.report(a, 'flash', { kind: 'transient', scope: 'model' });
  for (let index = 0; index < 4; index++)
    assert.notEqual(idOf(pool.acquire('flash')), a, 'a rests for flash');
  const pro = new Set(Array.from({ length: 4 }, () => idOf(pool.acquire('pro'))));
  assert.ok(pro.has(a), 'a still serves another model');
  now += 1000;
  assert.ok(new Set(Array.from({ length: 2 }, () => idOf(pool.acquire('flash')))).has(a), 'back after 1 s');
  pool.report(a, 'pro', { kind: 'ok' }); // a success elsewhere does not reset flash's streak
  pool.report(a, 'flash', { kind: 'transient', scope: 'model' });
  const flashHas = () => new Set(Array.from({ length: 2 }, () => idOf(pool.acquire('flash')))).has(a);
  now += 1000;
  assert.ok(!flashHas(), 'second failure: 2 s');
  now += 1000;
  assert.ok(flashHas(), 'back after 2 s');
  pool.report(a, 'flash', { kind: 'ok' });
  pool.report(a, 'flash', { kind: 'transient', scope: 'model' });
  now += 1000;
  assert.ok(flashHas(), 'a success on flash reset its streak: 1 s again');
  pool.report(a, 'pro', { kind: 'transient' });
  assert.ok(
    !new Set(Array.from({ length: 2 }, () => idOf(pool.acquire('pro')))).has(a),
    'network error: whole key',
  );
});

test('QUOTA_COUNT reaches the pool: shapes give a new window its whole limit, sliding one slot at a time', () => {
  for (const [quotaCount, expected] of [
    ['shapes', true],
    ['sliding', false],
  ] as const) {
    const { pool, clock } = makePool({ keys: [secrets[0] ?? ''], quotaCount, quotaMarginMs: 0 });
    const id = ids[0] ?? '';
    const quota = { limit: 2, windowMs: 60_000 };
    pool.report(id, flash, {
      kind: 'quota',
      retryAfterMs: 10_000,
      perDay: false,
      requestLimit: quota,
      retryAfterUncertaintyMs: 1000,
    });
    clock.now += 10_000; // the window Gemini announced is over: a new one, opened by the next call
    pool.recordAttempt(id, flash);
    clock.now += 40_000;
    pool.recordAttempt(id, flash); // full until the window opened 40 s ago ends
    clock.now += 20_000;
    pool.recordAttempt(id, flash); // the next window's first call
    const room = pool.acquire(flash).kind === 'lease';
    assert.equal(room, expected, `${quotaCount}: a second call in the new window`);
  }
});
