import type { DispatchResult } from '../../dispatch/dispatcher.ts';
import { AppError } from '../../errors/app-error.ts';
import { parseGeminiError } from '../../gemini/error-envelope.ts';
import { readBounded } from '../../upstream/read-bounded.ts';
import { mapGeminiError } from './map-gemini-error.ts';

const maxErrorBytes = 256 * 1024;

/**
 * A Gemini error answer (after the pool's retries) as an AppError that the app's error handler
 * writes in OpenAI form: same status, Gemini's message word for word, its status name as `code`,
 * and for a 429 a `retry-after` from the upstream's header or its RetryInfo.
 */
export async function upstreamError(result: DispatchResult): Promise<AppError> {
  const { bytes } = await readBounded(result.body, maxErrorBytes);
  const text = bytes.toString('utf8');
  const { error } = mapGeminiError(result.status, text);
  const retryAfterSeconds = result.status === 429 ? retryAfter(result, text) : undefined;
  return new AppError(
    (error.code ?? 'unknown').toUpperCase(),
    result.status,
    error.message,
    retryAfterSeconds === undefined ? {} : { retryAfterSeconds },
  );
}

function retryAfter(result: DispatchResult, text: string): number {
  const header = Number(result.headers['retry-after']);
  if (Number.isFinite(header) && header > 0) return Math.ceil(header);
  const delayMs = parseGeminiError(text).retryDelayMs;
  return delayMs === undefined ? 60 : Math.max(1, Math.ceil(delayMs / 1000));
}
