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

/** Starts a resumable upload as a client does (the JSON metadata request); the answer carries `x-goog-upload-url`. */
export function startUpload(
  serviceUrl: string,
  metadata = '{"file":{"display_name":"a"}}',
): Promise<Response> {
  return fetch(`${serviceUrl}/upload/v1beta/files`, {
    method: 'POST',
    body: metadata,
    headers: {
      'x-goog-api-key': clientToken,
      'x-goog-upload-protocol': 'resumable',
      'x-goog-upload-command': 'start',
      'content-type': 'application/json',
    },
  });
}
