import { AppError, errors } from './app-error.ts';

/** Whatever a route or hook threw, as one of our errors: Fastify's own 4xx keep their status and message. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  // The client went away; nobody reads the answer, and nothing is wrong with us or the key.
  if (error instanceof Error && error.name === 'AbortError') return errors.cancelled();
  const status = (error as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const message = error instanceof Error ? error.message : 'Bad request.';
    return errors.badRequest(status, message);
  }
  return errors.internal();
}
