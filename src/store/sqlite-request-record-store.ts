import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { inTransaction } from './database.ts';
import { type RequestRecord, recordOutcome } from './request-record.ts';

const hourMs = 3_600_000;
const dayMs = 24 * hourMs;

const schema = `
CREATE TABLE IF NOT EXISTS request_record (
  id INTEGER PRIMARY KEY,
  time INTEGER NOT NULL,
  surface TEXT NOT NULL,
  route TEXT NOT NULL,
  method TEXT NOT NULL,
  model TEXT,
  requested_model TEXT,
  client TEXT,
  key_fingerprint TEXT,
  attempts TEXT NOT NULL,
  outcome TEXT NOT NULL,
  status INTEGER NOT NULL,
  error_class TEXT,
  error_message TEXT,
  latency_ms REAL NOT NULL,
  first_byte_ms REAL,
  stream INTEGER NOT NULL,
  prompt_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  thought_tokens INTEGER NOT NULL,
  cached_tokens INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS request_record_time ON request_record (time);
CREATE INDEX IF NOT EXISTS request_record_key ON request_record (key_fingerprint);
CREATE INDEX IF NOT EXISTS request_record_model ON request_record (model);
CREATE INDEX IF NOT EXISTS request_record_client ON request_record (client);
CREATE INDEX IF NOT EXISTS request_record_status ON request_record (status);
CREATE INDEX IF NOT EXISTS request_record_outcome ON request_record (outcome);
CREATE TABLE IF NOT EXISTS usage_hourly (
  dimension TEXT NOT NULL,
  hour INTEGER NOT NULL,
  name TEXT NOT NULL,
  requests INTEGER NOT NULL,
  errors INTEGER NOT NULL,
  prompt_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  thought_tokens INTEGER NOT NULL,
  cached_tokens INTEGER NOT NULL,
  PRIMARY KEY (dimension, hour, name)
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS key_last_error (
  fingerprint TEXT PRIMARY KEY,
  time INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  status INTEGER
) STRICT;
`;

export type RetentionOptions = { days: number; rows: number };

type Rollup = {
  dimension: string;
  hour: number;
  name: string;
  requests: number;
  errors: number;
  prompt: number;
  output: number;
  thoughts: number;
  cached: number;
};

/**
 * Request records in SQLite. The log is read newest first (`ORDER BY id DESC LIMIT n`): an index on
 * one column is (column, rowid) inside, so "this key's latest 100" walks the index backwards and
 * stops after 100 rows, and each append updates small indexes.
 *
 * Records are appended in batches (one transaction each), with an hourly rollup by
 * model, key and client kept in the same transaction, so usage charts and per-key counts read a
 * few hundred rows whatever the traffic. Pruned by age and by row count.
 */
export class SqliteRequestRecordStore {
  readonly database: DatabaseSync;
  readonly #insert: StatementSync;
  readonly #rollup: StatementSync;
  readonly #lastError: StatementSync;

