/**
 * What one upstream answer means for the key that produced it.
 * The pool acts on it; the surfaces decide from it whether to retry on another key.
 */
export type Outcome =
  | { kind: 'ok' }
  /** The key itself is dead (invalid, expired, suspended, API disabled). `reason` is a code, never a message. */
  | { kind: 'invalid'; reason: string }
  /** Out of quota for a model. `model` is the one Gemini names in QuotaFailure, when it does. */
  | { kind: 'quota'; retryAfterMs: number; perDay: boolean; model?: string }
  /** Gemini or the network hiccuped; another key (or the same later) may succeed. */
  | { kind: 'transient' }
  /** The caller's own mistake: no penalty for the key, no retry. */
  | { kind: 'client-error' };

export type OutcomeKind = Outcome['kind'];
