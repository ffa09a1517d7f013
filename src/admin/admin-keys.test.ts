import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeyPool } from '../pool/key-pool.ts';
import type { Outcome } from '../pool/outcome.ts';
import { fingerprintKey } from '../secrets/fingerprint.ts';
import { openDatabase } from '../store/database.ts';
import { MemoryKeyStateStore } from '../store/memory-key-state-store.ts';
import { RuntimeKeyStore } from '../store/runtime-key-store.ts';
import { AdminKeys } from './admin-keys.ts';

const configured = 'gbTESTkey-configured00000000000000000001';
const good = 'gbTESTkey-addedGOOD000000000000000000001';
const dead = 'gbTESTkey-addedDEAD000000000000000000001';

function setup(database = openDatabase(':memory:')) {
  const pool = new KeyPool({ keys: [configured], store: new MemoryKeyStateStore() });
  const checked: string[] = [];
  const keys = new AdminKeys({
    pool,
    runtime: new RuntimeKeyStore(database, 'operator secret, long enough'),
    configured: [configured],
    check: async (lease): Promise<Outcome> => {
      checked.push(lease.id);
      return lease.secret === dead ? { kind: 'invalid', reason: 'API_KEY_INVALID' } : { kind: 'ok' };
    },
    concurrency: 2,
  });
  return { pool, keys, checked, database };
}

test('keys pasted as free text are added once, verified each, sealed at rest and back after a restart', async () => {
  const { pool, keys, checked, database } = setup();
  const results = await keys.add(`${good}\n${dead}, ${good} and the configured one ${configured}`);
  assert.deepEqual(results, [
    { fingerprint: fingerprintKey(good), added: true, outcome: 'ok' },
    { fingerprint: fingerprintKey(dead), added: true, outcome: 'invalid' },
    { fingerprint: fingerprintKey(configured), added: false, outcome: undefined },
  ]);
  assert.deepEqual(checked.toSorted(), [fingerprintKey(good), fingerprintKey(dead)].toSorted());
  assert.equal(pool.get(fingerprintKey(dead))?.disabledReason, 'API_KEY_INVALID');
  assert.equal(keys.source(fingerprintKey(good)), 'runtime');
  assert.equal(keys.source(fingerprintKey(configured)), 'config');
  assert.deepEqual(keys.export('active').toSorted(), [configured, good].toSorted());
  assert.deepEqual(keys.export('disabled'), [dead]);

  const restarted = setup(database);
  assert.deepEqual(restarted.keys.restore(), []);
  assert.equal(restarted.pool.stats().total, 3);

  assert.equal(restarted.keys.remove(fingerprintKey(good)), true);
  assert.equal(setup(database).keys.restore().length, 0);
  assert.equal(new RuntimeKeyStore(database, 'operator secret, long enough').load().secrets.length, 1);
});

test('verify-all runs in the background with progress and revives a key Gemini had disabled', async () => {
  const { pool, keys } = setup();
  pool.report(fingerprintKey(configured), '*', { kind: 'invalid', reason: 'API_KEY_INVALID' });
  assert.equal(pool.get(fingerprintKey(configured))?.enabled, false);
  const task = keys.startVerify(undefined);
  assert.equal(task.total, 1);
  await keys.tasks.finished(task.id);
  assert.deepEqual(keys.tasks.get(task.id), { ...task, done: 1, finished: true });
  assert.deepEqual(task.outcomes, { ok: 1 });
  assert.equal(pool.get(fingerprintKey(configured))?.enabled, true);
});
