/** One attempt of a call with one pool key, by fingerprint. */
export type RecordedAttempt = { key: string; outcome: string; status: number | undefined };

/**
 * What became of one client request, as the request log, usage charts and metrics see it.
 * Built once per answered request from the call record; never carries a key or a token in clear.
 */
export type RequestRecord = {
  /** Epoch ms when the request arrived. */
  time: number;
  surface: string;
  /** The path without its query (which may carry a credential). */
  route: string;
  method: string;
  /** The model Gemini was asked for, and the one the client named when they differ (alias, suffix). */
  model: string | undefined;
  requestedModel: string | undefined;
  /** The client token's name (`name:token` in ALLOWED_TOKENS) or its fingerprint. */
  client: string | undefined;
  /** The key that gave the answer (the last attempt's). */
  keyFingerprint: string | undefined;
  attempts: RecordedAttempt[];
  status: number;
  /** A stable class (`RESOURCE_EXHAUSTED`, `quota`, …) and a message with keys masked; only for failures. */
  errorClass: string | undefined;
  errorMessage: string | undefined;
  latencyMs: number;
  /** Time until the answer's head went out: the upstream's first byte for a stream. */
  firstByteMs: number | undefined;
  stream: boolean;
  promptTokens: number;
  outputTokens: number;
  thoughtTokens: number;
  cachedTokens: number;
};

/** The final outcome of a record, for filters: the last attempt's, `refused` when no key was tried. */
export function recordOutcome(record: Pick<RequestRecord, 'attempts' | 'status'>): string {
  const last = record.attempts.at(-1);
  if (last !== undefined) return last.outcome;
  return record.status < 400 ? 'ok' : 'refused';
}

export type RecordFilter = {
  from?: number | undefined;
  to?: number | undefined;
  key?: string | undefined;
  model?: string | undefined;
  client?: string | undefined;
  /** An exact status (`429`) or a class (`4xx`, `5xx`, `error` for any >= 400). */
  status?: string | undefined;
  outcome?: string | undefined;
  /** Substring of the route, model, error class or message. */
  text?: string | undefined;
  /** Records older than this id (paging); newest first. */
  before?: number | undefined;
  limit?: number | undefined;
};

export type StoredRequestRecord = RequestRecord & { id: number; outcome: string };

export type UsageDimension = 'model' | 'key' | 'client';

export type UsageTotals = {
  requests: number;
  errors: number;
  promptTokens: number;
  outputTokens: number;
  thoughtTokens: number;
  cachedTokens: number;
};

export type UsagePoint = UsageTotals & { time: number; name: string };
