import { normalizeModel } from '../gemini/model-name.ts';
import { fingerprintKey } from '../secrets/fingerprint.ts';
import {
  type DisabledBy,
  emptyCounters,
  type KeyCounterName,
  type KeyStateStore,
  type StoredKeyState,
} from '../store/key-state-store.ts';
import { AvailabilityIndex } from './availability-index.ts';
import { type KeyEntry, type KeyView, toKeyView } from './key-entry.ts';
import { type RecheckLoop, type RecheckOptions, startKeyRechecks } from './key-recheck-loop.ts';
import { type AcquireResult, Lease } from './lease.ts';
import { nextPacificMidnight } from './next-pacific-midnight.ts';
import type { Outcome } from './outcome.ts';

export type KeyPoolOptions = {
  keys: readonly string[];
  store: KeyStateStore;
  now?: () => number;
  /** Back-off after transient failures: baseMs · 2^streak, capped at maxMs, minus up to 20% jitter. */
  transientBackoff?: { baseMs: number; maxMs: number };
  /** In [0, 1); injected for deterministic jitter in tests. */
  random?: () => number;
  /** Models with their own round-robin lane; the least recently used lane beyond this is rebuilt on demand. */
  maxModels?: number;
};

export type AcquireOptions = {
  /** Keys already tried for this request. */
  exclude?: ReadonlySet<string>;
  /**
   * Affinity: the key that owns a resource (file, cached content, upload session) named in the request.
   * Returned whenever it is enabled, even cooling or backing off, because no other key can reach the
   * resource: let Gemini answer. Disabled, removed or excluded → `affinity-unavailable`.
   */
  preferKeyId?: string;
};

export type KeyPoolStats = { total: number; enabled: number; disabled: number };

/**
 * The keys behind the endpoint: who serves next, who is cooling, who is dead. Framework-free.
 * Live state is in memory; every change is written behind to the store, keyed by fingerprint.
 */
export class KeyPool {
  #entries = new Map<string, KeyEntry>();
  #index: AvailabilityIndex;
  #store: KeyStateStore;
  #now: () => number;
  #backoff: { baseMs: number; maxMs: number };
  #random: () => number;
  #enabledCount = 0;
  /** Keys Gemini disabled, in re-check order (a Set keeps insertion order). */
  #recheckQueue = new Set<string>();
  #saved: Map<string, StoredKeyState>;
  /** Consecutive 5xx per (key, model); only pairs failing right now have an entry. */
  #modelStreaks = new Map<string, number>();

  constructor(options: KeyPoolOptions) {
    this.#store = options.store;
    this.#now = options.now ?? Date.now;
    this.#backoff = options.transientBackoff ?? { baseMs: 1000, maxMs: 60_000 };
    this.#random = options.random ?? Math.random;
    this.#index = new AvailabilityIndex(options.maxModels ?? 64);
    this.#saved = this.#store.load(this.#now());
    for (const secret of options.keys) this.add(secret);
  }

