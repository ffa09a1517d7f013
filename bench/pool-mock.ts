/**
 * A Gemini stand-in that enforces quotas the way Gemini does, compressed in time: every (key, model)
 * may make `limit` generateContent calls per window (a "minute" of `windowMs`), each key's windows
 * starting at its own phase. The 6th call of a window gets the recorded 429 body re-aimed at the model
 * with `retryDelay` set to what is left of the window, in whole compressed seconds as Gemini
 * does, and the message Gemini sends today with the precise figure ("Please retry in 37.912345678s."
 * comes with `"retryDelay": "37s"`). Keys are told apart ONLY by the
 * `x-goog-api-key` header; the mock keeps its own accounting of every call and of spare capacity.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fixtureBytes } from '../test/mock-upstream/fixtures.ts';
import { quotaBody } from '../test/mock-upstream/key-behaviours.ts';

export type KeyKind = 'healthy' | 'flaky' | 'invalid' | 'suspended' | 'day-exhausted';

/**
 * How Gemini lays out a (key, model)'s windows, which it does not document: `phased` — back to back
 * from a phase of the key's own; `first-call` — a window opens at the first call accepted after the
 * previous one ended.
 */
export type WindowModel = 'phased' | 'first-call';

export type QuotaMockOptions = {
  keys: ReadonlyMap<string, KeyKind>;
  windowMs: number;
  /** Calls per (key, model) per window; also the QuotaFailure `quotaValue`. */
  limit: number;
  windowModel: WindowModel;
  /** Compressed seconds per real second (a 4 s "minute" makes 15): retryDelay counts compressed seconds. */
  timeScale: number;
  /** Models the day-exhausted keys have used up for today; they serve the others normally. */
  dayExhaustedModels: ReadonlySet<string>;
  /** Share of the flaky key's calls answered 503 (before any quota is counted). */
  flakyShare: number;
  /** A success takes this long (uniform), like a generation; errors are answered at once. */
  successLatencyMs: readonly [number, number];
  random: () => number;
};

/** Upstream answers for one model. A 429 "repeat" hit a key that had already 429'd in the same window. */
export type UpstreamTally = {
  calls: number;
  ok: number;
  dead: number;
  dayQuota: number;
  windowFirst: number;
  windowRepeatRace: number;
  windowRepeatEarly: number;
  overloaded: number;
};

export const emptyTally = (): UpstreamTally => ({
  calls: 0,
  ok: 0,
  dead: 0,
  dayQuota: 0,
  windowFirst: 0,
  windowRepeatRace: 0,
  windowRepeatEarly: 0,
  overloaded: 0,
});

export const wasted = (tally: UpstreamTally): number => tally.calls - tally.ok;

export type Capacity = {
  /** Keys that could still serve the model right now. */
  keys: number;
  /** Same, other than the flaky key (which the pool may rightly be backing off after a 503). */
  reliableKeys: number;
  /** Same, leaving out keys whose window began less than `graceMs` ago (a reset the pool cannot know yet). */
  settledKeys: number;
  /** Settled keys other than the flaky one. */
  settledReliableKeys: number;
  /** For each reliable key with room: what the pool was last told about it (see `QuotaMock.trace`). */
  trace: string[];
};

/** What the mock last told the pool about one (key, model): for tracing a refusal while the key had room. */
type Told = { at: number; lastQuotaAt: number; advertisedEnd: number; wholeEnd: number; calls: number };

/** One (key, model)'s current window: `index` for phased windows, `start` for first-call ones. */
type Window = { index: number; start: number; used: number; rejected: number; retryAdvertisedAt: number };

const json = { 'content-type': 'application/json; charset=UTF-8' };
const successBody = fixtureBytes('generate-content-response.json');
const invalidBody = fixtureBytes('error-400-invalid-key.json');
const suspendedBody = fixtureBytes('error-403-consumer-suspended.json');
const overloadedBody = fixtureBytes('error-503-overloaded.json');
const notFoundBody = fixtureBytes('error-404-model-not-found-v1beta.json');
const listModelsBody = fixtureBytes('list-models.json');
const minuteQuotaId = 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier';
const dayQuotaId = 'GenerateRequestsPerDayPerProjectPerModel-FreeTier';

export class QuotaMock {
  readonly #options: QuotaMockOptions;
  readonly #server: Server;
  readonly #phases = new Map<string, number>();
  readonly #windows = new Map<string, Window>();
  readonly #tallies = new Map<string, { all: UpstreamTally; steady: UpstreamTally }>();
  readonly #told = new Map<string, Told>();
  /** Each first 429 of a window after the first window: what the mock last told the pool about that key. */
  readonly quotaTrace: string[] = [];
  #epoch = performance.now();
  url = '';

