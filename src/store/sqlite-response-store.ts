import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { z } from 'zod';
import type { ResponseStore, ResponseStoreLimits, StoredResponse } from './response-store.ts';

const schema = `
CREATE TABLE IF NOT EXISTS stored_responses (
  id TEXT PRIMARY KEY,
  scope TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  data TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS stored_responses_created_at ON stored_responses (created_at);
`;

const rowSchema = z.object({ id: z.string(), scope: z.string(), created_at: z.number(), data: z.string() });

/** Stored responses in SQLite (see `openDatabase`): they survive a restart, within the same limits. */
export class SqliteResponseStore implements ResponseStore {
  readonly #limits: ResponseStoreLimits;
  readonly #statements: Record<'save' | 'trim' | 'get' | 'delete' | 'prune', StatementSync>;

  constructor(database: DatabaseSync, limits: ResponseStoreLimits) {
    database.exec(schema);
    this.#limits = limits;
    this.#statements = {
      save: database.prepare(`INSERT INTO stored_responses (id, scope, created_at, data) VALUES (?, ?, ?, ?)
        ON CONFLICT (id) DO UPDATE SET scope = excluded.scope, created_at = excluded.created_at, data = excluded.data`),
      // Keeps the newest maxCount rows: the rest are the oldest.
      trim: database.prepare(`DELETE FROM stored_responses WHERE id IN (
        SELECT id FROM stored_responses ORDER BY created_at DESC LIMIT -1 OFFSET ?)`),
      get: database.prepare(
        'SELECT id, scope, created_at, data FROM stored_responses WHERE id = ? AND scope = ? AND created_at > ?',
      ),
      delete: database.prepare('DELETE FROM stored_responses WHERE id = ? AND scope = ?'),
      prune: database.prepare('DELETE FROM stored_responses WHERE created_at <= ?'),
    };
  }

  async save(entry: StoredResponse): Promise<void> {
    this.#statements.save.run(entry.id, entry.scope, entry.createdAt, JSON.stringify(entry.data));
    this.#statements.trim.run(this.#limits.maxCount);
  }

  async get(scope: string, id: string, now: number): Promise<StoredResponse | undefined> {
    const row = this.#statements.get.get(id, scope, now - this.#limits.maxAgeMs);
    if (row === undefined) return undefined;
    const parsed = rowSchema.parse(row);
    return {
      id: parsed.id,
      scope: parsed.scope,
      createdAt: parsed.created_at,
      data: JSON.parse(parsed.data),
    };
  }

  async delete(scope: string, id: string): Promise<boolean> {
    return Number(this.#statements.delete.run(id, scope).changes) > 0;
  }

  async prune(now: number): Promise<number> {
    return Number(this.#statements.prune.run(now - this.#limits.maxAgeMs).changes);
  }
}
