import { normalizeModel } from '../gemini/model-name.ts';
import type { KeyStateStore, LearntLimit } from '../store/key-state-store.ts';
import type { KeyEntry } from './key-entry.ts';
import type { KeyRests } from './key-rests.ts';
import type { KnownModels } from './known-models.ts';
import { nextPacificMidnight } from './next-pacific-midnight.ts';
import type { Outcome } from './outcome.ts';
import type { PoolEventListener } from './pool-events.ts';
import { type QuotaCountPolicy, QuotaWindows } from './quota-windows.ts';
import { WindowLayout } from './window-layout.ts';

/**
 * Quota as the pool keeps it: cooldowns from 429s (per minute, or until the quota day ends),
 * request limits learnt from them and counted attempt by attempt (`QuotaWindows`), persisted, and
 * always under the model Gemini counts a call against (an alias spends its target's quota).
 */
export class QuotaRests {
  readonly #rests: KeyRests;
  readonly #models: KnownModels;
  readonly #store: KeyStateStore;
  readonly #emit: PoolEventListener;
  readonly windows: QuotaWindows;

  constructor(
    parts: { rests: KeyRests; models: KnownModels; store: KeyStateStore; emit: PoolEventListener },
    options: {
      minuteMs?: number | undefined;
      marginMs?: number | undefined;
      policy?: QuotaCountPolicy | undefined;
    },
  ) {
    this.#rests = parts.rests;
    this.#models = parts.models;
    this.#store = parts.store;
    this.#emit = parts.emit;
    this.windows = new QuotaWindows({
      ...(options.minuteMs === undefined ? {} : { minuteMs: options.minuteMs }),
      ...(options.marginMs === undefined ? {} : { marginMs: options.marginMs }),
      ...(options.policy === undefined ? {} : { policy: options.policy }),
      layout: new WindowLayout({
        probeMs: options.minuteMs ?? 60_000,
        onVerdict: (verdict) => verdict !== 'unknown' && this.#emit({ type: 'window-layout', verdict }),
      }),
    });
  }

  /** Limits saved before a restart; their models were vouched for then. */
  restore(id: string, limits: ReadonlyMap<string, LearntLimit>): void {
    for (const [model, limit] of limits) {
      this.#models.accept(model);
      this.windows.restore(id, model, limit);
    }
  }

  /** An attempt leaves with this key: once its learnt limit is full, it rests (both names of an alias). */
  attempt(entry: KeyEntry, model: string, now: number): void {
    const state = normalizeModel(model);
    const full = this.windows.onLease(entry.id, state, now);
    if (full === undefined) return;
    this.#rests.cool(entry, state, full, now);
    const counted = this.windows.quotaModel(state);
    if (counted !== state) this.#rests.cool(entry, counted, full, now);
  }

  /** Any answer, a 429 too (before `exhausted`): the window layout matches it to its attempt. */
  answered(entry: KeyEntry, model: string, outcome: Outcome): void {
    const answer = outcome.kind === 'ok' ? 'ok' : outcome.kind === 'quota' ? 'quota' : 'other';
    this.windows.onAnswer(entry.id, normalizeModel(model), answer);
  }

  /** A 429: cool the key, learn (or re-synchronise) its limit, tell the operator of a day's quota spent. */
  exhausted(entry: KeyEntry, model: string, outcome: Outcome & { kind: 'quota' }, now: number): void {
    const requested = normalizeModel(model);
    const named = outcome.model === undefined ? requested : normalizeModel(outcome.model);
    // Gemini named the model in its QuotaFailure: a real model, worth its own state.
    if (outcome.model !== undefined) this.#models.accept(named);
    this.#models.track(requested);
    const state = requested;
    const counted = named;
    const until = outcome.perDay ? nextPacificMidnight(new Date(now)).getTime() : now + outcome.retryAfterMs;
    const cooled = this.#rests.cool(entry, state, until, now);
    // A model alias (gemini-flash-latest) exhausts the quota of the model Gemini names.
    const cooledNamed = counted !== state && this.#rests.cool(entry, counted, until, now);
    if (outcome.perDay) {
      if (cooled || cooledNamed)
        this.#emit({ type: 'key-cooling-for-day', keyFingerprint: entry.id, model: counted, until });
      return;
    }
    const uncertainty = outcome.retryAfterUncertaintyMs ?? Number.POSITIVE_INFINITY;
    const { requestLimit, retryAfterMs } = outcome;
    this.windows.onQuota(entry.id, state, requestLimit, retryAfterMs, now, counted, uncertainty);
    if (outcome.requestLimit !== undefined && this.windows.limitOf(entry.id, counted) !== undefined)
      this.#store.saveLimit(entry.id, counted, outcome.requestLimit);
  }
}