  private constructor(options: QuotaMockOptions) {
    this.#options = options;
    for (const key of options.keys.keys()) this.#phases.set(key, options.random() * options.windowMs);
    this.#server = createServer((request, response) => {
      request.resume();
      request.once('end', () => this.#handle(request, response));
    });
  }

  static async start(options: QuotaMockOptions): Promise<QuotaMock> {
    const mock = new QuotaMock(options);
    await new Promise<void>((resolve) => mock.#server.listen(0, '127.0.0.1', resolve));
    mock.url = `http://127.0.0.1:${(mock.#server.address() as AddressInfo).port}`;
    return mock;
  }

  /** Time zero: windows are laid out from here, and calls after the first window count as "steady". */
  begin(): void {
    this.#epoch = performance.now();
    this.#windows.clear();
    this.#tallies.clear();
    this.#told.clear();
  }

  tally(model: string): { all: UpstreamTally; steady: UpstreamTally } {
    return this.#tallies.get(model) ?? { all: emptyTally(), steady: emptyTally() };
  }

  capacity(model: string, graceMs = 100): Capacity {
    const now = performance.now();
    const capacity: Capacity = {
      keys: 0,
      reliableKeys: 0,
      settledKeys: 0,
      settledReliableKeys: 0,
      trace: [],
    };
    for (const [key, kind] of this.#options.keys) {
      if (!this.#canServe(kind, model)) continue;
      const { used, openedAt } = this.#current(key, model, now);
      if (used >= this.#options.limit) continue;
      capacity.keys++;
      if (kind !== 'flaky') capacity.reliableKeys++;
      if (kind !== 'flaky') capacity.trace.push(this.trace(key, model, now));
      if (now - openedAt < graceMs) continue;
      capacity.settledKeys++;
      if (kind !== 'flaky') capacity.settledReliableKeys++;
    }
    return capacity;
  }

  /**
   * One key with room at `now`, as the pool may have seen it: how long its window has had room,
   * its calls in it, when the last 429 to it left and the end it gave (precise, and in whole
   * seconds), and the calls the pool sent it since.
   */
  trace(key: string, model: string, now: number): string {
    const { used, openedAt } = this.#current(key, model, now);
    const told = this.#told.get(`${key} ${model}`);
    const index = [...this.#options.keys.keys()].indexOf(key);
    const since = (at: number) => (Number.isFinite(at) ? `${(now - at).toFixed(0)} ms ago` : 'never');
    const ends = (at: number) => (Number.isFinite(at) ? `${(at - now).toFixed(0)} ms from now` : 'none');
    return [
      `key #${index} room since ${since(openedAt)} (${used} used)`,
      `last 429 ${since(told?.lastQuotaAt ?? Number.NaN)}, its end ${ends(told?.advertisedEnd ?? Number.NaN)} (whole s: ${ends(told?.wholeEnd ?? Number.NaN)})`,
      `${told?.calls ?? 0} calls since, last ${since(told?.at ?? Number.NaN)}`,
    ].join(', ');
  }

  /** Calls counted in (key, model)'s window at `now`, and since when it has had room again (a reset). */
  #current(key: string, model: string, now: number): { used: number; openedAt: number } {
    const window = this.#windows.get(`${key} ${model}`);
    if (this.#options.windowModel === 'first-call') {
      const end = (window?.start ?? Number.NEGATIVE_INFINITY) + this.#options.windowMs;
      return end <= now
        ? { used: 0, openedAt: end }
        : { used: window?.used ?? 0, openedAt: window?.start ?? 0 };
    }
    const { index, start } = this.#windowAt(key, now);
    return { used: window?.index === index ? window.used : 0, openedAt: start };
  }

  /**
   * Which of `arrivals` (ms after `begin`) an all-knowing router would have served for `model`: it
   * sees every window and sends each request to a key with room whose window ends first (opening
   * a new first-call window only when no open one has room). The flaky key counts as reliable.
   * `slidingSafe`: the best a router can do that never risks a 429 however the windows are aligned.
   */
  oracle(model: string, arrivals: readonly number[], slidingSafe = false): boolean[] {
    const { limit, windowMs } = this.#options;
    const keys = [...this.#options.keys]
      .filter(([, kind]) => this.#canServe(kind, model))
      .map(([key]) => key);
    const windows = new Map<string, { id: number; end: number; used: number }>();
    // With `slidingSafe`, the router also never puts more than `limit` calls in any window-long span.
    const recent = new Map<string, number[]>();
    const served: boolean[] = [];
    for (const at of arrivals) {
      let best: string | undefined;
      let bestEnd = Number.POSITIVE_INFINITY;
      for (const key of keys) {
        const window = this.#oracleWindow(key, at, windows.get(key));
        const spans = recent.get(key) ?? [];
        const slidingRoom = !slidingSafe || spans.length < limit || (spans[0] ?? 0) <= at - windowMs;
        if (window.used < limit && slidingRoom && window.end < bestEnd) {
          best = key;
          bestEnd = window.end;
        }
      }
      served.push(best !== undefined);
      if (best === undefined) continue;
      const window = this.#oracleWindow(best, at, windows.get(best));
      windows.set(best, { ...window, used: window.used + 1 });
      const spans = recent.get(best) ?? [];
      spans.push(at);
      if (spans.length > limit) spans.shift();
      recent.set(best, spans);
    }
    return served;
  }

  /** The window the oracle sees for a key at `at`: its current one, or a new one (first-call: opening now, ending last). */
  #oracleWindow(
    key: string,
    at: number,
    known: { id: number; end: number; used: number } | undefined,
  ): { id: number; end: number; used: number } {
    if (this.#options.windowModel === 'first-call') {
      if (known !== undefined && at < known.end) return known;
      // A fresh window is the last choice: it ends only a whole window from now.
      return { id: at, end: at + this.#options.windowMs + 1e-3, used: 0 };
    }
    const { index, end } = this.#windowAt(key, this.#epoch + at);
    return known?.id === index ? known : { id: index, end, used: 0 };
  }

  /** Upper bound of what the keys could serve `model` in [begin, begin + durationMs]: every window touched, in full. */
  deliverable(model: string, durationMs: number): number {
    let total = 0;
    for (const [key, kind] of this.#options.keys) {
      if (!this.#canServe(kind, model)) continue;
      const windows =
        this.#options.windowModel === 'first-call'
          ? Math.ceil(durationMs / this.#options.windowMs)
          : this.#windowAt(key, this.#epoch + durationMs).index - this.#windowAt(key, this.#epoch).index + 1;
      total += windows * this.#options.limit;
    }
    return total;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }

  #canServe(kind: KeyKind, model: string): boolean {
    if (kind === 'healthy' || kind === 'flaky') return true;
    return kind === 'day-exhausted' && !this.#options.dayExhaustedModels.has(model);
  }

  #windowAt(key: string, now: number): { index: number; start: number; end: number } {
    const { windowMs } = this.#options;
    const phase = this.#phases.get(key) ?? 0;
    const index = Math.floor((now - this.#epoch - phase) / windowMs);
    const start = this.#epoch + phase + index * windowMs;
    return { index, start, end: start + windowMs };
  }

  #count(model: string, field: keyof UpstreamTally, now: number): void {
    let tallies = this.#tallies.get(model);
    if (tallies === undefined) {
      tallies = { all: emptyTally(), steady: emptyTally() };
      this.#tallies.set(model, tallies);
    }
    tallies.all[field]++;
    if (now - this.#epoch >= this.#options.windowMs) tallies.steady[field]++;
  }

  #handle(request: IncomingMessage, response: ServerResponse): true {
    const url = request.url ?? '/';
    const key = String(request.headers['x-goog-api-key'] ?? '');
    const kind = this.#options.keys.get(key) ?? 'invalid';
    const model = /^\/v1beta\/models\/([^/:?]+):generateContent/.exec(url)?.[1] ?? '(none)';
    if (kind === 'invalid' || kind === 'suspended') {
      const now = performance.now();
      this.#count(model, 'calls', now);
      this.#count(model, 'dead', now);
      return answer(
        response,
        kind === 'invalid' ? 400 : 403,
        kind === 'invalid' ? invalidBody : suspendedBody,
      );
    }
    if (request.method === 'GET' && url.startsWith('/v1beta/models?'))
      return answer(response, 200, listModelsBody);
    if (model === '(none)' || request.method !== 'POST') return answer(response, 404, notFoundBody);
    return this.#generate(key, kind, model, response);
  }

  #generate(key: string, kind: KeyKind, model: string, response: ServerResponse): true {
    const now = performance.now();
    this.#count(model, 'calls', now);
    const window = this.#windowAt(key, now);
    if (!this.#canServe(kind, model)) {
      this.#count(model, 'dayQuota', now);
      return answer(response, 429, this.#quota(model, dayQuotaId, window.end - now));
    }
    if (kind === 'flaky' && this.#options.random() < this.#options.flakyShare) {
      this.#count(model, 'overloaded', now);
      return answer(response, 503, overloadedBody);
    }
    const id = `${key} ${model}`;
    const told = this.#told.get(id) ?? {
      at: Number.NaN,
      lastQuotaAt: Number.NaN,
      advertisedEnd: Number.NaN,
      wholeEnd: Number.NaN,
      calls: 0,
    };
    this.#told.set(id, told);
    told.at = now;
    told.calls++;
    const state = this.#window(id, window.index, now);
    const left =
      this.#options.windowModel === 'first-call'
        ? state.start + this.#options.windowMs - now
        : window.end - now;
    if (state.used >= this.#options.limit) {
      const repeat = state.rejected > 0;
      this.#count(
        model,
        !repeat ? 'windowFirst' : now >= state.retryAdvertisedAt ? 'windowRepeatEarly' : 'windowRepeatRace',
        now,
      );
      if (!repeat && now - this.#epoch >= this.#options.windowMs)
        this.quotaTrace.push(
          `${(now - this.#epoch).toFixed(0)} ms: 429 to key #${[...this.#options.keys.keys()].indexOf(key)}, its window opened ${(now - (this.#options.windowModel === 'first-call' ? state.start : window.start)).toFixed(0)} ms ago (${state.used} used); ` +
            `previous 429 ${Number.isNaN(told.lastQuotaAt) ? 'never' : `${(now - told.lastQuotaAt).toFixed(0)} ms ago, its end ${(told.advertisedEnd - now).toFixed(0)} ms from now`}, ${told.calls - 1} calls since`,
        );
      state.rejected++;
      told.lastQuotaAt = now;
      told.advertisedEnd = now + Math.max(0, left);
      told.wholeEnd = now + (this.#advertisedDelaySeconds(left) * 1000) / this.#options.timeScale;
      told.calls = 0;
      state.retryAdvertisedAt = Math.min(state.retryAdvertisedAt, now + Math.max(0, left));
      return answer(response, 429, this.#quota(model, minuteQuotaId, left));
    }
    state.used++;
    this.#count(model, 'ok', now);
    const [low, high] = this.#options.successLatencyMs;
    setTimeout(() => answer(response, 200, successBody), low + this.#options.random() * (high - low));
    return true;
  }

  /** The (key, model)'s window at `now`: phased by index; first-call opens a new one once the last has ended. */
  #window(id: string, index: number, now: number): Window {
    const state = this.#windows.get(id);
    const fresh = (): Window => ({
      index,
      start: now,
      used: 0,
      rejected: 0,
      retryAdvertisedAt: Number.POSITIVE_INFINITY,
    });
    const expired =
      this.#options.windowModel === 'first-call'
        ? state === undefined || now >= state.start + this.#options.windowMs
        : state?.index !== index;
    if (!expired && state !== undefined) return state;
    const next = fresh();
    this.#windows.set(id, next);
    return next;
  }

  /**
   * Gemini truncates RetryInfo.retryDelay to whole seconds. Here those are compressed seconds
   * (1/timeScale of a real one): the body looks exactly like Gemini's ("37s"), and the service,
   * told the length of a minute (QUOTA_MINUTE_MS), reads them on the same scale.
   */
  #advertisedDelaySeconds(leftMs: number): number {
    return Math.floor((Math.max(0, leftMs) / 1000) * this.#options.timeScale);
  }

  /**
   * The recorded 429 (via quotaBody), counting requests: the metric and quotaValue say so, and the
   * message is the one Gemini sends today, with the precise time left (in compressed seconds),
   * as recorded in https://github.com/ogkalu2/comic-translate/issues/403 (January 2026).
   */
  #quota(model: string, quotaId: string, leftMs: number): string {
    const body = JSON.parse(quotaBody(model, quotaId, this.#advertisedDelaySeconds(leftMs))) as {
      error: { message: string; details: Array<{ violations?: Array<Record<string, unknown>> }> };
    };
    const limit = quotaId === dayQuotaId ? this.#options.limit * 50 : this.#options.limit;
    const metric = 'generativelanguage.googleapis.com/generate_content_free_tier_requests';
    for (const violation of body.error.details.flatMap((detail) => detail.violations ?? [])) {
      violation.quotaMetric = metric;
      violation.quotaValue = String(limit);
    }
    const precise = ((Math.max(0, leftMs) / 1000) * this.#options.timeScale).toFixed(9);
    body.error.message =
      'You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits. To monitor your current usage, head to: https://ai.dev/rate-limit. ' +
      `\n* Quota exceeded for metric: ${metric}, limit: ${limit}, model: ${model}\nPlease retry in ${precise}s.`;
    return JSON.stringify(body, null, 2);
  }
}

function answer(response: ServerResponse, status: number, body: string | Buffer): true {
  if (response.destroyed) return true;
  response.writeHead(status, json);
  response.end(body);
  return true;
}
