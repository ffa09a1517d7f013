import type { RequestLimit } from './outcome.ts';
import { WindowLayout } from './window-layout.ts';

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
  /** Known once a 429 in this process said where a window ends (not after a restart). */
  shapes: Shapes | undefined;
  /** When the sliding count alone has room again. */
  slidingFreeAt: number;
  /** When the count that is safe whatever the layout (sliding, or both shapes) has room again. */
  safeFreeAt: number;
  /** A lease left since the last 429 that only the shapes (or the phased layout) allowed. */
  beyondSliding: boolean;
  /** A lease left since the last 429 that only the phased layout allowed. */
  beyondShapes: boolean;
  /** Cleared for good by a 429 after a lease only the shapes allowed: Gemini's windows are neither shape. */
  trustShapes: boolean;
};

/**
 * Two window shapes Gemini may use, both anchored at the end a 429 announced (`anchor`: the latest
 * it may be; it may be up to `uncertaintyMs` earlier, a second when Gemini gave whole seconds only):
 * - `phased`: windows back to back from the anchor. Reuses the ring: the key is full while the
 *   oldest of its last `limit` leases may share a window with the next one.
 * - `first-call`: a window opens at the first call after the last one ended. `end` is when the
 *   current window is surely over (its first lease + window + margin); `used` the leases that may be
 *   in it; `pending` those so close to `end` that they may have opened the next window instead.
 */
type Shapes = { anchor: number; uncertaintyMs: number; end: number; used: number; pending: number };

export type QuotaCountPolicy = 'sliding' | 'shapes';

