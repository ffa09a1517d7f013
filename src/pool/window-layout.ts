/**
 * How Gemini lays out its per-minute windows, which it does not document; learnt from evidence and
 * shared by every key and model (Google's windows behave alike for all keys of a deployment).
 * - `unknown` until proven: the pool keeps every window within the limit under both shapes it
 *   knows (phased: back to back from a fixed phase; first-call: opening at the first call after
 *   the last window ended).
 * - `phased` once a probe (a call that only the phased shape allows, one at a time) was accepted,
 *   or `needed` (3) 429s said a window had opened at a moment when none of our calls did (a first-call
 *   window opens at a call, ours on a key we alone use). Each key may then fill every phased window
 *   to its limit (up to twice the limit across a window boundary).
 * - `refuted` for good once a call beyond the sliding count that the phased shape allowed got a
 *   429 (a probe included), or a first-call probe (a call phased windows would surely refuse, one at
 *   a time) was accepted: windows then open at the first call, and each key fills each of them.
 *   A first-call probe refused ends first-call probes (the verdict may still come either way).
 */
export type WindowVerdict = 'unknown' | 'phased' | 'refuted';

/** Which shape alone allowed a probe: its call accepted proves that shape (phased) or refutes the other. */
export type ProbeKind = 'phased' | 'first-call';

/** Leases remembered per (key, model) while the verdict is open: enough to reach back past a window of 15. */
const slots = 32;

/** Our recent leases of one (key, model), how many we made in all, and how many await an answer. */
type Recent = { times: Float64Array; next: number; total: number; inFlight: number };

export class WindowLayout {
  #verdict: WindowVerdict = 'unknown';
  #evidence = 0;
  /** Our last leases per (key, model), kept only while the verdict is open; the oldest pair goes first. */
  readonly #recent = new Map<string, Recent>();
  /** The (key, model) allowed to send the next probe, since when (a claim lapses after `probeMs`). */
  #candidate: { pair: string; since: number } | undefined;
  /** The probe in flight: its (key, model), and how many earlier leases of it answer before it. */
  #probe: { pair: string; ahead: number; at: number; kind: ProbeKind } | undefined;
  /** A first-call probe got a 429: no more of them. */
  #firstCallFailed = false;
  readonly #maxPairs: number;
  readonly #needed: number;
  readonly #probeMs: number;
  readonly #onVerdict: (verdict: WindowVerdict) => void;

  constructor(
    options: {
      needed?: number;
      maxPairs?: number;
      probeMs?: number;
      onVerdict?: (verdict: WindowVerdict) => void;
    } = {},
  ) {
    this.#needed = options.needed ?? 3;
    this.#maxPairs = options.maxPairs ?? 4096;
    this.#probeMs = options.probeMs ?? 60_000;
    this.#onVerdict = options.onVerdict ?? (() => {});
  }

  get verdict(): WindowVerdict {
    return this.#verdict;
  }

  /** A lease for the (key, model) named `pair` left at `now`; `probe`: which shape alone allowed it. O(1). */
  lease(pair: string, now: number, probe?: ProbeKind): void {
    if (this.#verdict !== 'unknown') return;
    const recent = this.#recentOf(pair);
    recent.times[recent.next] = now;
    recent.next = (recent.next + 1) % slots;
    recent.total++;
    recent.inFlight++;
    if (this.#candidate?.pair === pair) this.#candidate = undefined;
    if (probe !== undefined && this.#probe === undefined)
      this.#probe = { pair, ahead: recent.inFlight - 1, at: now, kind: probe };
  }

  /**
   * Whether `pair` may be handed out for a probe when only one shape has room: one (key, model) at
   * a time holds that right, until it sends the probe or `probeMs` passes.
   */
  mayProbe(pair: string, now: number, kind: ProbeKind = 'phased'): boolean {
    if (this.#verdict !== 'unknown' || (kind === 'first-call' && this.#firstCallFailed)) return false;
    if (this.#probe !== undefined && now - this.#probe.at < this.#probeMs) return false;
    if (
      this.#candidate !== undefined &&
      this.#candidate.pair !== pair &&
      now - this.#candidate.since < this.#probeMs
    )
      return false;
    this.#probe = undefined;
    this.#candidate = { pair, since: now };
    return true;
  }

  /**
   * An answer for `pair`: `ok`, `quota` (a 429) or `other`. Answers are matched to leases in order;
   * the probe's own is the one after the leases that were in flight before it. An accepted probe
   * settles the verdict; a refused first-call probe ends those; a 5xx proves nothing (another may go).
   */
  answered(pair: string, answer: 'ok' | 'quota' | 'other'): void {
    const recent = this.#recent.get(pair);
    if (recent === undefined) return;
    recent.inFlight = Math.max(0, recent.inFlight - 1);
    const probe = this.#probe;
    if (probe?.pair !== pair) return;
    if (probe.ahead > 0 && answer !== 'quota') {
      probe.ahead--;
      return;
    }
    this.#probe = undefined;
    if (answer === 'ok') this.#settle(probe.kind === 'phased' ? 'phased' : 'refuted');
    if (answer === 'quota' && probe.kind === 'first-call') this.#firstCallFailed = true;
  }

  /**
   * A 429 said the window of `pair` opened, counting on Gemini's side, at a moment whose leaving
   * time on ours lies in [`from`, `to`] (the call that opened it left up to a round trip before,
   * and an end given in whole seconds may be a second early). Evidence when none of our leases
   * left in between, and we know what we sent around then: our leases reach back before `from`, or
   * we remember every lease of this process and the window opened before the first (a key used by
   * another process in the last minute can fool this; a 429 then refutes the verdict).
   */
  observe(pair: string, from: number, to: number): void {
    const recent = this.#recent.get(pair);
    if (this.#verdict !== 'unknown' || recent === undefined) return;
    let reachesBack = recent.total <= slots;
    for (const at of recent.times) {
      if (at >= from && at <= to) return;
      if (Number.isFinite(at) && at < from) reachesBack = true;
    }
    if (!reachesBack) return;
    this.#evidence++;
    if (this.#evidence >= this.#needed) this.#settle('phased');
  }

  /** A 429 after a call beyond the sliding count that the phased shape allowed: the windows are not phased. */
  refute(): void {
    if (this.#verdict !== 'refuted') this.#settle('refuted');
  }

  #recentOf(pair: string): Recent {
    let recent = this.#recent.get(pair);
    if (recent !== undefined) return recent;
    if (this.#recent.size >= this.#maxPairs) {
      const oldest = this.#recent.keys().next().value;
      if (oldest !== undefined) this.#recent.delete(oldest);
    }
    recent = {
      times: new Float64Array(slots).fill(Number.NEGATIVE_INFINITY),
      next: 0,
      total: 0,
      inFlight: 0,
    };
    this.#recent.set(pair, recent);
    return recent;
  }

  #settle(verdict: WindowVerdict): void {
    this.#verdict = verdict;
    this.#recent.clear();
    this.#candidate = undefined;
    this.#probe = undefined;
    this.#onVerdict(verdict);
  }
}
