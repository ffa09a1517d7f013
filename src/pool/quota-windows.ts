import type { RequestLimit } from './outcome.ts';

type Window = { limit: number; windowMs: number; end: number; used: number };

/**
 * Per-minute request quotas, counted on our side. Without this the pool learns that a key's
 * window is full only by spending a call on a 429, once per key per window. Once a 429 has told
 * us a (key, model)'s limit and when its window ends, we count the leases we hand out (in flight
 * included) and cool the key as its window fills, before the next 429. A 429 that comes anyway
 * (a sliding window, a project shared by several keys) simply re-synchronises the window.
 */
export class QuotaWindows {
  readonly #windows = new Map<string, Window>();
  /** Requested model → the model Gemini named in its 429, when they differ. */
  readonly #aliases = new Map<string, string>();
  readonly #maxEntries: number;
  /** How long Gemini's "minute" is: 60 s, except in benchmarks that compress time. */
  readonly #timeScale: number;

  constructor(options: { maxEntries?: number; minuteMs?: number } = {}) {
    this.#maxEntries = options.maxEntries ?? 200_000;
    this.#timeScale = (options.minuteMs ?? 60_000) / 60_000;
  }

  /** The model whose quota a requested model spends: an alias (gemini-flash-latest) counts against the one Gemini names. */
  quotaModel(model: string): string {
    return this.#aliases.get(model) ?? model;
  }

  /** A lease for (key, model) was handed out at `now`; returns when its window ends if it is now full. */
  onLease(keyId: string, model: string, now: number): number | undefined {
    const window = this.#windows.get(`${keyId}\u0000${this.quotaModel(model)}`);
    if (window === undefined) return undefined;
    if (now >= window.end) {
      window.end += (Math.floor((now - window.end) / window.windowMs) + 1) * window.windowMs;
      window.used = 0;
    }
    window.used++;
    return window.used >= window.limit ? window.end : undefined;
  }

  /** What has been learnt, per key: O(n), for the admin page. */
  learnt(): Map<string, Array<{ model: string; limit: number; windowMs: number }>> {
    const byKey = new Map<string, Array<{ model: string; limit: number; windowMs: number }>>();
    for (const [name, window] of this.#windows) {
      const [keyId = '', model = ''] = name.split('\u0000');
      byKey.set(keyId, [
        ...(byKey.get(keyId) ?? []),
        { model, limit: window.limit, windowMs: window.windowMs },
      ]);
    }
    return byKey;
  }

  /** A 429 for (key, model): its window is full until `now + retryAfterMs`. */
  onQuota(
    keyId: string,
    model: string,
    requestLimit: RequestLimit | undefined,
    retryAfterMs: number,
    now: number,
    namedModel: string = model,
  ): void {
    if (requestLimit === undefined) return;
    if (namedModel !== model) this.#aliases.set(model, namedModel);
    const name = `${keyId}\u0000${namedModel}`;
    // Bounded memory: when full, forget the oldest learnt window (it is relearnt by its next 429).
    if (!this.#windows.has(name) && this.#windows.size >= this.#maxEntries) {
      const oldest = this.#windows.keys().next().value;
      if (oldest !== undefined) this.#windows.delete(oldest);
    }
    const windowMs = requestLimit.windowMs * this.#timeScale;
    this.#windows.set(name, {
      limit: requestLimit.limit,
      windowMs,
      end: now + retryAfterMs,
      used: requestLimit.limit,
    });
  }
}
