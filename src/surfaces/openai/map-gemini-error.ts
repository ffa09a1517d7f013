import { geminiStatusName, openAIErrorType } from '../../errors/app-error.ts';
import { isRecord, parseJsonOrUndefined } from '../../json/lenient-json.ts';
import type { OpenAIErrorObject } from './openai-types.ts';

/** Gemini's upstream error body text + HTTP status → the OpenAI error body a client expects. */
export function mapGeminiError(status: number, bodyText: string): { error: OpenAIErrorObject } {
  return { error: toOpenAIError(status, parseJsonOrUndefined(bodyText)) };
}

/**
 * A parsed Gemini error (`{"error":{code,message,status}}`, or just its inner object as it arrives
 * mid-stream) → OpenAI's `{message,type,param,code}`. The message is kept word for word; the code is
 * Gemini's status name lowercased (`resource_exhausted`), so clients can still tell causes apart.
 */
export function toOpenAIError(status: number | undefined, body: unknown): OpenAIErrorObject {
  const inner = isRecord(body) && isRecord(body.error) ? body.error : isRecord(body) ? body : {};
  const httpStatus = status ?? (typeof inner.code === 'number' ? inner.code : 500);
  const statusName = typeof inner.status === 'string' ? inner.status : geminiStatusName(httpStatus);
  const message =
    typeof inner.message === 'string' && inner.message !== ''
      ? inner.message
      : `The Gemini API answered with HTTP ${httpStatus}.`;
  return { message, type: openAIErrorType(httpStatus), param: null, code: statusName.toLowerCase() };
}
