import type { WindowLayout } from './window-layout.ts';

/**
 * The last `limit` leases of one (key, model), oldest first from `next`: a ring of start times.
 * The key has room at `now` when the oldest of them is a whole window old.
 */
export type Count = {
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
  /** A lease left since the last 429 that not both shapes allowed. */
  beyondShapes: boolean;
  /** A lease left since the last 429 beyond the sliding count that only the phased shape allowed. */
  phasedOnly: boolean;
  /** Same, that only the first-call shape allowed. */
  firstCallOnly: boolean;
  /** When each shape has room again, as of the last lease. */
  firstCallFreeAt: number;
  phasedFreeAt: number;
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
export type Shapes = { anchor: number; uncertaintyMs: number; end: number; used: number; pending: number };

/** What the shapes need to know of a (key, model)'s count. */
export type ShapedCount = { limit: number; windowMs: number; marginMs: number };

/** Counts a lease at `now` in the first-call shape; returns when each shape has room again. Pure but for `shapes`. */
export function shapedFreeAt(
  count: ShapedCount,
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

/**
 * Whether a lease leaving at `at` surely shares a phased window with `oldest` (the oldest of the
 * last `limit` leases): no boundary the anchor allows (up to `uncertaintyMs` early) falls between
 * them, the lease arriving up to a margin late. Then phased windows would surely refuse it, and its
 * call accepted proves them wrong.
 */
export function surelyPhasedFull(count: ShapedCount, shapes: Shapes, oldest: number, at: number): boolean {
  if (!Number.isFinite(oldest)) return false;
  const window = Math.floor((oldest - shapes.anchor) / count.windowMs);
  const latest = Math.floor((at + count.marginMs + shapes.uncertaintyMs - shapes.anchor) / count.windowMs);
  return window === latest;
}

/** Which shape alone allowed a lease at `now`, when only one did (a probe while the layout is open). */
export function probeKind(count: Count | undefined, now: number): 'phased' | 'first-call' | undefined {
  if (count === undefined || now >= count.safeFreeAt) return undefined;
  return now < count.firstCallFreeAt ? 'phased' : 'first-call';
}

/**
 * A 429 after leases beyond the sliding count: one the phased shape allowed (alone or with the
 * other) refutes phased windows; one both shapes allowed, or the first-call shape once it alone
 * counts, shows Gemini's windows are neither shape here (the count turns sliding for that key).
 */
export function judgeLeases(layout: WindowLayout, count: Count): void {
  if (!count.beyondSliding) return;
  if (count.phasedOnly || !count.firstCallOnly) layout.refute();
  if (!count.beyondShapes || (count.firstCallOnly && layout.verdict === 'refuted')) count.trustShapes = false;
}
