import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { z } from 'zod';
import { inTransaction } from './database.ts';
import {
  emptyCounters,
  healthyState,
  type KeyCounterName,
  type KeyCounters,
  type KeyHealth,
  type KeyStateStore,
  type LearntLimit,
  type StoredKeyState,
} from './key-state-store.ts';
import { addCounters, KeyStateWriteQueue } from './key-state-write-queue.ts';

export type SqliteKeyStateStoreOptions = {
  /** Counters are summed in memory and written at most this often (one transaction). */
  flushIntervalMs?: number;
  /** A write failed (database locked by another process, disk full, I/O error): it is kept and retried. */
  onWriteError?: (error: unknown) => void;
  /** Longest wait between retries of failed writes (they back off from `flushIntervalMs`). */
  maxRetryIntervalMs?: number;
};

const schema = `
CREATE TABLE IF NOT EXISTS key_state (
  fingerprint TEXT PRIMARY KEY,
  disabled_reason TEXT,
  disabled_since INTEGER,
  disabled_by TEXT,
  failure_streak INTEGER NOT NULL DEFAULT 0,
  backoff_until INTEGER NOT NULL DEFAULT 0,
  successes INTEGER NOT NULL DEFAULT 0,
  invalid INTEGER NOT NULL DEFAULT 0,
  quota INTEGER NOT NULL DEFAULT 0,
  transient INTEGER NOT NULL DEFAULT 0,
  client_errors INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE TABLE IF NOT EXISTS key_cooldown (
  fingerprint TEXT NOT NULL,
  model TEXT NOT NULL,
  until INTEGER NOT NULL,
  PRIMARY KEY (fingerprint, model)
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS key_limit (
  fingerprint TEXT NOT NULL,
  model TEXT NOT NULL,
  request_limit INTEGER NOT NULL,
  window_ms INTEGER NOT NULL,
  PRIMARY KEY (fingerprint, model)
) STRICT, WITHOUT ROWID;
`;

const stateRowSchema = z.object({
  fingerprint: z.string(),
  disabled_reason: z.string().nullable(),
  disabled_since: z.number().nullable(),
  disabled_by: z.enum(['admin', 'upstream']).nullable().catch('upstream'),
  failure_streak: z.number(),
  backoff_until: z.number(),
  successes: z.number(),
  invalid: z.number(),
  quota: z.number(),
  transient: z.number(),
  client_errors: z.number(),
});

const cooldownRowSchema = z.object({ fingerprint: z.string(), model: z.string(), until: z.number() });
const limitRowSchema = z.object({
  fingerprint: z.string(),
  model: z.string(),
  request_limit: z.number(),
  window_ms: z.number(),
});

/** Times outside this range are not times: a bad value must never reach (or break) the table. */
const latestTime = Date.UTC(9999, 0, 1);
const storedTime = (value: number): number =>
  Number.isFinite(value) ? Math.min(latestTime, Math.max(0, Math.ceil(value))) : latestTime;

function toState(row: z.infer<typeof stateRowSchema>): StoredKeyState {
  const disabled =
    row.disabled_reason === null
      ? undefined
      : { reason: row.disabled_reason, since: row.disabled_since ?? 0, by: row.disabled_by ?? 'upstream' };
  return {
    ...healthyState(row.fingerprint),
    disabled,
    failureStreak: row.failure_streak,
    backoffUntil: row.backoff_until,
    counters: {
      successes: row.successes,
      invalid: row.invalid,
      quota: row.quota,
      transient: row.transient,
      clientErrors: row.client_errors,
    },
  };
}

/**
 * Key state in SQLite (see `openDatabase`): health, cooldowns, limits at once, counters in batches.
 * No write throws to its caller: a failed one is logged, kept (`KeyStateWriteQueue`) and retried with
 * back-off; until then later writes queue instead of waiting on a locked or failing database.
 */
