import type { AppError } from '../errors/app-error.ts';
import { fromUpstream } from '../errors/from-upstream.ts';
import { readBounded } from '../upstream/read-bounded.ts';
import type { DispatchResult } from './dispatcher.ts';

const maxErrorBytes = 256 * 1024;

/**
 * A Gemini error answer (after the pool's retries) as an AppError that the app's error handler
 * writes in the surface's form: same status, Gemini's message word for word, its status name as
 * `code`, and for a 429 a `retry-after` from the upstream's header or its RetryInfo.
 */
export async function readUpstreamError(result: DispatchResult): Promise<AppError> {
  const { bytes } = await readBounded(result.body, maxErrorBytes);
  return fromUpstream({
    status: result.status,
    bodyText: bytes.toString('utf8'),
    retryAfterHeader: result.headers['retry-after'],
  });
}
