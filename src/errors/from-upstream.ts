import { parseGeminiError, readGeminiError, readGeminiErrorValue } from '../gemini/error-envelope.ts';
import { firstHeader } from '../http/first-header.ts';
import { AppError, errors, type GeminiStatusCode } from './app-error.ts';
import { geminiStatusName } from './wire-formats.ts';

/** What went wrong upstream, as far as the caller saw it. */
export type UpstreamFailure =
  /** Gemini answered with an error status (after the pool's retries): its status, body and headers. */
  | { status: number; bodyText: string; retryAfterHeader?: string | string[] | undefined }
  /** A stream carried `{"error":…}` (or just its inner object) after a 200. */
  | { streamError: unknown }
  /** No answer at all: a connection failure or a timeout (undici's error). */
  | { networkError: unknown };

const timeoutCodes = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/**
 * The one place an upstream failure becomes an AppError. A Gemini error keeps its status, its
 * message word for word and its status name as the code (so every surface can tell causes apart);
 * a 429 gets a `retryAfterSeconds` from the upstream's header or its RetryInfo. A network failure
 * is a 502 (unreachable) or 504 (timeout); our own errors (a body over the limit) stay themselves.
 */
export function fromUpstream(failure: UpstreamFailure): AppError {
  if ('networkError' in failure) return fromNetworkError(failure.networkError);
  const streamed = 'streamError' in failure;
  const read = streamed
    ? readGeminiErrorValue(failure.streamError, { bare: true })
    : readGeminiError(failure.bodyText);
  const status = streamed ? (read?.code ?? 500) : failure.status;
  const message =
    read?.message !== undefined && read.message !== ''
      ? read.message
      : `The Gemini API answered with HTTP ${status}.`;
  const retryAfterSeconds =
    !streamed && status === 429 ? retryAfter(failure.retryAfterHeader, failure.bodyText) : undefined;
  return new AppError(
    statusCode(read?.status, status),
    status,
    message,
    retryAfterSeconds === undefined ? {} : { retryAfterSeconds },
  );
}

/**
 * An answer whose body broke off after its headers: our own errors stay themselves, a silence past
 * the idle timeout (undici's BodyTimeoutError) is a timeout, anything else a failed stream.
 */
export function fromBrokenBody(error: unknown): AppError {
  if (error instanceof AppError) return error;
  return error instanceof Error && error.name === 'BodyTimeoutError'
    ? errors.upstreamTimeout(error)
    : errors.upstreamStreamFailed();
}

function fromNetworkError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && timeoutCodes.has(code)) return errors.upstreamTimeout(error);
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof AppError) return cause;
  // A header or body undici refuses to send is the request's fault, not the upstream's.
  if (code === 'UND_ERR_INVALID_ARG' || code === 'UND_ERR_NOT_SUPPORTED') {
    return errors.invalidArgument(
      'The request could not be forwarded: it carries a header or body the upstream client refuses.',
    );
  }
  return errors.upstreamUnreachable(error);
}

const statusCodes = new Set<string>([
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
] satisfies GeminiStatusCode[]);

/** Gemini's own status name when it is a canonical one, else the name its HTTP status stands for. */
function statusCode(named: string | undefined, status: number): GeminiStatusCode {
  return named !== undefined && statusCodes.has(named)
    ? (named as GeminiStatusCode)
    : geminiStatusName(status);
}

function retryAfter(header: string | string[] | undefined, bodyText: string): number {
  const seconds = Number(firstHeader(header));
  if (Number.isFinite(seconds) && seconds > 0) return Math.ceil(seconds);
  const delayMs = parseGeminiError(bodyText).retryDelayMs;
  return delayMs === undefined ? 60 : Math.max(1, Math.ceil(delayMs / 1000));
}
