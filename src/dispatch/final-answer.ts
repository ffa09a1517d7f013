import { AppError, errors } from '../errors/app-error.ts';
import type { Unavailable } from '../pool/lease.ts';
import type { Outcome } from '../pool/outcome.ts';
import { unregisteredCaller } from '../pool/path-faults.ts';
import type { DispatchResult } from './dispatcher.ts';
import type { KeyChoice } from './key-chooser.ts';
import { unavailableError } from './unavailable-error.ts';

/** The latest attempt: an upstream answer, or a failure to get one. */
export type Tried = {
  outcome: Outcome;
  result?: DispatchResult;
  failure?: unknown;
  /** The pool judged a dead-key answer to be a fault of the path or configuration. */
  pathFault?: boolean;
};

/** The latest upstream answer, or its failure thrown (502 unreachable, 504 timeout). */
export function settle(latest: Tried | undefined): DispatchResult {
  if (latest?.result !== undefined) return latest.result;
  throw latest?.failure ?? errors.noKeysConfigured();
}

/**
 * What the client hears when no key is left to try, in words that say which case it is: every key
 * dead (503); the way out down (the network failure just seen: 502/504, else 503 + Retry-After);
 * every key really out of quota (429 + Retry-After from the first key that frees up); keys resting
 * after errors, not quota (503 + Retry-After, or Gemini's own 5xx just received, unchanged).
 */
export function noKeyLeft(
  reason: Exclude<KeyChoice, { kind: 'lease' }>,
  latest: Tried | undefined,
  model: string | undefined,
): DispatchResult {
  if (reason.kind === 'all-dead') throw errors.allKeysDead();
  if (latest?.failure !== undefined) return settle(latest);
  if (latest?.result !== undefined && latest.outcome.kind === 'transient') return latest.result;
  // Every key really is out of quota and Gemini just said so: its words, with when the first key frees up.
  if (latest?.result !== undefined && latest.outcome.kind === 'quota' && quotaOnly(reason)) {
    latest.result.headers['retry-after'] = String(seconds(reason.retryAfterMs));
    return latest.result;
  }
  if (latest !== undefined && reason.kind === 'exhausted') {
    // Keys with room are left, but this call tried them all (they failed in ways that rest nobody).
    const outcome = latest.outcome.kind;
    if (outcome === 'quota' || outcome === 'invalid') throw errors.retriesExhausted(model ?? 'this model');
    return settle(latest);
  }
  throw unavailableError(reason, model);
}

/**
 * Every attempt allowed was spent. A 5xx or a network failure is the client's answer as it came;
 * after quotas or dead keys the pool says what is true now (`now`: what a fresh pick would get):
 * really out of quota → 429, a key still has room → 503 "retry", all dead → 503.
 */
export function afterLastAttempt(
  latest: Tried | undefined,
  now: KeyChoice,
  model: string | undefined,
): DispatchResult {
  const outcome = latest?.outcome.kind;
  if (outcome !== 'quota' && outcome !== 'invalid') return settle(latest);
  if (now.kind === 'lease') throw errors.retriesExhausted(model ?? 'this model');
  return noKeyLeft(now, latest, model);
}

function quotaOnly(
  reason: Exclude<KeyChoice, { kind: 'lease' }>,
): reason is Unavailable & { kind: 'cooling' } {
  return reason.kind === 'cooling' && reason.cause === 'quota';
}

const seconds = (milliseconds: number): number => Math.max(1, Math.ceil(milliseconds / 1000));

/** No first byte within the timeout: a slow generation or a stuck path (not a refused connection). */
export function isFirstByteTimeout(failure: unknown): boolean {
  const cause = failure instanceof AppError ? failure.cause : failure;
  return (cause as { code?: unknown } | null)?.code === 'UND_ERR_HEADERS_TIMEOUT';
}

/** No key reached Google: a path fault, never retried. */
export const unregistered = (outcome: Outcome): boolean =>
  outcome.kind === 'invalid' && outcome.reason === unregisteredCaller;

/** A dead key, a quota or a transient failure moves on to another key. */
export function isRetryable(outcome: Outcome): boolean {
  return outcome.kind === 'invalid' || outcome.kind === 'quota' || outcome.kind === 'transient';
}