export class SqliteKeyStateStore implements KeyStateStore {
  #database: DatabaseSync;
  #statements: Record<
    | 'health'
    | 'cooldown'
    | 'limit'
    | 'counters'
    | 'forgetState'
    | 'forgetCooldowns'
    | 'forgetLimits'
    | 'forgetModelCooldowns'
    | 'forgetModelLimits',
    StatementSync
  >;
  #pending = new Map<string, KeyCounters>();
  #queue = new KeyStateWriteQueue();
  #timer: NodeJS.Timeout | undefined;
  #flushIntervalMs: number;
  #retryIntervalMs: number;
  #maxRetryIntervalMs: number;
  #onWriteError: (error: unknown) => void;
  /** The last write failed: later ones queue until a retry succeeds. */
  #failing = false;

  constructor(database: DatabaseSync, options: SqliteKeyStateStoreOptions = {}) {
    this.#database = database;
    this.#flushIntervalMs = options.flushIntervalMs ?? 1000;
    this.#retryIntervalMs = this.#flushIntervalMs;
    this.#maxRetryIntervalMs = options.maxRetryIntervalMs ?? 30_000;
    this.#onWriteError = options.onWriteError ?? (() => {});
    database.exec(schema);
    this.#statements = {
      health: database.prepare(`INSERT INTO key_state
          (fingerprint, disabled_reason, disabled_since, disabled_by, failure_streak, backoff_until)
        VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (fingerprint) DO UPDATE SET disabled_reason = excluded.disabled_reason,
          disabled_since = excluded.disabled_since, disabled_by = excluded.disabled_by,
          failure_streak = excluded.failure_streak, backoff_until = excluded.backoff_until`),
      cooldown: database.prepare(`INSERT INTO key_cooldown (fingerprint, model, until) VALUES (?, ?, ?)
        ON CONFLICT (fingerprint, model) DO UPDATE SET until = excluded.until`),
      counters: database.prepare(`INSERT INTO key_state
          (fingerprint, successes, invalid, quota, transient, client_errors) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (fingerprint) DO UPDATE SET successes = successes + excluded.successes,
          invalid = invalid + excluded.invalid, quota = quota + excluded.quota,
          transient = transient + excluded.transient, client_errors = client_errors + excluded.client_errors`),
      limit: database.prepare(`INSERT INTO key_limit (fingerprint, model, request_limit, window_ms)
        VALUES (?, ?, ?, ?) ON CONFLICT (fingerprint, model) DO UPDATE SET
          request_limit = excluded.request_limit, window_ms = excluded.window_ms`),
      forgetLimits: database.prepare('DELETE FROM key_limit WHERE fingerprint = ?'),
      forgetModelCooldowns: database.prepare('DELETE FROM key_cooldown WHERE model = ?'),
      forgetModelLimits: database.prepare('DELETE FROM key_limit WHERE model = ?'),
      forgetState: database.prepare('DELETE FROM key_state WHERE fingerprint = ?'),
      forgetCooldowns: database.prepare('DELETE FROM key_cooldown WHERE fingerprint = ?'),
    };
  }

  load(now: number): Map<string, StoredKeyState> {
    this.flush();
    this.#database.prepare('DELETE FROM key_cooldown WHERE until <= ?').run(now);
    const states = new Map<string, StoredKeyState>();
    for (const row of this.#database.prepare('SELECT * FROM key_state').all()) {
      const state = toState(stateRowSchema.parse(row));
      states.set(state.fingerprint, state);
    }
    for (const row of this.#database.prepare('SELECT fingerprint, model, until FROM key_cooldown').all()) {
      const cooldown = cooldownRowSchema.parse(row);
      this.#stateIn(states, cooldown.fingerprint).cooldowns.set(cooldown.model, cooldown.until);
    }
    for (const row of this.#database.prepare('SELECT * FROM key_limit').all()) {
      const limit = limitRowSchema.parse(row);
      this.#stateIn(states, limit.fingerprint).limits.set(limit.model, {
        limit: limit.request_limit,
        windowMs: limit.window_ms,
      });
    }
    return states;
  }

  saveHealth(fingerprint: string, health: KeyHealth): void {
    this.#queue.health.set(fingerprint, health);
    this.#writeNow();
  }

  saveCooldown(fingerprint: string, model: string, until: number): void {
    this.#queue.setCooldown({ fingerprint, model, until });
    this.#writeNow();
  }

  saveLimit(fingerprint: string, model: string, limit: LearntLimit): void {
    this.#queue.setLimit({ fingerprint, model, limit });
    this.#writeNow();
  }

  forgetModel(model: string): void {
    this.#queue.forgetModel(model);
    this.#writeNow();
  }

  /** Writes waiting for a retry, and counters for their batch. */
  get pendingWrites(): number {
    return this.#queue.size + this.#pending.size;
  }

  increment(fingerprint: string, counter: KeyCounterName): void {
    let counters = this.#pending.get(fingerprint);
    if (counters === undefined) {
      counters = emptyCounters();
      this.#pending.set(fingerprint, counters);
    }
    counters[counter]++;
    this.#schedule(this.#flushIntervalMs);
  }

  forget(fingerprint: string): void {
    this.#pending.delete(fingerprint);
    this.#queue.forgetKey(fingerprint);
    this.#writeNow();
  }

  /** Writes everything pending in one transaction; on failure keeps it for the next retry. */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.size === 0 && this.#queue.size === 0) return;
    const counters = this.#pending;
    const queue = this.#queue;
    this.#pending = new Map();
    this.#queue = new KeyStateWriteQueue();
    try {
      inTransaction(this.#database, () => this.#write(queue, counters));
      this.#failing = false;
      this.#retryIntervalMs = this.#flushIntervalMs;
    } catch (error) {
      // Put back what the failed flush took, under anything queued since.
      this.#queue = queue.mergedWith(this.#queue);
      addCounters(this.#pending, counters);
      this.#onWriteError(error);
      this.#failing = true;
      this.#schedule(this.#retryIntervalMs);
      this.#retryIntervalMs = Math.min(this.#maxRetryIntervalMs, this.#retryIntervalMs * 2);
    }
  }

  /** Writes go out at once, unless earlier ones wait for a retry: then they queue. */
  #writeNow(): void {
    if (!this.#failing) this.flush();
  }

  #write(queue: KeyStateWriteQueue, counters: Map<string, KeyCounters>): void {
    const run = this.#statements;
    for (const fingerprint of queue.forgottenKeys) {
      run.forgetState.run(fingerprint);
      run.forgetCooldowns.run(fingerprint);
      run.forgetLimits.run(fingerprint);
    }
    for (const model of queue.forgottenModels) {
      run.forgetModelCooldowns.run(model);
      run.forgetModelLimits.run(model);
    }
    for (const [fingerprint, health] of queue.health) {
      const disabled = health.disabled;
      const row = [disabled?.reason ?? null, disabled?.since ?? null, disabled?.by ?? null] as const;
      run.health.run(fingerprint, ...row, health.failureStreak, storedTime(health.backoffUntil));
    }
    // Times are whole milliseconds in the table; a scaled delay can be fractional.
    for (const { fingerprint, model, until } of queue.cooldowns.values())
      run.cooldown.run(fingerprint, model, storedTime(until));
    for (const { fingerprint, model, limit } of queue.limits.values())
      run.limit.run(fingerprint, model, Math.trunc(limit.limit), Math.trunc(limit.windowMs));
    for (const [fingerprint, { successes, invalid, quota, transient, clientErrors }] of counters)
      run.counters.run(fingerprint, successes, invalid, quota, transient, clientErrors);
  }

  #schedule(delayMs: number): void {
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(() => this.flush(), delayMs);
    this.#timer.unref();
  }

  #stateIn(states: Map<string, StoredKeyState>, fingerprint: string): StoredKeyState {
    let state = states.get(fingerprint);
    if (state === undefined) {
      state = healthyState(fingerprint);
      states.set(fingerprint, state);
    }
    return state;
  }

  close(): void {
    if (this.#database.isOpen) this.flush();
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
