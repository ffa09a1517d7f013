/** Gemini's canonical status names (google.rpc.Code), as upstream errors carry them in `error.status`. */
export type GeminiStatusCode =
  | 'CANCELLED'
  | 'UNKNOWN'
  | 'INVALID_ARGUMENT'
  | 'DEADLINE_EXCEEDED'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'PERMISSION_DENIED'
  | 'RESOURCE_EXHAUSTED'
  | 'FAILED_PRECONDITION'
  | 'ABORTED'
  | 'OUT_OF_RANGE'
  | 'UNIMPLEMENTED'
  | 'INTERNAL'
  | 'UNAVAILABLE'
  | 'DATA_LOSS'
  | 'UNAUTHENTICATED';

/** Every error code we answer with: Gemini's own status names and the failures only we know. */
export type ErrorCode =
  | GeminiStatusCode
  | 'FORBIDDEN_ORIGIN'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'UPSTREAM_UNREACHABLE'
  | 'UPSTREAM_TIMEOUT'
  | 'UPSTREAM_INVALID_RESPONSE'
  | 'UPSTREAM_STREAM_FAILED'
  | 'NO_KEYS'
  | 'ALL_KEYS_DISABLED'
  | 'AFFINITY_KEY_UNAVAILABLE'
  | 'KEYS_RESTING'
  | 'RETRIES_EXHAUSTED'
  | 'UPSTREAM_PATH_DOWN'
  | 'UPSTREAM_PATH_FAULT'
  | 'IMAGE_FETCH_FAILED'
  | 'ADMIN_DISABLED'
  | 'CROSS_SITE_REQUEST'
  | 'RECORDS_DISABLED'
  | 'TOO_MANY_SIGN_INS';

