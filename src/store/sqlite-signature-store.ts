import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { z } from 'zod';
import { inTransaction } from './database.ts';
import { defaultSignatureLimits, type SignatureStore, type SignatureStoreLimits } from './signature-store.ts';

const schema = `
CREATE TABLE IF NOT EXISTS thought_signatures (
  owner TEXT NOT NULL,
  call_id TEXT NOT NULL,
  signature TEXT NOT NULL,
  stored_at INTEGER NOT NULL,
  PRIMARY KEY (owner, call_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS thought_signatures_stored_at ON thought_signatures (stored_at);
`;

const rowSchema = z.object({ signature: z.string() });
const countSchema = z.object({ count: z.number() });

/** Remembering this many entries triggers one sweep by age. */
const sweepEvery = 256;

/** Signatures in SQLite (see `openDatabase`): a restart does not break a client's tool loop. */
export class SqliteSignatureStore implements SignatureStore {
  readonly #database: DatabaseSync;
  readonly #limits: SignatureStoreLimits;
  readonly #statements: Record<'remember' | 'recall' | 'expire' | 'count' | 'trim', StatementSync>;
  #sinceSweep = 0;
  /** Rows at the last sweep plus rows remembered since (an upsert counts too: it only sweeps early). */
  #estimatedCount: number;

  constructor(database: DatabaseSync, limits: Partial<SignatureStoreLimits> = {}) {
    this.#database = database;
    this.#limits = { ...defaultSignatureLimits, ...limits };
    database.exec(schema);
    this.#statements = {
      remember:
        database.prepare(`INSERT INTO thought_signatures (owner, call_id, signature, stored_at) VALUES (?, ?, ?, ?)
        ON CONFLICT (owner, call_id) DO UPDATE SET signature = excluded.signature, stored_at = excluded.stored_at`),
      recall: database.prepare(
        'SELECT signature FROM thought_signatures WHERE owner = ? AND call_id = ? AND stored_at > ?',
      ),
      expire: database.prepare('DELETE FROM thought_signatures WHERE stored_at <= ?'),
      count: database.prepare('SELECT count(*) AS count FROM thought_signatures'),
      trim: database.prepare(`DELETE FROM thought_signatures WHERE (owner, call_id) IN
        (SELECT owner, call_id FROM thought_signatures ORDER BY stored_at LIMIT ?)`),
    };
    this.#estimatedCount = countSchema.parse(this.#statements.count.get()).count;
  }

  async remember(
    owner: string,
    entries: ReadonlyArray<{ id: string; signature: string }>,
    now: number,
  ): Promise<void> {
    if (entries.length === 0) return;
    inTransaction(this.#database, () => {
      for (const entry of entries) this.#statements.remember.run(owner, entry.id, entry.signature, now);
    });
    this.#sinceSweep += entries.length;
    this.#estimatedCount += entries.length;
    if (this.#sinceSweep >= sweepEvery || this.#estimatedCount > this.#limits.maxEntries) this.sweep(now);
  }

  async recall(owner: string, ids: readonly string[], now: number): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    for (const id of ids) {
      const row = this.#statements.recall.get(owner, id, now - this.#limits.maxAgeMs);
      if (row !== undefined) found.set(id, rowSchema.parse(row).signature);
    }
    return found;
  }

  /** Deletes expired entries, then the oldest beyond the count limit. */
  sweep(now: number): void {
    this.#sinceSweep = 0;
    this.#statements.expire.run(now - this.#limits.maxAgeMs);
    const { count } = countSchema.parse(this.#statements.count.get());
    if (count > this.#limits.maxEntries) this.#statements.trim.run(count - this.#limits.maxEntries);
    this.#estimatedCount = Math.min(count, this.#limits.maxEntries);
  }
}
