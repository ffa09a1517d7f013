/**
 * Persistent health of the keys, by fingerprint only: a secret never reaches a store.
 *
 * Synchronous on purpose: the pool keeps the live state in memory and writes behind
 * (fire and forget), so the hot path never awaits I/O. An implementation on a network
 * store (Redis) preloads before the pool is built and buffers its writes.
 */
export type DisabledBy = 'admin' | 'upstream';

export type DisabledState = {
  /** A code such as `API_KEY_INVALID` or the admin's note; never an upstream message (it can quote the key). */
  reason: string;
  /** Epoch ms. */
  since: number;
  /** Only keys Gemini disabled are re-checked; an admin's decision stands. */
  by: DisabledBy;
};

export type KeyHealth = {
  disabled: DisabledState | undefined;
  failureStreak: number;
  /** Epoch ms until which transient failures keep the key out; 0 when none. */
  backoffUntil: number;
};

export type KeyCounters = {
  successes: number;
  invalid: number;
  quota: number;
  transient: number;
  clientErrors: number;
};

export type KeyCounterName = keyof KeyCounters;

/** A per-minute request quota Gemini stated for a (key, model) in a 429. */
export type LearntLimit = { limit: number; windowMs: number };

export type StoredKeyState = KeyHealth & {
  fingerprint: string;
  /** model → epoch ms until which the key is out of quota for that model. */
  cooldowns: Map<string, number>;
  /** model → the request limit Gemini stated for this key (the model Gemini named). */
  limits: Map<string, LearntLimit>;
  counters: KeyCounters;
};

export interface KeyStateStore {
  /** Every stored key, cooldowns that end after `now` only. */
  load(now: number): Map<string, StoredKeyState>;
  saveHealth(fingerprint: string, health: KeyHealth): void;
  saveCooldown(fingerprint: string, model: string, until: number): void;
  saveLimit(fingerprint: string, model: string, limit: LearntLimit): void;
  /** Drops what is known about a model for every key (a model name the pool stopped tracking). */
  forgetModel(model: string): void;
  /** May be batched: visible to `load` after `flush`. */
  increment(fingerprint: string, counter: KeyCounterName): void;
  /** Drops everything known about a key (removed from the pool). */
  forget(fingerprint: string): void;
  flush(): void;
  /** Flushes and stops timers. Does not close a database it was given. */
  close(): void;
}

export const emptyCounters = (): KeyCounters => ({
  successes: 0,
  invalid: 0,
  quota: 0,
  transient: 0,
  clientErrors: 0,
});

export const healthyState = (fingerprint: string): StoredKeyState => ({
  fingerprint,
  disabled: undefined,
  failureStreak: 0,
  backoffUntil: 0,
  cooldowns: new Map(),
  limits: new Map(),
  counters: emptyCounters(),
});
