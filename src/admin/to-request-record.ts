import type { RequestSummary } from '../dispatch/request-summary.ts';
import type { RequestRecord } from '../store/request-record.ts';
import type { LiveSessionEnd } from '../surfaces/native/live-proxy.ts';

/** What the app adds to the summary: when the request came, who sent it, our own error if any. */
export type RecordExtras = {
  startedAt: number;
  /** The client token's name. */
  client: string | undefined;
  /** Our own error (code and message from the catalogue, which never carries a key). */
  error: { code: string; message: string } | undefined;
};

const maxText = 300;
const clip = (text: string | undefined) => (text === undefined ? undefined : text.slice(0, maxText));
const round = (value: number) => Math.round(value * 100) / 100;

/**
 * One request record from the summary of one answered request (built from the call record its
 * route handed over); client-chosen strings are cut to a bounded length.
 */
export function toRequestRecord(summary: RequestSummary, extras: RecordExtras): RequestRecord {
  const attempts = summary.attempts.map((attempt) => ({
    key: attempt.keyFingerprint,
    outcome: attempt.outcome,
    status: attempt.status,
  }));
  const last = attempts.at(-1);
  const failed = summary.status >= 400;
  const errorClass = failed
    ? (extras.error?.code ?? (last === undefined ? `HTTP_${summary.status}` : last.outcome))
    : undefined;
  const errorMessage = failed
    ? (extras.error?.message ??
      (last === undefined ? undefined : `Gemini answered ${summary.status} (${last.outcome}).`))
    : undefined;
  const surface =
    summary.surface === 'native' && summary.path.startsWith('/openai/') ? 'openai' : summary.surface;
  return {
    time: Math.round(extras.startedAt),
    surface,
    route: clip(summary.path) ?? '',
    method: summary.method,
    model: clip(summary.model),
    requestedModel: clip(summary.requestedModel !== summary.model ? summary.requestedModel : undefined),
    client: extras.client,
    keyFingerprint: summary.keyFingerprint,
    attempts,
    status: summary.status,
    errorClass,
    errorMessage: clip(errorMessage),
    latencyMs: round(summary.latencyMs),
    firstByteMs: summary.firstByteMs === undefined ? undefined : round(summary.firstByteMs),
    stream: summary.stream ?? false,
    promptTokens: summary.tokens?.prompt ?? 0,
    outputTokens: summary.tokens?.candidates ?? 0,
    thoughtTokens: summary.tokens?.thoughts ?? 0,
    cachedTokens: summary.tokens?.cached ?? 0,
  };
}

/** One request record for a Live upgrade: refused, or a session (101) with its one attempt. */
export function liveRequestRecord(end: LiveSessionEnd): RequestRecord {
  const record = end.record;
  const summary: RequestSummary = {
    method: 'GET',
    route: 'live',
    path: end.path,
    surface: 'native',
    model: record?.model,
    requestedModel: record?.requestedModel,
    status: end.status,
    keyFingerprint: record?.keyFingerprint,
    attempts: record?.attempts ?? [],
    tokens: record?.usage,
    stream: true,
    firstByteMs: record?.firstByteMs,
    latencyMs: end.durationMs,
  };
  const error = end.error === undefined ? undefined : { code: end.error.code, message: end.error.message };
  return toRequestRecord(summary, { startedAt: Date.now() - end.durationMs, client: end.client, error });
}
