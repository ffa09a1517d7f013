import type { RequestLimit } from './outcome.ts';

/**
 * Larger limits (paid tiers) are learnt and listed but not counted: their rare 429s still cool the
 * key, and a ring of start times that long per (key, model) would cost more memory than it saves.
 */
export const maxCountedLimit = 1000;

/**
 * The last `limit` leases of one (key, model), oldest first from `next`: a ring of start times.
 * The key has room at `now` when the oldest of them is a whole window old.
 */
type Count = {
  limit: number;
  windowMs: number;
  marginMs: number;
  /** Absent above `maxCountedLimit`: the limit is known (and listed), not counted. */
  starts: Float64Array | undefined;
  next: number;
};

/**
 * Per-minute request quotas learnt from 429s, counted on our side with a sliding count: a lease is
 * handed out only while the last `limit` leases span more than one window, so no window of the
 * quota's length holds more than `limit` calls, however Gemini aligns its windows (back to back
 * from a fixed phase, or opening at the first accepted call). Every 429 re-synchronises the count:
 * the key is full until Gemini says it frees up, and then has its whole limit again. O(1) per lease.
 */
export class QuotaWindows {
  readonly #counts = new Map<string, Count>();
  /** Requested model → the model Gemini named in its 429, when they differ. */
  readonly #aliases = new Map<string, string>();
  readonly #maxEntries: number;
  /** How long Gemini's "minute" is: 60 s, except in benchmarks that compress time. */
  readonly #timeScale: number;
  /**
   * Added to every window: a call we count when it leaves reaches Gemini a little later, and one
   * that left later may arrive earlier. Default: half a percent of the window (0.3 s of a minute).
   */
  readonly #marginMs: number | undefined;

  constructor(options: { maxEntries?: number; minuteMs?: number; marginMs?: number } = {}) {
    this.#maxEntries = options.maxEntries ?? 200_000;
    this.#timeScale = (options.minuteMs ?? 60_000) / 60_000;
    this.#marginMs = options.marginMs;
  }

  /** The model whose quota a requested model spends: an alias (gemini-flash-latest) counts against the one Gemini names. */
  quotaModel(model: string): string {
    return this.#aliases.get(model) ?? model;
  }

  /** The limit learnt for (key, model), if any. */
  limitOf(keyId: string, model: string): RequestLimit | undefined {
    const count = this.#counts.get(`${keyId}\u0000${this.quotaModel(model)}`);
    return count === undefined
      ? undefined
      : { limit: count.limit, windowMs: count.windowMs / this.#timeScale };
  }

  /** What has been learnt, per key: O(n), for the admin page. `windowMs` is on the service's time scale. */
  learnt(): Map<string, Array<{ model: string; limit: number; windowMs: number }>> {
    const byKey = new Map<string, Array<{ model: string; limit: number; windowMs: number }>>();
    for (const [name, count] of this.#counts) {
      const [keyId = '', model = ''] = name.split('\u0000');
      byKey.set(keyId, [
        ...(byKey.get(keyId) ?? []),
        { model, limit: count.limit, windowMs: count.windowMs },
      ]);
    }
    return byKey;
  }

  /**
   * A lease for (key, model) was handed out at `now`; returns until when the key is full if this
   * lease filled it (the oldest of its last `limit` leases leaves the window then).
   */
  onLease(keyId: string, model: string, now: number): number | undefined {
    const count = this.#counts.get(`${keyId}\u0000${this.quotaModel(model)}`);
    if (count?.starts === undefined) return undefined;
    count.starts[count.next] = now;
    count.next = (count.next + 1) % count.limit;
    const freeAt = (count.starts[count.next] ?? Number.NEGATIVE_INFINITY) + count.windowMs + count.marginMs;
    return freeAt > now ? freeAt : undefined;
  }

  /**
   * A 429 for (key, model) at `now`: the key is full until `now + retryAfterMs`. Learns the limit
   * when Gemini states one; re-synchronises a limit learnt before when it does not.
   */
  onQuota(
    keyId: string,
    model: string,
    requestLimit: RequestLimit | undefined,
    retryAfterMs: number,
    now: number,
    namedModel: string = model,
  ): void {
    if (namedModel !== model) this.#alias(model, namedModel);
    const known = this.#counts.get(`${keyId}\u0000${namedModel}`);
    const limit = requestLimit ?? this.limitOf(keyId, namedModel);
    if (limit === undefined) return;
    const count = known?.limit === limit.limit ? known : this.#set(keyId, namedModel, limit);
    // Every slot frees when Gemini says the window does.
    count.starts?.fill(now + retryAfterMs - count.windowMs - count.marginMs);
    count.next = 0;
  }

  /** A limit learnt before a restart: known, with nothing counted yet (a cooldown covers a full window). */
  restore(keyId: string, model: string, requestLimit: RequestLimit): void {
    this.#set(keyId, model, requestLimit);
  }

  /** Forgets everything about a key (removed from the pool). O(entries): rare. */
  forget(keyId: string): void {
    for (const name of this.#counts.keys()) if (name.startsWith(`${keyId}\u0000`)) this.#counts.delete(name);
  }

  /** Forgets a model (evicted from the known names). O(entries): rare. */
  forgetModel(model: string): void {
    for (const name of this.#counts.keys()) if (name.endsWith(`\u0000${model}`)) this.#counts.delete(name);
    this.#aliases.delete(model);
  }

  get size(): number {
    return this.#counts.size;
  }

  #set(keyId: string, model: string, requestLimit: RequestLimit): Count {
    const name = `${keyId}\u0000${model}`;
    // Bounded memory: when full, forget the oldest learnt limit (it is relearnt by its next 429).
    this.#counts.delete(name);
    if (this.#counts.size >= this.#maxEntries) {
      const oldest = this.#counts.keys().next().value;
      if (oldest !== undefined) this.#counts.delete(oldest);
    }
    const limit = Math.max(1, Math.trunc(requestLimit.limit));
    const windowMs = requestLimit.windowMs * this.#timeScale;
    const count: Count = {
      limit,
      windowMs,
      marginMs: this.#marginMs ?? windowMs * 0.005,
      starts: limit > maxCountedLimit ? undefined : new Float64Array(limit).fill(Number.NEGATIVE_INFINITY),
      next: 0,
    };
    this.#counts.set(name, count);
    return count;
  }

  #alias(model: string, namedModel: string): void {
    this.#aliases.delete(model);
    if (this.#aliases.size >= this.#maxEntries) {
      const oldest = this.#aliases.keys().next().value;
      if (oldest !== undefined) this.#aliases.delete(oldest);
    }
    this.#aliases.set(model, namedModel);
  }
}
