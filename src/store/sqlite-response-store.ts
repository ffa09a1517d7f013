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

const countSchema = z.object({ rows: z.number() });

/** Rows allowed over the limit before a trim: 1 % (at least 1), so the oldest go in batches. */
function slack(maxCount: number): number {
  return Math.max(1, Math.floor(maxCount / 100));
}

const rowSchema = z.object({ id: z.string(), scope: z.string(), created_at: z.number(), data: z.string() });

/** Stored responses in SQLite (see `openDatabase`): they survive a restart, within the same limits. */
export class SqliteResponseStore implements ResponseStore {
  readonly #limits: ResponseStoreLimits;
  readonly #statements: Record<'save' | 'trim' | 'count' | 'get' | 'delete' | 'prune', StatementSync>;
  /** Rows at the last count, plus saves since: trimming waits for a little slack, so a save stays O(log n). */
  #rows: number;

  constructor(database: DatabaseSync, limits: ResponseStoreLimits) {
    database.exec(schema);
    this.#limits = limits;
    this.#rows = 0;
    this.#statements = {
      save: database.prepare(`INSERT INTO stored_responses (id, scope, created_at, data) VALUES (?, ?, ?, ?)
        ON CONFLICT (id) DO UPDATE SET scope = excluded.scope, created_at = excluded.created_at, data = excluded.data`),
      // The oldest rows, as many as asked.
      trim: database.prepare(`DELETE FROM stored_responses WHERE id IN (
        SELECT id FROM stored_responses ORDER BY created_at ASC LIMIT ?)`),
      count: database.prepare('SELECT count(*) AS rows FROM stored_responses'),
      get: database.prepare(
        'SELECT id, scope, created_at, data FROM stored_responses WHERE id = ? AND scope = ? AND created_at > ?',
      ),
      delete: database.prepare('DELETE FROM stored_responses WHERE id = ? AND scope = ?'),
      prune: database.prepare('DELETE FROM stored_responses WHERE created_at <= ?'),
    };
    this.#rows = this.#count();
  }

  async save(entry: StoredResponse): Promise<void> {
    this.#statements.save.run(entry.id, entry.scope, entry.createdAt, JSON.stringify(entry.data));
    this.#rows++;
    if (this.#rows <= this.#limits.maxCount + slack(this.#limits.maxCount)) return;
    // Counted again, as another process may share the file; then back to maxCount exactly.
    this.#rows = this.#count();
    const excess = this.#rows - this.#limits.maxCount;
    if (excess > 0) this.#statements.trim.run(excess);
    this.#rows -= Math.max(excess, 0);
  }

  #count(): number {
    return countSchema.parse(this.#statements.count.get()).rows;
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
    const deleted = Number(this.#statements.delete.run(id, scope).changes) > 0;
    if (deleted) this.#rows = Math.max(0, this.#rows - 1);
    return deleted;
  }

  async prune(now: number): Promise<number> {
    const removed = Number(this.#statements.prune.run(now - this.#limits.maxAgeMs).changes);
    this.#rows = Math.max(0, this.#rows - removed);
    return removed;
  }
}
