import type { KeyHealth, KeyStateStore } from '../store/key-state-store.ts';
import type { AvailabilityIndex } from './availability-index.ts';
import type { KeyEntry } from './key-entry.ts';

/** No rest we store is longer: a delay from upstream beyond this is an error, not a plan. */
export const longestRestMs = 48 * 3600_000;

export type BackoffOptions = { baseMs: number; maxMs: number };

/** The default back-off after transient failures: 1 s doubling up to a minute; a compressed minute (benchmarks) compresses it alike. */
export const defaultBackoff = (minuteMs = 60_000): BackoffOptions => ({
  baseMs: minuteMs / 60,
  maxMs: minuteMs,
});

/**
 * How keys rest: cooldowns per (key, model) (quota, or a 5xx), and back-offs of a whole key.
 * Keeps the index and the store in step, and remembers which rests are guesses after a 5xx
 * (not quota), so "every key is out of quota" is said only when it is true.
 */
export class KeyRests {
  readonly #index: AvailabilityIndex;
  readonly #store: KeyStateStore;
  readonly #backoff: BackoffOptions;
  readonly #random: () => number;
  /** Consecutive 5xx per (key, model); only pairs failing right now have an entry. */
  readonly #modelStreaks = new Map<string, number>();
  /** model → key id → end of a rest after a 5xx (not quota). */
  readonly #transient = new Map<string, Map<string, number>>();
  /** model → keys that hold a cooldown for it: forgetting a model touches only those. */
  readonly #cooledKeys = new Map<string, Set<string>>();

  constructor(index: AvailabilityIndex, store: KeyStateStore, backoff: BackoffOptions, random: () => number) {
    this.#index = index;
    this.#store = store;
    this.#backoff = backoff;
    this.#random = random;
  }

  get baseMs(): number {
    return this.#backoff.baseMs;
  }

  /** Cools (key, model) until `until` (at most `longestRestMs` away); returns whether anything changed. */
  cool(entry: KeyEntry, model: string, until: number, now: number): boolean {
    const end = Math.min(until, now + longestRestMs);
    const current = entry.cooldowns.get(model);
    // A late per-minute 429 must not cut short a per-day cooldown.
    if (current !== undefined && current > now && current >= end) return false;
    entry.cooldowns.set(model, end);
    this.register(entry, model);
    this.#store.saveCooldown(entry.id, model, end);
    this.#index.cool(entry, model, end);
    return true;
  }

  /**
   * A 5xx is about one model ("overloaded"): only that (key, model) rests, for a delay that grows
   * with that pair's own streak, which a success on another model does not reset.
   */
  backOffModel(entry: KeyEntry, model: string, now: number): void {
    const name = `${entry.id}\u0000${model}`;
    const streak = this.#modelStreaks.get(name) ?? 0;
    this.#modelStreaks.set(name, streak + 1);
    const until = now + this.#delay(streak);
    if (!this.cool(entry, model, until, now)) return;
    let keys = this.#transient.get(model);
    if (keys === undefined) {
      keys = new Map();
      this.#transient.set(model, keys);
    }
    keys.set(entry.id, until);
  }

  /** Whether nothing but a rest after a 5xx holds (key, model) now: no 429, no full learnt limit. */
  onlyTransient(entry: KeyEntry | undefined, model: string, now: number): boolean {
    const until = entry?.cooldowns.get(model) ?? 0;
    return until <= now || until <= (this.#transient.get(model)?.get(entry?.id ?? '') ?? 0);
  }

  /** A success on (key, model): its 5xx streak is over, and the key's failure streak. */
  recovered(entry: KeyEntry, model: string): void {
    if (entry.failureStreak > 0) {
      entry.failureStreak = 0;
      this.saveHealth(entry);
    }
    this.#modelStreaks.delete(`${entry.id}\u0000${model}`);
    const keys = this.#transient.get(model);
    keys?.delete(entry.id);
    if (keys?.size === 0) this.#transient.delete(model);
  }

  /** The whole key rests (every model), for a delay growing with its streak. */
  backOff(entry: KeyEntry, now: number): void {
    const delay = this.#delay(entry.failureStreak);
    entry.failureStreak++;
    entry.backoffUntil = Math.max(entry.backoffUntil, now + delay);
    this.saveHealth(entry);
    this.#index.place(entry, now);
  }

  /** Whether some key rests on `model` (or entirely) after a transient failure rather than a quota. */
  transientRest(model: string, now: number): boolean {
    if ((this.#index.backingOffUntil() ?? 0) > now) return true;
    const keys = this.#transient.get(model);
    if (keys === undefined) return false;
    for (const [id, until] of keys) {
      if (until > now) return true;
      keys.delete(id);
    }
    this.#transient.delete(model);
    return false;
  }

  /** `entry` holds a cooldown for `model` (set here, or restored from the store). */
  register(entry: KeyEntry, model: string): void {
    let keys = this.#cooledKeys.get(model);
    if (keys === undefined) {
      keys = new Set();
      this.#cooledKeys.set(model, keys);
    }
    keys.add(entry.id);
  }

  /** Drops a model's streaks and rests (the pool stopped tracking its name); returns the keys that had one. */
  forgetModel(model: string): Iterable<string> {
    const keys = this.#cooledKeys.get(model) ?? new Set<string>();
    this.#cooledKeys.delete(model);
    this.#transient.delete(model);
    for (const id of keys) this.#modelStreaks.delete(`${id}\u0000${model}`);
    return keys;
  }

  saveHealth(entry: KeyEntry): void {
    const { disabled, failureStreak, backoffUntil } = entry;
    const health: KeyHealth = { disabled, failureStreak, backoffUntil };
    this.#store.saveHealth(entry.id, health);
  }

  /** base · 2^streak, capped, minus up to 20 % jitter. */
  #delay(streak: number): number {
    const ceiling = Math.min(this.#backoff.maxMs, this.#backoff.baseMs * 2 ** Math.min(streak, 30));
    return Math.round(ceiling * (1 - 0.2 * this.#random()));
  }
}
