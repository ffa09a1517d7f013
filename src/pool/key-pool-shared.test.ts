import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fingerprintKey } from '../secrets/fingerprint.ts';
import { MemoryKeyStateStore } from '../store/memory-key-state-store.ts';
import { KeyPool } from './key-pool.ts';

const secrets = ['gbTESTkey-shared-SECRET-0', 'gbTESTkey-shared-SECRET-1'];
const [first = '', second = ''] = secrets.map(fingerprintKey);
const model = 'gemini-2.5-pro';

test('a change learnt elsewhere is applied as if learnt here', () => {
  const now = 1_000_000;
  const store = new MemoryKeyStateStore();
  const pool = new KeyPool({ keys: secrets, store, now: () => now });
  pool.applyShared({ kind: 'cooldown', fingerprint: first, model, until: now + 30_000 });
  for (let index = 0; index < 4; index++) {
    const lease = pool.acquire(model);
    assert.equal(lease.kind === 'lease' ? lease.id : lease.kind, second, 'the cooling key is skipped');
  }
  // A shorter cooldown heard later does not cut the live one short.
  pool.applyShared({ kind: 'cooldown', fingerprint: first, model, until: now + 1000 });
  assert.equal(pool.get(first)?.cooling[0]?.until, now + 30_000);

  const disabled = { reason: 'API_KEY_INVALID', since: now, by: 'upstream' as const };
  pool.applyShared({
    kind: 'health',
    fingerprint: second,
    at: now,
    health: { disabled, failureStreak: 0, backoffUntil: 0 },
  });
  assert.deepEqual(pool.stats(), { total: 2, enabled: 1, disabled: 1 });
  assert.equal(pool.acquire(model).kind, 'cooling');
  assert.deepEqual(
    pool.nextRecheckBatch(5).map((lease) => lease.id),
    [second],
    'a key Gemini disabled elsewhere is re-checked here too',
  );
  pool.applyShared({
    kind: 'health',
    fingerprint: second,
    at: now + 1,
    health: { disabled: undefined, failureStreak: 0, backoffUntil: 0 },
  });
  assert.deepEqual(pool.stats(), { total: 2, enabled: 2, disabled: 0 });
  assert.equal(pool.nextRecheckBatch(5).length, 0);

  pool.applyShared({
    kind: 'counters',
    fingerprint: first,
    counters: { successes: 2, invalid: 0, quota: 1, transient: 0, clientErrors: 0 },
  });
  assert.equal(pool.get(first)?.counters.successes, 2);
  // Kept in the local store too (it survives a restart), and unknown keys are ignored.
  assert.equal(store.load(now).get(first)?.cooldowns.get(model), now + 30_000);
  // A learnt limit heard from another instance is counted here too (and listed).
  pool.applyShared({ kind: 'limit', fingerprint: second, model, limit: { limit: 2, windowMs: 60_000 } });
  assert.deepEqual(pool.learntLimits().get(second), [{ model, limit: 2, windowMs: 60_000 }]);
  pool.applyShared({ kind: 'cooldown', fingerprint: 'key_unknown', model, until: now + 1 });
  assert.equal(pool.get('key_unknown'), undefined);
});