  constructor(database: DatabaseSync) {
    this.database = database;
    database.exec(schema);
    this.#insert = database.prepare(`INSERT INTO request_record (time, surface, route, method, model,
      requested_model, client, key_fingerprint, attempts, outcome, status, error_class, error_message,
      latency_ms, first_byte_ms, stream, prompt_tokens, output_tokens, thought_tokens, cached_tokens)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.#rollup = database.prepare(`INSERT INTO usage_hourly (dimension, hour, name, requests, errors,
      prompt_tokens, output_tokens, thought_tokens, cached_tokens) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (dimension, hour, name) DO UPDATE SET requests = requests + excluded.requests,
      errors = errors + excluded.errors, prompt_tokens = prompt_tokens + excluded.prompt_tokens,
      output_tokens = output_tokens + excluded.output_tokens,
      thought_tokens = thought_tokens + excluded.thought_tokens,
      cached_tokens = cached_tokens + excluded.cached_tokens`);
    this.#lastError = database.prepare(`INSERT INTO key_last_error (fingerprint, time, outcome, status)
      VALUES (?, ?, ?, ?) ON CONFLICT (fingerprint) DO UPDATE SET time = excluded.time,
      outcome = excluded.outcome, status = excluded.status WHERE excluded.time >= time`);
  }

  /** Writes a batch in one transaction. */
  append(records: readonly RequestRecord[]): void {
    if (records.length === 0) return;
    const rollups = new BatchRollups();
    inTransaction(this.database, () => {
      for (const record of records) {
        this.#insert.run(
          record.time,
          record.surface,
          record.route,
          record.method,
          record.model ?? null,
          record.requestedModel ?? null,
          record.client ?? null,
          record.keyFingerprint ?? null,
          JSON.stringify(record.attempts),
          recordOutcome(record),
          record.status,
          record.errorClass ?? null,
          record.errorMessage ?? null,
          record.latencyMs,
          record.firstByteMs ?? null,
          record.stream ? 1 : 0,
          record.promptTokens,
          record.outputTokens,
          record.thoughtTokens,
          record.cachedTokens,
        );
        addRollups(rollups, record);
        for (const attempt of record.attempts) {
          if (attempt.outcome !== 'ok')
            this.#lastError.run(attempt.key, record.time, attempt.outcome, attempt.status ?? null);
        }
      }
      for (const rollup of rollups.all) {
        this.#rollup.run(
          rollup.dimension,
          rollup.hour,
          rollup.name,
          rollup.requests,
          rollup.errors,
          rollup.prompt,
          rollup.output,
          rollup.thoughts,
          rollup.cached,
        );
      }
    });
  }

  /** Drops records older than `days` and beyond the newest `rows`; rollups are kept 31 days at least. */
  prune(now: number, retention: RetentionOptions): number {
    let removed = Number(
      this.database.prepare('DELETE FROM request_record WHERE time < ?').run(now - retention.days * dayMs)
        .changes,
    );
    const newest = this.database.prepare('SELECT max(id) AS id FROM request_record').get() as
      | { id: number | null }
      | undefined;
    if (newest?.id !== null && newest?.id !== undefined) {
      removed += Number(
        this.database.prepare('DELETE FROM request_record WHERE id <= ?').run(newest.id - retention.rows)
          .changes,
      );
    }
    const rollupDays = Math.max(retention.days, 31);
    this.database.prepare('DELETE FROM usage_hourly WHERE hour < ?').run(now - rollupDays * dayMs);
    return removed;
  }

  count(): number {
    const row = this.database.prepare('SELECT count(*) AS count FROM request_record').get() as {
      count: number;
    };
    return row.count;
  }
}

/**
 * Per request for the whole service, each model and each client. Per key, per attempt: a key that
 * answered 429 before another key served the request spent a call and made an error; the tokens
 * belong to the key that answered.
 */
function addRollups(rollups: BatchRollups, record: RequestRecord): void {
  const hour = Math.floor(record.time / hourMs) * hourMs;
  const failed = record.status >= 400 ? 1 : 0;
  add(rollups.get('all', hour, ''), record, 1, failed);
  if (record.model !== undefined) add(rollups.get('model', hour, record.model), record, 1, failed);
  if (record.client !== undefined) add(rollups.get('client', hour, record.client), record, 1, failed);
  for (const attempt of record.attempts) {
    const counted = rollups.get('key', hour, attempt.key);
    counted.requests++;
    if (attempt.outcome !== 'ok') counted.errors++;
  }
  if (record.keyFingerprint !== undefined) add(rollups.get('key', hour, record.keyFingerprint), record, 0, 0);
}

/** One batch's rollups, found by hour, dimension and name (no key string built per record). */
class BatchRollups {
  /** In the order they were made, to be written. */
  readonly all: Rollup[] = [];
  readonly #byHour = new Map<number, Map<string, Map<string, Rollup>>>();

  get(dimension: string, hour: number, name: string): Rollup {
    let dimensions = this.#byHour.get(hour);
    if (dimensions === undefined) {
      dimensions = new Map();
      this.#byHour.set(hour, dimensions);
    }
    let names = dimensions.get(dimension);
    if (names === undefined) {
      names = new Map();
      dimensions.set(dimension, names);
    }
    let found = names.get(name);
    if (found === undefined) {
      found = { dimension, hour, name, requests: 0, errors: 0, prompt: 0, output: 0, thoughts: 0, cached: 0 };
      names.set(name, found);
      this.all.push(found);
    }
    return found;
  }
}

function add(target: Rollup, record: RequestRecord, requests: number, errors: number): void {
  target.requests += requests;
  target.errors += errors;
  target.prompt += record.promptTokens;
  target.output += record.outputTokens;
  target.thoughts += record.thoughtTokens;
  target.cached += record.cachedTokens;
}