/**
 * Per-minute request quotas learnt from 429s, counted on our side. The sliding count hands out a
 * lease while the last `limit` leases span more than one window, so no window of the quota's
 * length holds more than `limit` calls, however Gemini aligns its windows. With the `shapes` policy
 * a lease may also leave when both shapes anchored by the last 429 have room (`Shapes`): within the
 * limit whichever of the two Gemini uses, and a new window gets its whole limit at once; and once
 * the evidence says Gemini's windows are phased (`WindowLayout`, shared by every key), when the
 * phased windows alone have room. A 429 after a lease only the shapes allowed turns them off for
 * that (key, model); one after a lease only the phased layout allowed refutes the layout. Every 429
 * re-synchronises the count: the key is full until Gemini says it frees up, and then has its whole
 * limit again. O(1) per lease.
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
  /** Round trip (and our own delays) allowed between a call leaving and its 429 being read, when judging the layout (real ms). */
  readonly #roundTripMs: number;
  /** `sliding` alone, or also the two shapes the last 429 anchors (a lease is safe if either agrees). */
  readonly #policy: QuotaCountPolicy;
  /** What the evidence says about how Gemini lays out its windows (only with `shapes`). */
  readonly layout: WindowLayout;

  constructor(
    options: {
      maxEntries?: number;
      minuteMs?: number;
      marginMs?: number;
      roundTripMs?: number;
      policy?: QuotaCountPolicy;
      layout?: WindowLayout;
    } = {},
  ) {
    this.#maxEntries = options.maxEntries ?? 200_000;
    this.#timeScale = (options.minuteMs ?? 60_000) / 60_000;
    this.#marginMs = options.marginMs;
    this.#roundTripMs = options.roundTripMs ?? 1000;
    this.#policy = options.policy ?? 'shapes';
    this.layout = options.layout ?? new WindowLayout();
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
    const name = `${keyId}\u0000${this.quotaModel(model)}`;
    const count = this.#counts.get(name);
    if (this.#policy === 'shapes') this.layout.lease(name, now, now < (count?.safeFreeAt ?? now));
    if (count?.starts === undefined) return undefined;
    if (now < count.slidingFreeAt) count.beyondSliding = true;
    if (now < count.safeFreeAt) count.beyondShapes = true;
    count.starts[count.next] = now;
    count.next = (count.next + 1) % count.limit;
    const oldest = count.starts[count.next] ?? Number.NEGATIVE_INFINITY;
    const sliding = oldest + count.windowMs + count.marginMs;
    count.slidingFreeAt = sliding;
    if (count.shapes === undefined) {
      count.safeFreeAt = sliding;
      return sliding > now ? sliding : undefined;
    }
    // A lease is safe when the sliding count has room (any alignment), or when both shapes anchored
    // by the last 429 have room: the key is full until the earlier of the two. Once the windows
    // are known to be phased, the phased shape alone decides.
    const { firstCall, phased } = this.#shapedFreeAt(count, count.shapes, oldest, now);
    count.safeFreeAt = Math.min(sliding, Math.max(firstCall, phased));
    let freeAt = this.layout.phased ? Math.min(sliding, phased) : count.safeFreeAt;
    // Until the layout is known, one key at a time may probe it: free when the phased shape says,
    // if that is clearly (a round trip and two margins) before the first-call shape would.
    const telling = phased + this.#roundTripMs + 2 * count.marginMs <= firstCall;
    if (telling && phased < freeAt && freeAt > now && this.layout.mayProbe(name, now)) freeAt = phased;
    return freeAt > now ? freeAt : undefined;
  }

  /** Counts the lease at `now` in the first-call shape; returns when each shape has room again. */
  #shapedFreeAt(
    count: Count,
    shapes: Shapes,
    oldest: number,
    now: number,
  ): { firstCall: number; phased: number } {
    const { limit, windowMs, marginMs } = count;
    if (now >= shapes.end) {
      // This lease opens a window, unless one that left just before `end` already did (then that
      // window ends before `end + window + margin`, and its leases count in this one).
      shapes.used = now >= shapes.end + windowMs + marginMs ? 1 : shapes.pending + 1;
      shapes.pending = 0;
      shapes.end = now + windowMs + marginMs;
    } else {
      shapes.used++;
      if (now >= shapes.end - 2 * marginMs) shapes.pending++;
    }
    const firstCall =
      shapes.used < limit ? now : shapes.pending < limit ? shapes.end : shapes.end + windowMs + marginMs;
    // Phased: the window the oldest of the last `limit` leases may have reached (it arrives up to a
    // margin late, and the real boundary may be up to `uncertaintyMs` before the anchor) is over.
    const reached = Math.floor((oldest + marginMs + shapes.uncertaintyMs - shapes.anchor) / windowMs);
    const phased = Number.isFinite(oldest) ? shapes.anchor + (reached + 1) * windowMs : now;
    return { firstCall, phased };
  }

  /** An answer other than a 429 for an attempt with (key, model): the layout matches it to its lease. */
  onAnswer(keyId: string, model: string, ok: boolean): void {
    if (this.#policy === 'shapes')
      this.layout.answered(`${keyId}\u0000${this.quotaModel(model)}`, ok ? 'ok' : 'other');
  }

  /**
   * A 429 for (key, model) at `now`: the key is full until `now + retryAfterMs`, which may be up to
   * `uncertaintyMs` later than the window's real end (infinite: Gemini gave no end). Learns the
   * limit when Gemini states one; re-synchronises a limit learnt before when it does not.
   */
  onQuota(
    keyId: string,
    model: string,
    requestLimit: RequestLimit | undefined,
    retryAfterMs: number,
    now: number,
    namedModel: string = model,
    uncertaintyMs: number = 1000 * this.#timeScale,
  ): void {
    if (namedModel !== model) this.#alias(model, namedModel);
    const known = this.#counts.get(`${keyId}\u0000${namedModel}`);
    const limit = requestLimit ?? this.limitOf(keyId, namedModel);
    if (limit === undefined) return;
    const anchor = now + retryAfterMs;
    this.#judgeLayout(
      `${keyId}\u0000${namedModel}`,
      known,
      anchor - limit.windowMs * this.#timeScale,
      uncertaintyMs,
    );
    const count = known?.limit === limit.limit ? known : this.#set(keyId, namedModel, limit);
    if (known !== undefined) count.trustShapes = known.trustShapes;
    // Every slot frees when Gemini says the window does.
    count.starts?.fill(anchor - count.windowMs - count.marginMs);
    count.next = 0;
    count.slidingFreeAt = anchor;
    count.safeFreeAt = anchor;
    count.beyondSliding = false;
    count.beyondShapes = false;
    count.shapes =
      count.trustShapes && count.starts !== undefined && Number.isFinite(uncertaintyMs)
        ? { anchor, uncertaintyMs, end: anchor, used: count.limit, pending: 0 }
        : undefined;
  }

  /** What a 429 says about the layout and the shapes, from the leases that led to it. */
  #judgeLayout(name: string, count: Count | undefined, opened: number, uncertaintyMs: number): void {
    // A 429 after a lease beyond the sliding count: Gemini's windows are not phased (the phased
    // layout allows every such lease); and if the shapes allowed it, they are neither shape here.
    if (this.#policy !== 'shapes') return;
    this.layout.answered(name, 'quota');
    if (count?.beyondSliding) this.layout.refute();
    if (count?.beyondSliding && !count.beyondShapes) count.trustShapes = false;
    if (count?.trustShapes === false || !Number.isFinite(uncertaintyMs)) return;
    this.layout.observe(name, opened - uncertaintyMs - this.#roundTripMs, opened + 1);
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
      shapes: undefined,
      slidingFreeAt: Number.NEGATIVE_INFINITY,
      safeFreeAt: Number.NEGATIVE_INFINITY,
      beyondSliding: false,
      beyondShapes: false,
      trustShapes: this.#policy === 'shapes',
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