  /** Adds a key (idempotent) and returns its id; state saved under its fingerprint is restored. */
  add(secret: string): string {
    const trimmed = secret.trim();
    if (trimmed === '') throw new TypeError('An API key cannot be empty.');
    const id = fingerprintKey(trimmed);
    if (this.#entries.has(id)) return id;
    const saved = this.#saved.get(id);
    this.#saved.delete(id);
    const entry: KeyEntry = {
      id,
      lease: new Lease(id, trimmed),
      slot: this.#index.reserveSlot(),
      disabled: saved?.disabled,
      failureStreak: saved?.failureStreak ?? 0,
      backoffUntil: saved?.backoffUntil ?? 0,
      cooldowns: saved?.cooldowns ?? new Map(),
      counters: saved?.counters ?? emptyCounters(),
    };
    this.#entries.set(id, entry);
    if (entry.disabled === undefined) this.#enabledCount++;
    else if (entry.disabled.by === 'upstream') this.#recheckQueue.add(id);
    this.#index.insert(entry, this.#now());
    return id;
  }

  /** Drops a key and everything stored about it. */
  remove(id: string): boolean {
    const entry = this.#entries.get(id);
    if (entry === undefined) return false;
    this.#index.delete(entry);
    this.#entries.delete(id);
    this.#recheckQueue.delete(id);
    if (entry.disabled === undefined) this.#enabledCount--;
    this.#store.forget(id);
    return true;
  }

  /** Puts a disabled key back in service, with a clean slate (no streak, no back-off). */
  enable(id: string): boolean {
    const entry = this.#entries.get(id);
    if (entry === undefined) return false;
    if (entry.disabled === undefined) return true;
    entry.disabled = undefined;
    entry.failureStreak = 0;
    entry.backoffUntil = 0;
    this.#enabledCount++;
    this.#recheckQueue.delete(id);
    this.#saveHealth(entry);
    this.#index.place(entry, this.#now());
    return true;
  }

  /** An admin's decision: the key stays out (and is not re-checked) until enabled. */
  disable(id: string, reason: string): boolean {
    const entry = this.#entries.get(id);
    if (entry === undefined) return false;
    this.#disable(entry, reason, 'admin');
    return true;
  }

  /** Re-enables a key after a successful re-check, unless an admin disabled it meanwhile. */
  reinstate(id: string): boolean {
    const entry = this.#entries.get(id);
    if (entry?.disabled?.by !== 'upstream') return false;
    return this.enable(id);
  }

  get(id: string): KeyView | undefined {
    const entry = this.#entries.get(id);
    return entry === undefined ? undefined : toKeyView(entry, this.#now());
  }

  /** O(n): for the admin page, not the hot path. */
  list(): KeyView[] {
    const now = this.#now();
    return [...this.#entries.values()].map((entry) => toKeyView(entry, now));
  }

  stats(): KeyPoolStats {
    const total = this.#entries.size;
    return { total, enabled: this.#enabledCount, disabled: total - this.#enabledCount };
  }

  /** The next key, round robin, that can serve `model` now. O(1) amortised. */
  acquire(model: string, options: AcquireOptions = {}): AcquireResult {
    if (options.preferKeyId !== undefined)
      return this.#acquirePreferred(options.preferKeyId, options.exclude);
    const now = this.#now();
    const normalized = normalizeModel(model);
    const picked = this.#index.pick(normalized, now, options.exclude);
    if (picked !== undefined && picked !== 'exhausted') return picked.lease;
    if (this.#entries.size === 0) return { kind: 'empty' };
    if (this.#enabledCount === 0) return { kind: 'all-dead' };
    if (picked === 'exhausted') return { kind: 'exhausted' };
    const earliest = this.#index.earliest(normalized) ?? now + this.#backoff.baseMs;
    return { kind: 'cooling', retryAfterMs: Math.max(0, earliest - now) };
  }

  /** What became of an attempt with a key, as classified from the upstream answer. */
  report(id: string, model: string, outcome: Outcome): void {
    const entry = this.#entries.get(id);
    if (entry === undefined) return; // Removed while the request was in flight.
    const now = this.#now();
    switch (outcome.kind) {
      case 'ok':
        this.#count(entry, 'successes');
        this.#modelStreaks.delete(`${id}\u0000${normalizeModel(model)}`);
        if (entry.failureStreak > 0) {
          entry.failureStreak = 0;
          this.#saveHealth(entry);
        }
        return;
      case 'invalid':
        this.#count(entry, 'invalid');
        if (entry.disabled === undefined) this.#disable(entry, outcome.reason, 'upstream');
        return;
      case 'quota':
        this.#count(entry, 'quota');
        this.#coolQuota(entry, normalizeModel(model), outcome, now);
        return;
      case 'transient':
        this.#count(entry, 'transient');
        if (outcome.scope === 'model') this.#backOffModel(entry, normalizeModel(model), now);
        else this.#backOff(entry, now);
        return;
      case 'client-error':
        this.#count(entry, 'clientErrors');
        return;
    }
  }

  /**
   * Cools (key, model) until `until` without an upstream answer: the caller counted the key's
   * requests and knows its window is full.
   */
  coolUntil(id: string, model: string, until: number): void {
    const entry = this.#entries.get(id);
    if (entry !== undefined) this.#cool(entry, normalizeModel(model), until, this.#now());
  }

  /** Up to `limit` keys Gemini disabled, oldest re-check first; they move to the back of the queue. */
  nextRecheckBatch(limit: number): Lease[] {
    const ids = [...this.#recheckQueue].slice(0, Math.max(0, limit));
    const batch: Lease[] = [];
    for (const id of ids) {
      this.#recheckQueue.delete(id);
      this.#recheckQueue.add(id);
      const entry = this.#entries.get(id);
      if (entry !== undefined) batch.push(entry.lease);
    }
    return batch;
  }

  /** Re-checks keys Gemini disabled in the background; see `startKeyRechecks`. */
  startRechecks(options: RecheckOptions): RecheckLoop {
    return startKeyRechecks(this, options);
  }

  #acquirePreferred(id: string, exclude: ReadonlySet<string> | undefined): AcquireResult {
    const entry = this.#entries.get(id);
    if (entry === undefined || entry.disabled !== undefined || exclude?.has(id)) {
      return { kind: 'affinity-unavailable', id };
    }
    return entry.lease;
  }

  #disable(entry: KeyEntry, reason: string, by: DisabledBy): void {
    if (entry.disabled === undefined) this.#enabledCount--;
    entry.disabled = { reason, since: this.#now(), by };
    if (by === 'upstream') this.#recheckQueue.add(entry.id);
    else this.#recheckQueue.delete(entry.id);
    this.#saveHealth(entry);
    this.#index.place(entry, this.#now());
  }

  #coolQuota(entry: KeyEntry, model: string, outcome: Outcome & { kind: 'quota' }, now: number): void {
    const until = outcome.perDay ? nextPacificMidnight(new Date(now)).getTime() : now + outcome.retryAfterMs;
    this.#cool(entry, model, until, now);
    // A model alias (gemini-flash-latest) exhausts the quota of the model Gemini names.
    if (outcome.model !== undefined && normalizeModel(outcome.model) !== model) {
      this.#cool(entry, normalizeModel(outcome.model), until, now);
    }
  }

  #cool(entry: KeyEntry, model: string, until: number, now: number): void {
    const current = entry.cooldowns.get(model);
    // A late per-minute 429 must not cut short a per-day cooldown.
    if (current !== undefined && current > now && current >= until) return;
    entry.cooldowns.set(model, until);
    this.#store.saveCooldown(entry.id, model, until);
    this.#index.cool(entry, model, until);
  }

  /** base · 2^streak, capped, minus up to 20 % jitter. */
  #backoffMs(streak: number): number {
    const ceiling = Math.min(this.#backoff.maxMs, this.#backoff.baseMs * 2 ** Math.min(streak, 30));
    return Math.round(ceiling * (1 - 0.2 * this.#random()));
  }

  /**
   * A 5xx is about one model ("overloaded"): only that (key, model) rests, for a delay that grows
   * with that pair's own streak, which a success on another model does not reset.
   */
  #backOffModel(entry: KeyEntry, model: string, now: number): void {
    const name = `${entry.id}\u0000${model}`;
    const streak = this.#modelStreaks.get(name) ?? 0;
    this.#modelStreaks.set(name, streak + 1);
    this.#cool(entry, model, now + this.#backoffMs(streak), now);
  }

  #backOff(entry: KeyEntry, now: number): void {
    const delay = this.#backoffMs(entry.failureStreak);
    entry.failureStreak++;
    entry.backoffUntil = Math.max(entry.backoffUntil, now + delay);
    this.#saveHealth(entry);
    this.#index.place(entry, now);
  }

  #count(entry: KeyEntry, counter: KeyCounterName): void {
    entry.counters[counter]++;
    this.#store.increment(entry.id, counter);
  }

  #saveHealth(entry: KeyEntry): void {
    const { disabled, failureStreak, backoffUntil } = entry;
    this.#store.saveHealth(entry.id, { disabled, failureStreak, backoffUntil });
  }
}
