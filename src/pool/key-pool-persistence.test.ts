import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fingerprintKey } from '../secrets/fingerprint.ts';
import { openDatabase } from '../store/database.ts';
import { SqliteAffinityStore } from '../store/sqlite-affinity-store.ts';
import { SqliteKeyStateStore } from '../store/sqlite-key-state-store.ts';
import { KeyPool } from './key-pool.ts';

const secrets = Array.from({ length: 4 }, (_, index) => `AIzaSyTEST-persist-SECRET-${index}-xyz`);
const ids = secrets.map(fingerprintKey);
const flash = 'gemini-2.5-flash';

function openPool(path: string, now: () => number) {
  const database = openDatabase(path);
  const store = new SqliteKeyStateStore(database);
  const pool = new KeyPool({ keys: secrets, store, now, transientBackoff: { baseMs: 1000, maxMs: 8000 } });
  pool.learnModels([flash]);
  const close = (): void => {
    store.close();
    database.close();
  };
  return { pool, database, close };
}

test('a restart on the same SQLite file keeps disabled keys and unexpired cooldowns', (context) => {
  const directory = mkdtempSync(join(tmpdir(), 'key-pool-'));
  context.after(() => rmSync(directory, { recursive: true, force: true }));
  const path = join(directory, 'nested', 'state.db');
  let now = Date.parse('2026-01-15T12:00:00Z');

  const first = openPool(path, () => now);
  first.pool.report(ids[0] ?? '', flash, { kind: 'invalid', reason: 'API_KEY_INVALID' });
  first.pool.report(ids[1] ?? '', flash, { kind: 'quota', retryAfterMs: 60_000, perDay: false });
  first.pool.report(ids[2] ?? '', flash, { kind: 'quota', retryAfterMs: 5_000, perDay: false });
  first.pool.report(ids[3] ?? '', flash, { kind: 'ok' });
  first.close();

  now += 10_000;
  const second = openPool(path, () => now);
  const view = (index: number) => second.pool.get(ids[index] ?? '');
  assert.equal(view(0)?.enabled, false);
  assert.equal(view(0)?.disabledReason, 'API_KEY_INVALID');
  assert.deepEqual(view(1)?.cooling, [{ model: flash, until: now + 50_000 }]);
  assert.deepEqual(view(2)?.cooling, []);
  assert.equal(view(3)?.counters.successes, 1);
  const picked = new Set(
    Array.from({ length: 10 }, () => second.pool.acquire(flash)).map((result) =>
      result.kind === 'lease' ? result.id : result.kind,
    ),
  );
  assert.deepEqual(picked, new Set([ids[2], ids[3]]));
  // Re-checks resume after a restart.
  assert.deepEqual(
    second.pool.nextRecheckBatch(5).map((lease) => lease.id),
    [ids[0]],
  );
  second.close();
});

test('learnt request limits survive a restart, under the model Gemini named', (context) => {
  const directory = mkdtempSync(join(tmpdir(), 'key-pool-'));
  context.after(() => rmSync(directory, { recursive: true, force: true }));
  const path = join(directory, 'state.db');
  let now = Date.parse('2026-01-15T12:00:00Z');
  const first = openPool(path, () => now);
  first.pool.report(ids[0] ?? '', 'gemini-flash-latest', {
    kind: 'quota',
    retryAfterMs: 1000,
    perDay: false,
    model: flash,
    requestLimit: { limit: 2, windowMs: 60_000 },
  });
  first.close();

  now += 2000;
  const second = openPool(path, () => now);
  const usable = () =>
    new Set(
      Array.from({ length: 8 }, () => second.pool.acquire(flash)).map((result) =>
        result.kind === 'lease' ? result.id : result.kind,
      ),
    );
  assert.ok(usable().has(ids[0] ?? ''));
  second.pool.recordAttempt(ids[0] ?? '', flash);
  assert.ok(usable().has(ids[0] ?? ''), 'one call of two');
  second.pool.recordAttempt(ids[0] ?? '', flash);
  assert.ok(!usable().has(ids[0] ?? ''), 'the limit learnt before the restart holds: full for a minute');
  now += 61_000;
  assert.ok(usable().has(ids[0] ?? ''));
  second.close();
});

test('no secret ever reaches the SQLite files, only fingerprints', async (context) => {
  const directory = mkdtempSync(join(tmpdir(), 'key-pool-'));
  context.after(() => rmSync(directory, { recursive: true, force: true }));
  const path = join(directory, 'state.db');
  let now = Date.parse('2026-01-15T12:00:00Z');
  const { pool, database, close } = openPool(path, () => now);
  const affinity = new SqliteAffinityStore(database);
  for (const [index, id] of ids.entries()) {
    pool.report(id, flash, { kind: 'ok' });
    pool.report(
      id,
      flash,
      index % 2 === 0 ? { kind: 'transient' } : { kind: 'quota', retryAfterMs: 9, perDay: true },
    );
    await affinity.remember(`files/file-${index}`, id, now + 3_600_000);
  }
  pool.disable(ids[0] ?? '', 'by hand');
  now += 5000;
  pool.add('AIzaSyTEST-persist-SECRET-added-later');
  // Read while open (the WAL holds the latest pages) and after close (checkpointed).
  const readAll = (): string =>
    [path, `${path}-wal`, `${path}-shm`]
      .filter((file) => existsSync(file))
      .map((file) => readFileSync(file).toString('latin1'))
      .join('\n');
  const whileOpen = readAll();
  close();
  const afterClose = readAll();
  for (const bytes of [whileOpen, afterClose]) {
    assert.ok(bytes.includes(ids[1] ?? ''), 'fingerprints are stored');
    assert.ok(!bytes.includes('SECRET'), 'a secret leaked into the database files');
    for (const secret of secrets) assert.ok(!bytes.includes(secret));
  }
});
