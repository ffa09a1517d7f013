import type { RequestLimit } from '../gemini/error-envelope.ts';

export type { RequestLimit };

/**
 * What one upstream answer means for the key that produced it.
 * The pool acts on it; the surfaces decide from it whether to retry on another key.
 */
export type Outcome =
  | { kind: 'ok' }
  /** The key itself is dead (invalid, expired, suspended, API disabled). `reason` is a code, never a message. */
  | { kind: 'invalid'; reason: string }
  /**
   * Out of quota for a model. `model` is the one Gemini names in QuotaFailure, when it does.
   * `requestLimit` is a per-minute request quota Gemini stated (QuotaFailure `quotaValue`), so the
   * pool can count requests and stop before the next 429. `retryAfterUncertaintyMs`: how much
   * earlier than `retryAfterMs` the window may really end (a second when Gemini gave whole seconds
   * only, 0 with its precise "Please retry in 36.43s"); absent when Gemini gave no delay at all.
   */
  | {
      kind: 'quota';
      retryAfterMs: number;
      perDay: boolean;
      model?: string;
      requestLimit?: RequestLimit;
      retryAfterUncertaintyMs?: number;
    }
  /**
   * Gemini or the network hiccuped; another key (or the same later) may succeed. An HTTP 5xx is
   * about one model ("The model is overloaded"): `scope: 'model'` backs off only that (key, model).
   * A network failure is about the path it took (`scope: 'path'`): counted, the key does not rest.
   * Without a scope the whole key rests.
   */
  | { kind: 'transient'; scope?: 'model' | 'path' }
  /** The caller's own mistake: no penalty for the key, no retry. */
  | { kind: 'client-error' };

export type OutcomeKind = Outcome['kind'];
