/**
 * One error base for every failure we produce ourselves (not upstream answers, which pass through).
 * `code` is stable and machine-readable; `status` is the HTTP status; `param` names the offending
 * client parameter when there is one. Surfaces turn it into their own wire format in one place.
 */
export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly param: string | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(
    code: string,
    status: number,
    message: string,
    options: { param?: string; retryAfterSeconds?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = status;
    this.param = options.param;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** The catalogue of failures we know. Messages never carry a key or a token. */
export const errors = {
  unauthenticated: () =>
    new AppError(
      'UNAUTHENTICATED',
      401,
      'Missing or invalid client token. Send it as x-goog-api-key, ?key= or Authorization: Bearer.',
    ),
  foreignOrigin: () =>
    new AppError(
      'FORBIDDEN_ORIGIN',
      403,
      'Without ALLOWED_TOKENS only programs on this machine may call: the Host or Origin is not loopback.',
    ),
  notFound: (path: string) => new AppError('NOT_FOUND', 404, `No route for ${path}.`),
  payloadTooLarge: (limit: number) =>
    new AppError('PAYLOAD_TOO_LARGE', 413, `Request body is larger than the limit of ${limit} bytes.`),
  invalidArgument: (message: string, param?: string) =>
    new AppError('INVALID_ARGUMENT', 400, message, param === undefined ? {} : { param }),
  upstreamUnreachable: (cause?: unknown) =>
    new AppError('UPSTREAM_UNREACHABLE', 502, 'The Gemini API could not be reached.', { cause }),
  upstreamTimeout: (cause?: unknown) =>
    new AppError('UPSTREAM_TIMEOUT', 504, 'The Gemini API did not answer in time.', { cause }),
  /** Gemini answered something we cannot read or translate (`what`: "a response", "embeddings"…). */
  upstreamUnreadable: (what: string, cause?: unknown) =>
    new AppError('UPSTREAM_INVALID_RESPONSE', 502, `The Gemini API returned ${what} we could not read.`, {
      cause,
    }),
  upstreamStreamFailed: () =>
    new AppError('UPSTREAM_STREAM_FAILED', 502, 'The Gemini API stream failed before it finished.'),
  noKeysConfigured: () =>
    new AppError('NO_KEYS', 503, 'No Gemini API key is configured: set GEMINI_API_KEYS.'),
  allKeysDead: () =>
    new AppError(
      'ALL_KEYS_DISABLED',
      503,
      'Every Gemini API key in the pool is disabled (invalid or suspended).',
    ),
  affinityKeyUnavailable: () =>
    new AppError(
      'AFFINITY_KEY_UNAVAILABLE',
      503,
      'The key that owns the named resource (file, cached content, upload) is disabled; the resource cannot be reached.',
    ),
  allKeysCooling: (model: string, retryAfterSeconds: number) =>
    new AppError(
      'RESOURCE_EXHAUSTED',
      429,
      `Every key in the pool is out of quota for ${model}; the first frees up in ${retryAfterSeconds}s.`,
      { retryAfterSeconds },
    ),
} as const;

/** Gemini's canonical status names, as the API puts them in `error.status`. */
export function geminiStatusName(status: number): string {
  switch (status) {
    case 400:
      return 'INVALID_ARGUMENT';
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      return 'PERMISSION_DENIED';
    case 404:
      return 'NOT_FOUND';
    case 409:
      return 'ABORTED';
    case 413:
      return 'INVALID_ARGUMENT';
    case 429:
      return 'RESOURCE_EXHAUSTED';
    case 499:
      return 'CANCELLED';
    case 501:
      return 'UNIMPLEMENTED';
    case 502:
    case 503:
      return 'UNAVAILABLE';
    case 504:
      return 'DEADLINE_EXCEEDED';
    default:
      return status >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION';
  }
}

/** `{"error":{code,message,status}}`, the Gemini API's own error shape. */
export function toGeminiErrorBody(error: AppError): string {
  return JSON.stringify({
    error: { code: error.status, message: error.message, status: geminiStatusName(error.status) },
  });
}

/** The OpenAI API's error object: `{message, type, param, code}`. */
export function toOpenAIErrorObject(error: AppError): {
  message: string;
  type: string;
  param: string | null;
  code: string;
} {
  return {
    message: error.message,
    type: openAIErrorType(error.status),
    param: error.param ?? null,
    code: error.code.toLowerCase(),
  };
}

/** `{"error":{message,type,param,code}}`, the OpenAI API's error shape. */
export function toOpenAIErrorBody(error: AppError): string {
  return JSON.stringify({ error: toOpenAIErrorObject(error) });
}

/** OpenAI's error `type` for an HTTP status. */
export function openAIErrorType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500 || status === 499) return 'api_error';
  return 'invalid_request_error';
}
