import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

export type DatabaseOptions = {
  /**
   * How long a writer waits for another process's lock before failing. node:sqlite is synchronous,
   * so this wait blocks the whole event loop: short, and the stores retry failed writes later.
   */
  busyTimeoutMs?: number;
};

export const defaultBusyTimeoutMs = 100;

/**
 * Opens (creating if needed) an SQLite database for the stores: WAL so readers never block the writer,
 * synchronous=NORMAL because losing the last instant of counters on power loss is acceptable.
 * `':memory:'` gives a private in-memory database.
 */
export function openDatabase(path: string, options: DatabaseOptions = {}): DatabaseSync {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const database = new DatabaseSync(path);
  database.exec(`PRAGMA busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? defaultBusyTimeoutMs)}`);
  database.exec('PRAGMA journal_mode = WAL');
  database.exec('PRAGMA synchronous = NORMAL');
  return database;
}

/** Runs `work` in one transaction: one fsync for many writes. */
export function inTransaction(database: DatabaseSync, work: () => void): void {
  database.exec('BEGIN IMMEDIATE');
  try {
    work();
    database.exec('COMMIT');
  } catch (error) {
    database.exec('ROLLBACK');
    throw error;
  }
}
