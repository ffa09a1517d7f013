import { z } from 'zod';
import { parseJsonOrUndefined } from '../json/lenient-json.ts';

/** A request-count quota per time window, as Gemini states it in a 429. */
export type RequestLimit = { limit: number; windowMs: number };

/** What the pool needs to know from a Gemini error body. Never includes the message of a 403, which can quote the key. */
export type GeminiErrorSummary = {
  message: string;
  /** `ErrorInfo.reason` of every detail that has one, e.g. `API_KEY_INVALID`. */
  reasons: string[];
  /** The later of `RetryInfo.retryDelay` and the message's "Please retry in 12.3s". */
  retryDelayMs: number | undefined;
  /** True when only RetryInfo's whole seconds were given: the real delay may be up to a second longer. */
  retryDelayRounded: boolean;
  /** Quota ids of `QuotaFailure` violations and `ErrorInfo.metadata.quota_limit`. */
  quotaIds: string[];
  /** `QuotaFailure.violations[].quotaDimensions.model`. */
  model: string | undefined;
  /** A per-minute request quota among the violations (`…Requests…PerMinute…`, `quotaValue`). */
  requestLimit: RequestLimit | undefined;
};

// Lenient on purpose: a field of an unexpected type is dropped, never fatal.
const text = z.string().nullish().catch(undefined);
const list = z.array(z.unknown()).nullish().catch(undefined);

const errorSchema = z.looseObject({
  code: z.number().nullish().catch(undefined),
  message: text,
  status: text,
  details: list,
});
const envelopeSchema = z.looseObject({ error: errorSchema });

/** Gemini's error object, `{"error":{code,message,status,details}}`, read leniently. */
export type GeminiError = {
  code: number | undefined;
  message: string | undefined;
  status: string | undefined;
  details: unknown[];
};

const detailSchema = z.looseObject({
  reason: text,
  retryDelay: z.unknown().optional(),
  violations: list,
  metadata: z.looseObject({ quota_limit: text }).nullish().catch(undefined),
});

const violationSchema = z.looseObject({
  quotaId: text,
  quotaValue: z.union([z.string(), z.number()]).nullish().catch(undefined),
  quotaDimensions: z.looseObject({ model: text }).nullish().catch(undefined),
});

// Bodies are small; anything larger is not an error envelope worth parsing.
const maximumBodyLength = 256 * 1024;

const emptySummary = (): GeminiErrorSummary => ({
  message: '',
  reasons: [],
  retryDelayMs: undefined,
  retryDelayRounded: false,
  quotaIds: [],
  model: undefined,
  requestLimit: undefined,
});

/** Proto3 JSON durations: "26s", "1.5s"; tolerate `{ seconds, nanos }` too. */
export function parseRetryDelay(value: unknown): number | undefined {
  if (typeof value === 'string') {
    const match = /^(\d+(?:\.\d+)?)s$/.exec(value.trim());
    return match?.[1] === undefined ? undefined : Math.round(Number(match[1]) * 1000);
  }
  const parsed = z.object({ seconds: z.coerce.number(), nanos: z.number().optional() }).safeParse(value);
  if (!parsed.success || !Number.isFinite(parsed.data.seconds)) return undefined;
  return Math.round(parsed.data.seconds * 1000 + (parsed.data.nanos ?? 0) / 1e6);
}

function delayFromMessage(message: string): number | undefined {
  const match = /retry in (\d+(?:\.\d+)?)\s*s/i.exec(message);
  return match?.[1] === undefined ? undefined : Math.round(Number(match[1]) * 1000);
}

/** Only request counts per minute are worth counting ourselves; token quotas depend on the request. */
function requestLimitOf(
  quotaId: string | null | undefined,
  value: string | number | null | undefined,
): RequestLimit | undefined {
  if (!quotaId || !/Requests/i.test(quotaId) || !/PerMinute/i.test(quotaId)) return undefined;
  const limit = Number(value);
  return Number.isInteger(limit) && limit > 0 ? { limit, windowMs: 60_000 } : undefined;
}

function readViolations(violations: unknown[], summary: GeminiErrorSummary): void {
  for (const raw of violations) {
    const violation = violationSchema.safeParse(raw);
    if (!violation.success) continue;
    if (violation.data.quotaId) summary.quotaIds.push(violation.data.quotaId);
    summary.requestLimit ??= requestLimitOf(violation.data.quotaId, violation.data.quotaValue);
    summary.model ??= violation.data.quotaDimensions?.model ?? undefined;
  }
}

function readDetail(raw: unknown, summary: GeminiErrorSummary): void {
  const detail = detailSchema.safeParse(raw);
  if (!detail.success) return;
  if (detail.data.reason) summary.reasons.push(detail.data.reason);
  if (detail.data.metadata?.quota_limit) summary.quotaIds.push(detail.data.metadata.quota_limit);
  summary.retryDelayMs ??= parseRetryDelay(detail.data.retryDelay);
  if (detail.data.violations) readViolations(detail.data.violations, summary);
}

/**
 * The one reader of Gemini's error envelope: `{"error":…}`, or `[{"error":…}]` from a JSON-array
 * stream; with `bare`, also the inner object alone (as some stream chunks carry it). Never throws.
 */
export function readGeminiErrorValue(
  value: unknown,
  options: { bare?: boolean } = {},
): GeminiError | undefined {
  const json = Array.isArray(value) ? value[0] : value;
  const envelope = envelopeSchema.safeParse(json);
  const inner = envelope.success
    ? envelope.data.error
    : options.bare === true
      ? errorSchema.safeParse(json).data
      : undefined;
  if (inner === undefined) return undefined;
  return {
    code: inner.code ?? undefined,
    message: inner.message ?? undefined,
    status: inner.status ?? undefined,
    details: inner.details ?? [],
  };
}

/** `readGeminiErrorValue` of a body's text; bodies past 256 KiB are not error envelopes worth parsing. */
export function readGeminiError(bodyText: string | undefined): GeminiError | undefined {
  if (bodyText === undefined || bodyText.length > maximumBodyLength) return undefined;
  return readGeminiErrorValue(parseJsonOrUndefined(bodyText));
}

/** What the pool reads from a Gemini error body (`{"error":…}`, or `[{"error":…}]`). Never throws. */
export function parseGeminiError(bodyText: string | undefined): GeminiErrorSummary {
  const summary = emptySummary();
  const error = readGeminiError(bodyText);
  if (error === undefined) return summary;
  summary.message = error.message ?? '';
  for (const detail of error.details) readDetail(detail, summary);
  // RetryInfo carries whole seconds ("36s") where the message says "Please retry in 36.43s".
  const fromMessage = delayFromMessage(summary.message);
  if (fromMessage !== undefined) summary.retryDelayMs = Math.max(fromMessage, summary.retryDelayMs ?? 0);
  else summary.retryDelayRounded = summary.retryDelayMs !== undefined && summary.retryDelayMs % 1000 === 0;
  return summary;
}
