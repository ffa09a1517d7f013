import { hash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { firstHeader } from '../http/first-header.ts';

export type CredentialSource = 'x-goog-api-key' | 'query' | 'bearer' | 'x-api-key';
export type Credential = { value: string; source: CredentialSource };

/**
 * Where the client put its token. The Gemini SDKs use `x-goog-api-key` or `?key=`, OpenAI clients
 * `Authorization: Bearer`, Anthropic clients `x-api-key`; which one was used also decides which API
 * a shared path speaks.
 */
export function readCredential(headers: IncomingHttpHeaders, query: URLSearchParams): Credential | undefined {
  const googleKey = firstHeader(headers['x-goog-api-key'])?.trim();
  if (googleKey) return { value: googleKey, source: 'x-goog-api-key' };
  const queryKey = query.get('key')?.trim();
  if (queryKey) return { value: queryKey, source: 'query' };
  const authorization = firstHeader(headers.authorization);
  const match = authorization?.match(/^Bearer\s+(.+)$/i);
  if (match?.[1]) return { value: match[1].trim(), source: 'bearer' };
  // Anthropic's header (its SDKs and Claude Code with ANTHROPIC_API_KEY).
  const anthropicKey = firstHeader(headers['x-api-key'])?.trim();
  if (anthropicKey) return { value: anthropicKey, source: 'x-api-key' };
  return undefined;
}

const digest = (value: string) => hash('sha256', value, 'buffer');

/**
 * Compares in constant time: both sides are hashed to the same length first, and every configured
 * token is compared, so neither a token's length nor its position leaks through timing. A token that
 * matched is remembered (at most one entry per configured token), so a client's next requests skip
 * the hash; a candidate that never matched always takes the whole comparison.
 */
export class TokenVerifier {
  readonly #digests: Buffer[];
  readonly #names: string[];
  readonly #verified = new Map<string, string>();

  /** Plain token values, or `{ name, token }` pairs so `identify` can say which client called. */
  constructor(tokens: ReadonlyArray<string | Readonly<{ name: string; token: string }>>) {
    this.#digests = tokens.map((entry) => digest(typeof entry === 'string' ? entry : entry.token));
    this.#names = tokens.map((entry) => (typeof entry === 'string' ? '' : entry.name));
  }

  get enabled(): boolean {
    return this.#digests.length > 0;
  }

  verify(candidate: string | undefined): boolean {
    if (!this.enabled) return true;
    return this.identify(candidate) !== undefined;
  }

  /** The matching token's name ('' for an unnamed one); undefined when none matches. */
  identify(candidate: string | undefined): string | undefined {
    if (candidate === undefined) return undefined;
    const remembered = this.#verified.get(candidate);
    if (remembered !== undefined) return remembered;
    const candidateDigest = digest(candidate);
    let found: string | undefined;
    for (const [index, expected] of this.#digests.entries()) {
      if (timingSafeEqual(expected, candidateDigest)) found ??= this.#names[index] ?? '';
    }
    if (found !== undefined) this.#verified.set(candidate, found);
    return found;
  }
}
