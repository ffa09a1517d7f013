import { randomBytes } from 'node:crypto';

/** An OpenAI-style opaque id such as `call_3kT9…` or `chatcmpl-…`; 24 url-safe random characters. */
export function generateId(prefix: string): string {
  return `${prefix}${randomBytes(18).toString('base64url')}`;
}
