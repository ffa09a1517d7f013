import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { z } from 'zod';
import type { AffinityEntry, ListableAffinityStore } from './affinity-store.ts';

const schema = `
CREATE TABLE IF NOT EXISTS affinity (
  resource TEXT PRIMARY KEY,
  fingerprint TEXT NOT NULL,
  expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS affinity_expires_at ON affinity (expires_at);
`;

const ownerRowSchema = z.object({ fingerprint: z.string() });
const entryRowSchema = z.object({ resource: z.string(), fingerprint: z.string(), expires_at: z.number() });

/** Affinity in SQLite (see `openDatabase`); survives restarts, so uploaded files stay usable. */
export class SqliteAffinityStore implements ListableAffinityStore {
  #statements: Record<'remember' | 'lookup' | 'forget' | 'prune' | 'entries', StatementSync>;

  constructor(database: DatabaseSync) {
    database.exec(schema);
    this.#statements = {
      remember: database.prepare(`INSERT INTO affinity (resource, fingerprint, expires_at) VALUES (?, ?, ?)
        ON CONFLICT (resource) DO UPDATE SET fingerprint = excluded.fingerprint, expires_at = excluded.expires_at`),
      lookup: database.prepare('SELECT fingerprint FROM affinity WHERE resource = ? AND expires_at > ?'),
      forget: database.prepare('DELETE FROM affinity WHERE resource = ?'),
      prune: database.prepare('DELETE FROM affinity WHERE expires_at <= ?'),
      entries: database.prepare(
        'SELECT resource, fingerprint, expires_at FROM affinity WHERE expires_at > ?',
      ),
    };
  }

  async remember(resource: string, fingerprint: string, expiresAt: number): Promise<void> {
    this.#statements.remember.run(resource, fingerprint, expiresAt);
  }

  async lookup(resource: string, now: number): Promise<string | undefined> {
    const row = this.#statements.lookup.get(resource, now);
    return row === undefined ? undefined : ownerRowSchema.parse(row).fingerprint;
  }

  async forget(resource: string): Promise<void> {
    this.#statements.forget.run(resource);
  }

  async prune(now: number): Promise<number> {
    return Number(this.#statements.prune.run(now).changes);
  }

  async entries(now: number): Promise<AffinityEntry[]> {
    return this.#statements.entries.all(now).map((row) => {
      const entry = entryRowSchema.parse(row);
      return { resource: entry.resource, fingerprint: entry.fingerprint, expiresAt: entry.expires_at };
    });
  }
}
