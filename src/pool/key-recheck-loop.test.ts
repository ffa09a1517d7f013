import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fingerprintKey } from '../secrets/fingerprint.ts';
import { MemoryKeyStateStore } from '../store/memory-key-state-store.ts';
import { KeyPool } from './key-pool.ts';
import { startKeyRechecks } from './key-recheck-loop.ts';
import type { Lease } from './lease.ts';
import type { Outcome } from './outcome.ts';

const secrets = Array.from({ length: 6 }, (_, index) => `AIzaSyTEST-recheck-${index}`);
const ids = secrets.map(fingerprintKey);

/** Keys that died one by one, far enough apart not to look like a path fault. */
function deadPool(): KeyPool {
  let now = 0;
  const pool = new KeyPool({ keys: secrets, store: new MemoryKeyStateStore(), now: () => now });
  for (const id of ids) {
    pool.report(id, 'gemini-2.5-flash', { kind: 'invalid', reason: 'API_KEY_INVALID' });
    now += 60_000;
  }
  return pool;
}

test('re-enables keys that answer (ok or quota), with bounded concurrency', async () => {
  const pool = deadPool();
  const answers = new Map<string, Outcome>([
    [ids[0] ?? '', { kind: 'ok' }],
    [ids[1] ?? '', { kind: 'quota', retryAfterMs: 1000, perDay: false }],
    [ids[2] ?? '', { kind: 'transient' }],
  ]);
  let inFlight = 0;
  let peak = 0;
  const check = async (lease: Lease): Promise<Outcome> => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    await new Promise((resolve) => setImmediate(resolve));
    inFlight--;
    if (lease.id === ids[3]) throw new Error('network down');
    return answers.get(lease.id) ?? { kind: 'invalid', reason: 'API_KEY_INVALID' };
  };
  const errors: string[] = [];
  const loop = startKeyRechecks(pool, {
    intervalMs: 3_600_000,
    concurrency: 2,
    batchSize: 10,
    check,
    onError: (_error, lease) => errors.push(lease.id),
  });
  assert.equal(await loop.runOnce(), 2);
  await loop.stop();
  assert.equal(peak, 2);
  assert.deepEqual(errors, [ids[3]]);
  assert.deepEqual(
    pool.list().map((view) => view.enabled),
    [true, true, false, false, false, false],
  );
});

test('runs on its own timer and stop() aborts checks in flight', async () => {
  const pool = deadPool();
  let started = 0;
  let aborted = 0;
  const loop = pool.startRechecks({
    intervalMs: 5,
    concurrency: 3,
    check: (_lease, signal) =>
      new Promise<Outcome>((resolve) => {
        started++;
        signal.addEventListener('abort', () => {
          aborted++;
          resolve({ kind: 'ok' });
        });
      }),
  });
  while (started < 3) await new Promise((resolve) => setTimeout(resolve, 2));
  await loop.stop();
  assert.equal(started, 3);
  assert.equal(aborted, 3);
  // Answers arriving after stop() are ignored: nobody is re-enabled by a cancelled round.
  assert.equal(pool.stats().enabled, 0);
});

test('a round whose reinstating throws (a store write) is reported, never an unhandled rejection', async () => {
  const pool = deadPool();
  const failing = {
    nextRecheckBatch: (limit: number) => pool.nextRecheckBatch(limit),
    reinstate: (): boolean => {
      throw new Error('database is locked');
    },
  };
  const roundErrors: unknown[] = [];
  const loop = startKeyRechecks(failing, {
    intervalMs: 3_600_000,
    concurrency: 2,
    check: async () => ({ kind: 'ok' }),
    onRoundError: (error) => roundErrors.push(error),
  });
  assert.equal(await loop.runOnce(), 0);
  assert.equal(roundErrors.length, 1);
  await loop.stop();
});
