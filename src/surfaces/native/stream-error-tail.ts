import { AppError, toGeminiErrorBody } from '../../errors/app-error.ts';

/**
 * What to write when an upstream stream fails after bytes already reached the client: a last
 * element in the stream's own framing, so the client sees an error rather than a silent cut.
 * Plain (non-stream) bodies get nothing: the connection is closed without a clean end.
 */
export function streamErrorTail(contentType: string | undefined, error: unknown): string | undefined {
  const failure =
    error instanceof AppError
      ? error
      : new AppError('UPSTREAM_STREAM_FAILED', 502, 'The Gemini API stream failed before it finished.');
  const body = toGeminiErrorBody(failure);
  if (contentType?.startsWith('text/event-stream')) return `data: ${body}\r\n\r\n`;
  if (contentType?.startsWith('application/json')) return `,\r\n${body}\n]`;
  return undefined;
}
