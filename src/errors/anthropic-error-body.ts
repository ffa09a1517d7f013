import type { AppError } from './app-error.ts';

/** Anthropic's error `type` for an HTTP status (docs.anthropic.com, "Errors"). */
export function anthropicErrorType(status: number): string {
  switch (status) {
    case 400:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 402:
      return 'billing_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 503:
    case 529:
      return 'overloaded_error';
    case 504:
      return 'timeout_error';
    default:
      return status >= 500 || status === 499 ? 'api_error' : 'invalid_request_error';
  }
}

export type AnthropicErrorObject = { type: string; message: string };

export function toAnthropicErrorObject(error: AppError): AnthropicErrorObject {
  return { type: anthropicErrorType(error.status), message: error.message };
}

/** `{"type":"error","error":{"type","message"}}`, the Anthropic API's error shape. */
export function toAnthropicErrorBody(error: AppError): string {
  return JSON.stringify({ type: 'error', error: toAnthropicErrorObject(error) });
}
