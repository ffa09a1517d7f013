import { type GeminiErrorSummary, parseGeminiError } from '../gemini/error-envelope.ts';
import { longestRestMs } from './key-rests.ts';
import { nextPacificMidnight } from './next-pacific-midnight.ts';
import type { Outcome } from './outcome.ts';

export type ClassifyOptions = {
  /** Cool-down for a 429 that carries no delay hint. */
  defaultQuotaDelayMs?: number;
  /** One of Gemini's seconds, in ms: 1000, except in benchmarks that compress time (durations scale). */
  secondMs?: number;
};

export const defaultQuotaDelayMs = 60_000;

/**
 * ErrorInfo reasons that condemn the key (or its project), not the request.
 * A bare 403 is NOT in this list on purpose: "You do not have permission to access the File x"
 * is a 403 too, and a client asking for someone else's file must not be able to disable our keys.
 */
const deadKeyReasons = new Set([
  'API_KEY_INVALID',
  'API_KEY_EXPIRED',
  'CONSUMER_SUSPENDED',
  'CONSUMER_INVALID',
  'SERVICE_DISABLED',
  'BILLING_DISABLED',
  'PROJECT_DENIED',
  'API_KEY_SERVICE_BLOCKED',
  'API_KEY_HTTP_REFERRER_BLOCKED',
  'API_KEY_IP_ADDRESS_BLOCKED',
  'API_KEY_ANDROID_APP_BLOCKED',
  'API_KEY_IOS_APP_BLOCKED',
]);

/**
 * Messages that condemn the key when no ErrorInfo says so; each maps to the code we record.
 * Anchored at the start on purpose: Google echoes a client's unknown field names back in its
 * messages ('Unknown name "API key not valid"'), and an unanchored match would let any client
 * disable our keys with a crafted body.
 */
const deadKeyMessages: ReadonlyArray<[RegExp, string]> = [
  [/^API key not valid\b/, 'API_KEY_INVALID'],
  [/^API key expired\b/, 'API_KEY_EXPIRED'],
  [/^Your API key was reported as leaked\b/, 'API_KEY_LEAKED'],
  [/^Permission denied: Consumer '[^']*' has been suspended\.?$/, 'CONSUMER_SUSPENDED'],
  [/^Method doesn't allow unregistered callers\b/, 'UNREGISTERED_CALLER'],
  [/^[\w ]+ API has not been used in project \d+ before or it is disabled\b/, 'SERVICE_DISABLED'],
];

const transientStatuses = new Set([408, 500, 502, 503, 504]);

function deadKeyReason(summary: GeminiErrorSummary): string | undefined {
  const reason = summary.reasons.find((candidate) => deadKeyReasons.has(candidate));
  if (reason !== undefined) return reason;
  return deadKeyMessages.find(([pattern]) => pattern.test(summary.message))?.[1];
}

function quotaOutcome(summary: GeminiErrorSummary, now: Date, options: ClassifyOptions): Outcome {
  const perDay = summary.quotaIds.some((quotaId) => quotaId.includes('PerDay'));
  // Whole seconds are cut down, so wait one more; and never a zero cooldown ("0s" would hand the
  // key straight back for another 429).
  const second = options.secondMs ?? 1000;
  const hinted =
    summary.retryDelayMs === undefined
      ? undefined
      : (summary.retryDelayMs * second) / 1000 + (summary.retryDelayRounded ? second : 0);
  // Clamped before anything stores it: "99999999999999s" is an error, not a plan.
  const longest = (longestRestMs * second) / 1000;
  const retryAfterMs = perDay
    ? nextPacificMidnight(now).getTime() - now.getTime()
    : Math.ceil(
        Math.min(longest, Math.max(second, hinted ?? options.defaultQuotaDelayMs ?? defaultQuotaDelayMs)),
      );
  // The window may end as early as the figure Gemini gave (to the ms with the message's "36.43s").
  const given = ((summary.retryDelayMs ?? 0) * second) / 1000;
  const uncertainty = Math.max(0, retryAfterMs - given);
  return {
    kind: 'quota',
    retryAfterMs,
    perDay,
    ...(hinted === undefined || perDay ? {} : { retryAfterUncertaintyMs: uncertainty }),
    ...(summary.model === undefined ? {} : { model: summary.model }),
    ...(summary.requestLimit === undefined || perDay ? {} : { requestLimit: summary.requestLimit }),
  };
}

/**
 * What an upstream answer means for the key, from status and body (DESIGN.md, error table).
 * `bodyText` may be missing, truncated, HTML or not JSON: that never throws.
 */
export function classifyUpstreamResponse(
  status: number,
  bodyText: string | undefined,
  now: Date,
  options: ClassifyOptions = {},
): Outcome {
  if (status < 400) return { kind: 'ok' };
  if (transientStatuses.has(status)) return { kind: 'transient', scope: 'model' };
  if (status === 400 || status === 401 || status === 403) {
    const reason = deadKeyReason(parseGeminiError(bodyText));
    return reason === undefined ? { kind: 'client-error' } : { kind: 'invalid', reason };
  }
  if (status === 429) return quotaOutcome(parseGeminiError(bodyText), now, options);
  // 501 (not implemented) will not get better on another key; other 5xx are Gemini having a bad moment.
  if (status >= 500 && status !== 501) return { kind: 'transient', scope: 'model' };
  return { kind: 'client-error' };
}

/**
 * A request that got no HTTP answer (reset, refused, DNS, TLS, connect timeout) says something about
 * the path it took (the upstream host, or the key's outbound proxy), not the key: counted, no rest.
 * Do not report a request the client itself cancelled: that says nothing about the key.
 */
export function classifyNetworkError(_error: unknown): Outcome {
  return { kind: 'transient', scope: 'path' };
}
