import { clientToken } from './secrets.ts';

/**
 * A native Gemini call as a client makes it, with the client token: `method` is what follows
 * `/v1beta/models/`, e.g. `gemini-2.5-flash:generateContent` or `x:streamGenerateContent?alt=sse`.
 */
export function nativeCall(serviceUrl: string, method: string, body = '{}'): Promise<Response> {
  return fetch(`${serviceUrl}/v1beta/models/${method}`, {
    method: 'POST',
    body,
    headers: { 'x-goog-api-key': clientToken, 'content-type': 'application/json' },
  });
}
