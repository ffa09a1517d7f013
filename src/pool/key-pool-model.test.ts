import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryKeyStateStore } from '../store/memory-key-state-store.ts';
import type { KeyView } from './key-entry.ts';
import { KeyPool } from './key-pool.ts';
import type { Outcome } from './outcome.ts';

// Checks the O(1) index against the plain per-key state, over thousands of random operations.

const models = ['gemini-2.5-flash', 'gemini-2.5-pro', 'gemini-2.0-flash', 'embedding-001'];

function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

/** When a key can serve `model` again, judged from its view alone. */
function readyAt(view: KeyView, model: string, now: number): number {
  if (!view.enabled) return Number.POSITIVE_INFINITY;
  const cooling = view.cooling.find((entry) => entry.model === model)?.until ?? now;
  return Math.max(now, view.backoffUntil ?? now, cooling);
}

function randomOutcome(random: () => number): Outcome {
  const roll = random();
  if (roll < 0.35) return { kind: 'ok' };
  if (roll < 0.65)
    return { kind: 'quota', retryAfterMs: Math.floor(random() * 5000), perDay: random() < 0.02 };
  if (roll < 0.85) return { kind: 'transient' };
  if (roll < 0.9) return { kind: 'invalid', reason: 'API_KEY_INVALID' };
  return { kind: 'client-error' };
}

function checkAcquire(pool: KeyPool, model: string, now: number): void {
  const result = pool.acquire(model);
  const views = pool.list();
  const earliest = Math.min(...views.map((view) => readyAt(view, model, now)));
  if (result.kind === 'lease') {
    const view = views.find((candidate) => candidate.id === result.id);
    assert.ok(view !== undefined && readyAt(view, model, now) === now, `picked an unusable key for ${model}`);
  } else if (result.kind === 'cooling') {
    assert.ok(earliest > now, `said cooling while a key was usable for ${model}`);
    assert.ok(
      result.retryAfterMs > 0 && result.retryAfterMs <= earliest - now,
      'retryAfterMs not a lower bound',
    );
  } else if (result.kind === 'all-dead') {
    assert.ok(views.every((view) => !view.enabled));
  } else {
    assert.equal(result.kind, 'empty');
    assert.equal(views.length, 0);
  }
}

test('picks always agree with per-key state under random churn', () => {
  for (const seed of [1, 2, 3]) {
    const random = seededRandom(seed);
    const secrets = Array.from({ length: 12 }, (_, index) => `AIzaSyTEST-model-${seed}-${index}`);
    let now = Date.parse('2026-03-07T20:00:00Z');
    const pool = new KeyPool({
      keys: secrets,
      store: new MemoryKeyStateStore(),
      now: () => now,
      transientBackoff: { baseMs: 200, maxMs: 3000 },
      random,
      maxModels: 2, // Fewer lanes than models: eviction and rebuild are exercised too.
    });
    pool.learnModels(models);
    const pickFrom = <Item>(items: readonly Item[]): Item =>
      items[Math.floor(random() * items.length)] as Item;
    for (let step = 0; step < 4000; step++) {
      const model = pickFrom(models);
      const id = pickFrom(pool.list()).id;
      const roll = random();
      if (roll < 0.5) pool.report(id, pickFrom(models), randomOutcome(random));
      else if (roll < 0.53) pool.enable(id);
      else if (roll < 0.54) pool.disable(id, 'test');
      else if (roll < 0.56) pool.remove(id) && pool.add(pickFrom(secrets));
      else if (roll < 0.57) pool.add(pickFrom(secrets));
      else now += Math.floor(random() * 1500);
      checkAcquire(pool, model, now);
    }
  }
});

test('a compressed minute (benchmarks) compresses the back-off after a 5xx alike', () => {
  let now = 0;
  const pool = new KeyPool({
    keys: ['AIzaSyTEST-scaled'],
    store: new MemoryKeyStateStore(),
    now: () => now,
    random: () => 0,
    quotaMinuteMs: 4000,
  });
  pool.learnModels(['gemini-2.5-flash']);
  const id = pool.list()[0]?.id ?? '';
  pool.report(id, 'gemini-2.5-flash', { kind: 'transient', scope: 'model' });
  assert.equal(pool.acquire('gemini-2.5-flash').kind, 'cooling');
  now += 67; // a second of a 4-second "minute"
  assert.equal(pool.acquire('gemini-2.5-flash').kind, 'lease');
});

test('a last resort takes a key resting after a 5xx, never one that a 429 or its learnt limit holds', () => {
  let now = 0;
  const pool = new KeyPool({
    keys: ['AIzaSyTEST-last-resort'],
    store: new MemoryKeyStateStore(),
    now: () => now,
  });
  const flash = 'gemini-2.5-flash';
  pool.learnModels([flash]);
  const id = pool.list()[0]?.id ?? '';
  const lastResort = () => pool.acquire(flash, { preferKeyId: id, onlyIfResting: true }).kind;
  pool.report(id, flash, { kind: 'transient', scope: 'model' });
  assert.equal(lastResort(), 'lease', 'resting after a 503: worth a try');
  pool.report(id, flash, { kind: 'quota', retryAfterMs: 30_000, perDay: false });
  assert.equal(lastResort(), 'affinity-unavailable', 'out of quota: a try would be a 429');
  assert.equal(pool.acquire(flash, { preferKeyId: id }).kind, 'lease', 'affinity still gets its key');
  now += 30_000;
  pool.report(id, flash, { kind: 'transient', scope: 'model' });
  pool.report(id, flash, {
    kind: 'quota',
    retryAfterMs: 1000,
    perDay: false,
    requestLimit: { limit: 1, windowMs: 60_000 },
  });
  now += 1000;
  pool.recordAttempt(id, flash); // fills the learnt limit until a minute from now
  pool.report(id, flash, { kind: 'transient', scope: 'model' });
  assert.equal(lastResort(), 'affinity-unavailable', 'full by its learnt limit');
});
