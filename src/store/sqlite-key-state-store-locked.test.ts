import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, it } from 'node:test';
import { openDatabase } from './database.ts';
import { SqliteKeyStateStore } from './sqlite-key-state-store.ts';

/** The database file, and another connection holding its write lock (as another process would). */
function lockedDatabase() {
  const path = join(mkdtempSync(join(tmpdir(), 'gemini-balance-lock-')), 'state.db');
  const database = openDatabase(path);
  const other = new DatabaseSync(path);
  return {
    database,
    lock: () => other.exec('BEGIN IMMEDIATE'),
    unlock: () => other.exec('COMMIT'),
    close: () => {
      other.close();
      database.close();
    },
  };
}

describe('SqliteKeyStateStore with the database write-locked by another connection', () => {
  it('waits for a lock only briefly', () => {
    const { database, close } = lockedDatabase();
    const row = database.prepare('PRAGMA busy_timeout').get() as { timeout: number };
    assert.ok(row.timeout > 0 && row.timeout <= 250, `busy_timeout ${row.timeout} ms`);
    close();
  });

  it('never throws to the caller, reports the failure, queues later writes and retries them', () => {
    const files = lockedDatabase();
    const failures: unknown[] = [];
    const store = new SqliteKeyStateStore(files.database, {
      flushIntervalMs: 60_000,
      onWriteError: (error) => failures.push(error),
    });
    files.lock();
    store.saveCooldown('key_a', 'gemini-2.5-flash', 9_000);
    assert.equal(failures.length, 1);
    // Queued behind the failed one: no second wait on the lock.
    store.saveHealth('key_a', { disabled: undefined, failureStreak: 3, backoffUntil: 8_000 });
    store.saveCooldown('key_a', 'gemini-2.5-flash', 10_000);
    store.increment('key_a', 'quota');
    store.saveLimit('key_a', 'gemini-2.5-flash', { limit: 10, windowMs: 60_000 });
    store.saveLimit('key_a', 'gemini-old', { limit: 5, windowMs: 60_000 });
    store.forgetModel('gemini-old');
    assert.equal(failures.length, 1);
    store.flush();
    assert.equal(failures.length, 2);
    assert.equal(store.pendingWrites, 5);
    files.unlock();
    store.flush();
    assert.equal(store.pendingWrites, 0);
    const state = store.load(1_000).get('key_a');
    assert.deepEqual([...(state?.cooldowns ?? [])], [['gemini-2.5-flash', 10_000]]);
    assert.equal(state?.failureStreak, 3);
    assert.equal(state?.counters.quota, 1);
    assert.deepEqual([...(state?.limits ?? [])], [['gemini-2.5-flash', { limit: 10, windowMs: 60_000 }]]);
    store.close();
    files.close();
  });

  it('a forget queued behind a failed write wins over the older values', () => {
    const files = lockedDatabase();
    const store = new SqliteKeyStateStore(files.database, { flushIntervalMs: 60_000 });
    files.lock();
    store.saveCooldown('key_b', 'gemini-2.5-flash', 10_000);
    store.forget('key_b');
    files.unlock();
    store.flush();
    assert.equal(store.load(1_000).has('key_b'), false);
    store.close();
    files.close();
  });
});
