import { geminiStatusName, openAIErrorType } from '../../errors/app-error.ts';
import { readGeminiError, readGeminiErrorValue } from '../../gemini/error-envelope.ts';
import type { OpenAIErrorObject } from './openai-types.ts';

/** Gemini's upstream error body text + HTTP status → the OpenAI error body a client expects. */
export function mapGeminiError(status: number, bodyText: string): { error: OpenAIErrorObject } {
  return { error: toOpenAIError(status, readGeminiError(bodyText)) };
}

/** A stream chunk carrying `{"error":…}` (or just its inner object) → OpenAI's error object. */
export function toOpenAIErrorFromChunk(chunk: unknown): OpenAIErrorObject {
  return toOpenAIError(undefined, readGeminiErrorValue(chunk, { bare: true }));
}

/**
 * A read Gemini error → OpenAI's `{message,type,param,code}`. The message is kept word for word;
 * the code is Gemini's status name lowercased (`resource_exhausted`), so clients can still tell
 * causes apart.
 */
function toOpenAIError(
  status: number | undefined,
  error: ReturnType<typeof readGeminiErrorValue>,
): OpenAIErrorObject {
  const httpStatus = status ?? error?.code ?? 500;
  const statusName = error?.status ?? geminiStatusName(httpStatus);
  const message =
    error?.message !== undefined && error.message !== ''
      ? error.message
      : `The Gemini API answered with HTTP ${httpStatus}.`;
  return { message, type: openAIErrorType(httpStatus), param: null, code: statusName.toLowerCase() };
}
