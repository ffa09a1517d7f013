/**
 * How Gemini lays out its per-minute windows, which it does not document; learnt from evidence and
 * shared by every key and model (Google's windows behave alike for all keys of a deployment).
 * - `unknown` until proven: the pool keeps every window within the limit under both shapes it
 *   knows (phased: back to back from a fixed phase; first-call: opening at the first call after
 *   the last window ended).
 * - `phased` once `needed` 429s said a window had opened at a moment when none of our calls did: a
 *   first-call window opens at a call, ours on a key we alone use. Each key may then fill every
 *   phased window to its limit (up to twice the limit across a window boundary).
 * - `refuted` for good once a call that only the phased layout allowed got a 429.
 */
export type WindowVerdict = 'unknown' | 'phased' | 'refuted';

/** Leases remembered per (key, model) while the verdict is open: enough to reach back past a window of 15. */
const slots = 32;

export class WindowLayout {
  #verdict: WindowVerdict = 'unknown';
  #evidence = 0;
  /** Our last leases per (key, model), kept only while the verdict is open; the oldest pair goes first. */
  readonly #recent = new Map<string, { times: Float64Array; next: number }>();
  readonly #maxPairs: number;
  readonly #needed: number;
  readonly #onVerdict: (verdict: WindowVerdict) => void;

  constructor(
    options: { needed?: number; maxPairs?: number; onVerdict?: (verdict: WindowVerdict) => void } = {},
  ) {
    this.#needed = options.needed ?? 2;
    this.#maxPairs = options.maxPairs ?? 4096;
    this.#onVerdict = options.onVerdict ?? (() => {});
  }

  get verdict(): WindowVerdict {
    return this.#verdict;
  }

  get phased(): boolean {
    return this.#verdict === 'phased';
  }

  /** A lease for the (key, model) named `pair` left at `now`. O(1). */
  lease(pair: string, now: number): void {
    if (this.#verdict !== 'unknown') return;
    let recent = this.#recent.get(pair);
    if (recent === undefined) {
      if (this.#recent.size >= this.#maxPairs) {
        const oldest = this.#recent.keys().next().value;
        if (oldest !== undefined) this.#recent.delete(oldest);
      }
      recent = { times: new Float64Array(slots).fill(Number.NEGATIVE_INFINITY), next: 0 };
      this.#recent.set(pair, recent);
    }
    recent.times[recent.next] = now;
    recent.next = (recent.next + 1) % slots;
  }

  /**
   * A 429 said the window of `pair` opened, counting on Gemini's side, at a moment whose leaving
   * time on ours lies in [`from`, `to`] (the call that opened it left up to a round trip before,
   * and an end given in whole seconds may be a second early). Evidence only when our leases reach
   * back before `from` (we were using the key before the window opened) and none left in between.
   */
  observe(pair: string, from: number, to: number): void {
    const recent = this.#recent.get(pair);
    if (this.#verdict !== 'unknown' || recent === undefined) return;
    let reachesBack = false;
    for (const at of recent.times) {
      if (at >= from && at <= to) return;
      if (Number.isFinite(at) && at < from) reachesBack = true;
    }
    if (!reachesBack) return;
    this.#evidence++;
    if (this.#evidence >= this.#needed) this.#settle('phased');
  }

  /** A 429 after a call the phased layout allowed and a safer count would not have. */
  refute(): void {
    if (this.#verdict !== 'refuted') this.#settle('refuted');
  }

  #settle(verdict: WindowVerdict): void {
    this.#verdict = verdict;
    this.#recent.clear();
    this.#onVerdict(verdict);
  }
}