/**
 * One error base for every failure we produce ourselves (not upstream answers, which pass through).
 * `code` is stable and machine-readable; `status` is the HTTP status; `param` names the offending
 * client parameter when there is one. Surfaces turn it into their own wire format in one place.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly param: string | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(
    code: ErrorCode,
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

/** The catalogue of failures we know: every AppError is built here. Messages never carry a key or a token. */
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
  adminUnauthenticated: () =>
    new AppError('UNAUTHENTICATED', 401, 'Sign in at /admin or send ADMIN_TOKEN as Authorization: Bearer.'),
  adminDisabled: () =>
    new AppError('ADMIN_DISABLED', 401, 'The admin API is off: set ADMIN_TOKEN to turn it on.'),
  wrongAdminToken: () => new AppError('UNAUTHENTICATED', 401, 'That is not the admin token.'),
  tooManySignIns: (retryAfterSeconds: number) =>
    new AppError('TOO_MANY_SIGN_INS', 429, 'Too many failed sign-ins; try again later.', {
      retryAfterSeconds,
    }),
  crossSite: () => new AppError('CROSS_SITE_REQUEST', 403, 'Admin actions take JSON from this origin only.'),
  recordsDisabled: () =>
    new AppError('RECORDS_DISABLED', 404, 'Request records are off (RECORDS_ENABLED=false).'),
  unknownAdminItem: (what: 'key' | 'task') =>
    new AppError('NOT_FOUND', 404, what === 'key' ? 'No such key in the pool.' : 'No such task.'),
  metricsUnauthenticated: () =>
    new AppError('UNAUTHENTICATED', 401, 'Metrics need the admin token as Authorization: Bearer.'),
  cancelled: () => new AppError('CANCELLED', 499, 'The client closed the request.'),
  internal: () => new AppError('INTERNAL', 500, 'Internal error in Gemini Balance.'),
  /** Fastify refused the request before any route ran (its message may quote the URL: not repeated). */
  malformedRequest: (status: number) =>
    status === 415
      ? new AppError('UNSUPPORTED_MEDIA_TYPE', 415, 'Unsupported content type.')
      : new AppError('INVALID_ARGUMENT', status, 'Malformed request URL.'),
  /** Another 4xx Fastify raised (body too large, unreadable JSON), with its own message. */
  badRequest: (status: number, message: string) =>
    new AppError(status === 413 ? 'PAYLOAD_TOO_LARGE' : 'INVALID_ARGUMENT', status, message),
  imageFetchFailed: (reason: string) => new AppError('IMAGE_FETCH_FAILED', 400, reason),
  notFound: (path: string) => new AppError('NOT_FOUND', 404, `No route for ${path}.`),
  /** A model the API does not have (or that cannot do this), with the names that would work. */
  unknownModel: (model: string, purpose: string, available: readonly string[]) =>
    new AppError(
      'NOT_FOUND',
      404,
      `The model '${model}' does not exist or cannot ${purpose}. ${available.length > 0 ? `Models that can: ${available.join(', ')}.` : 'No model that can is listed.'}`,
      { param: 'model' },
    ),
  /** A stored response (or an item of one) that is unknown, expired or another client's. */
  storedNotFound: (message: string, status: 400 | 404, param?: string) =>
    new AppError('NOT_FOUND', status, message, param === undefined ? {} : { param }),
  payloadTooLarge: (limit: number) =>
    new AppError('PAYLOAD_TOO_LARGE', 413, `Request body is larger than the limit of ${limit} bytes.`),
  /** Node could not take the request: a timeout (408), oversized headers (431), unparsable bytes. */
  clientConnection: (status: 400 | 408 | 431) =>
    status === 408
      ? new AppError('DEADLINE_EXCEEDED', 408, 'The request did not arrive in time.')
      : new AppError(
          'INVALID_ARGUMENT',
          status,
          status === 431 ? 'The request headers are too large.' : 'Malformed request.',
        ),
  malformedUrl: () => new AppError('INVALID_ARGUMENT', 400, 'Malformed request URL.'),
  tooDeeplyNested: (limit: number) =>
    new AppError('INVALID_ARGUMENT', 400, `The request body is nested deeper than ${limit} levels.`),
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
  upstreamTooLarge: () =>
    new AppError('UPSTREAM_INVALID_RESPONSE', 502, 'The Gemini API answer was too large to translate.'),
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
  /** Not quota: every key that could serve rests after 5xx answers or failures; worth a retry soon. */
  keysResting: (model: string, retryAfterSeconds: number) =>
    new AppError(
      'KEYS_RESTING',
      503,
      `Every key able to serve ${model} is resting after upstream errors (not out of quota); the first is back in ${retryAfterSeconds}s.`,
      { retryAfterSeconds },
    ),
  retriesExhausted: (model: string) =>
    new AppError(
      'RETRIES_EXHAUSTED',
      503,
      `Every key tried for ${model} was out of quota, but others may still have room: retry.`,
      { retryAfterSeconds: 1 },
    ),
  upstreamPathDown: (retryAfterSeconds: number) =>
    new AppError(
      'UPSTREAM_PATH_DOWN',
      503,
      `The way to the Gemini API (the upstream host or the outbound proxy) keeps failing at the network level; trying again in ${retryAfterSeconds}s. The keys are not at fault.`,
      { retryAfterSeconds },
    ),
  upstreamPathFault: () =>
    new AppError(
      'UPSTREAM_PATH_FAULT',
      502,
      'The Gemini API rejected the call as if no valid key reached it, or several keys at once for the same reason: a fault of the path (proxy, gateway) or configuration, not of the keys. No key was disabled.',
    ),
  modelNameTooLong: (limit: number) =>
    new AppError('INVALID_ARGUMENT', 400, `The model name is longer than ${limit} characters.`, {
      param: 'model',
    }),
  allKeysCooling: (model: string, retryAfterSeconds: number) =>
    new AppError(
      'RESOURCE_EXHAUSTED',
      429,
      `Every key in the pool is out of quota for ${model}; the first frees up in ${retryAfterSeconds}s.`,
      { retryAfterSeconds },
    ),
} as const;
