import type { AppError, GeminiStatusCode } from './app-error.ts';

/** Gemini's canonical status names, as the API puts them in `error.status`. */
export function geminiStatusName(status: number): GeminiStatusCode {
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
