import { AppError, errors } from '../../errors/app-error.ts';
import { toGeminiErrorBody } from '../../errors/wire-formats.ts';

/** How a streamed native answer is framed: `alt=sse` events or one JSON array, element by element. */
export type StreamFraming = 'sse' | 'json-array';

/** Only streaming calls answered without a length can take one more element at the end. */
export function streamFraming(
  path: string,
  contentType: string | undefined,
  length: string | undefined,
): StreamFraming | undefined {
  if (!path.includes(':streamGenerateContent') || length !== undefined) return undefined;
  if (contentType?.startsWith('text/event-stream')) return 'sse';
  if (contentType?.startsWith('application/json')) return 'json-array';
  return undefined;
}

/**
 * What to write when an upstream stream fails after bytes already reached the client: a last
 * element in the stream's own framing, so the client sees an error rather than a silent cut.
 */
export function streamErrorTail(framing: StreamFraming, error: unknown): string {
  const failure = error instanceof AppError ? error : errors.upstreamStreamFailed();
  const body = toGeminiErrorBody(failure);
  return framing === 'sse' ? `data: ${body}\r\n\r\n` : `,\r\n${body}\n]`;
}
