import type { RequestLimit } from './outcome.ts';
import {
  type Count,
  judgeLeases,
  probeKind,
  type Shapes,
  shapedFreeAt,
  surelyPhasedFull,
} from './quota-shapes.ts';
import { WindowLayout } from './window-layout.ts';

/**
 * Larger limits (paid tiers) are learnt and listed but not counted: their rare 429s still cool the
 * key, and a ring of start times that long per (key, model) would cost more memory than it saves.
 */
export const maxCountedLimit = 1000;

export type QuotaCountPolicy = 'sliding' | 'shapes';

/** Pair names kept per key (`QuotaWindows.#nameOf`). */
const maxNamesPerKey = 1024;

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
  readonly #names = new Map<string, Map<string, string>>();
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

  /** A pair's `key\0model` name, made once: one built per call was flattened and hashed at each lookup. */
  #nameOf(keyId: string, model: string): string {
    const quotaModel = this.quotaModel(model);
    let byModel = this.#names.get(keyId);
    if (byModel === undefined) {
      byModel = new Map();
      this.#names.set(keyId, byModel);
    }
    let name = byModel.get(quotaModel);
    if (name === undefined) {
      if (byModel.size >= maxNamesPerKey) byModel.clear(); // Odd model names cannot grow it without bound.
      name = `${keyId}\u0000${quotaModel}`;
      byModel.set(quotaModel, name);
    }
    return name;
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
    const name = this.#nameOf(keyId, model);
    const count = this.#counts.get(name);
    if (this.#policy === 'shapes') this.layout.lease(name, now, probeKind(count, now));
    if (count?.starts === undefined) return undefined;
    if (now < count.slidingFreeAt) {
      count.beyondSliding = true;
      if (now < count.firstCallFreeAt) count.phasedOnly = true;
      if (now < count.phasedFreeAt) count.firstCallOnly = true;
    }
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
    // by the last 429 have room: the key is full until the earlier of the two. Once the layout is
    // known (phased, or refuted: first-call), that shape alone decides.
    const { firstCall, phased } = shapedFreeAt(count, count.shapes, oldest, now);
    count.firstCallFreeAt = firstCall;
    count.phasedFreeAt = phased;
    count.safeFreeAt = Math.min(sliding, Math.max(firstCall, phased));
    const verdict = this.layout.verdict;
    let freeAt =
      verdict === 'phased'
        ? Math.min(sliding, phased)
        : verdict === 'refuted'
          ? Math.min(sliding, firstCall)
          : count.safeFreeAt;
    if (freeAt > now)
      freeAt = this.#probe(name, count, count.shapes, { oldest, now, freeAt, firstCall, phased });
    return freeAt > now ? freeAt : undefined;
  }

  /**
   * Until the layout is known, one key at a time may probe it: free when the phased shape says, if
   * that is clearly (a round trip and two margins) before the first-call shape would; or free when
   * the first-call shape says, if phased windows would surely refuse that call.
   */
  #probe(
    name: string,
    count: Count,
    shapes: Shapes,
    at: { oldest: number; now: number; freeAt: number; firstCall: number; phased: number },
  ): number {
    const { oldest, now, freeAt, firstCall, phased } = at;
    const telling = phased + this.#roundTripMs + 2 * count.marginMs <= firstCall;
    if (telling && phased < freeAt && this.layout.mayProbe(name, now, 'phased')) return phased;
    const refusedIfPhased = surelyPhasedFull(count, shapes, oldest, Math.max(now, firstCall));
    if (refusedIfPhased && firstCall < freeAt && this.layout.mayProbe(name, now, 'first-call'))
      return firstCall;
    return freeAt;
  }

  /**
   * How an attempt with (key, model) ended: every attempt reports once (a 429 as `quota`, one that
   * got no verdict as `other`), so the layout matches each answer to its lease.
   */
  onAnswer(keyId: string, model: string, answer: 'ok' | 'quota' | 'other'): void {
    if (this.#policy === 'shapes') this.layout.answered(this.#nameOf(keyId, model), answer);
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
    count.phasedOnly = false;
    count.firstCallOnly = false;
    count.firstCallFreeAt = anchor;
    count.phasedFreeAt = anchor;
    count.shapes =
      count.trustShapes && count.starts !== undefined && Number.isFinite(uncertaintyMs)
        ? { anchor, uncertaintyMs, end: anchor, used: count.limit, pending: 0 }
        : undefined;
  }

  /** What a 429 says about the layout and the shapes, from the leases that led to it. */
  #judgeLayout(name: string, count: Count | undefined, opened: number, uncertaintyMs: number): void {
    if (this.#policy !== 'shapes') return;
    if (count !== undefined) judgeLeases(this.layout, count);
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
    this.#names.delete(keyId);
  }

  /** Forgets a model (evicted from the known names). O(entries): rare. */
  forgetModel(model: string): void {
    for (const name of this.#counts.keys()) if (name.endsWith(`\u0000${model}`)) this.#counts.delete(name);
    for (const byModel of this.#names.values()) byModel.delete(model);
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
      phasedOnly: false,
      firstCallOnly: false,
      firstCallFreeAt: Number.NEGATIVE_INFINITY,
      phasedFreeAt: Number.NEGATIVE_INFINITY,
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
