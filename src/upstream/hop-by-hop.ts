import type { IncomingHttpHeaders } from 'node:http';

/** RFC 9110 §7.6.1 connection-specific headers, plus those the transport sets itself. */
const hopByHop = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
]);

/**
 * The only request headers that go upstream: what a Gemini client needs to be understood. Everything
 * else stays here, above all what Google checks a key's restrictions and billing against
 * (`x-goog-user-project`, `referer`, `x-android-*`, `x-ios-bundle-identifier`): otherwise one client
 * could make every key look dead (API_KEY_HTTP_REFERRER_BLOCKED, CONSUMER_INVALID…) or bill another
 * project. Credentials, cookies, hop-by-hop headers, `content-length` (set per attempt), `expect`
 * (undici cannot send 100-continue) and `accept-encoding` (replaced by identity: we read error
 * bodies and created-resource names, which a compressed body would hide) are not forwarded either.
 */
const forwarded = new Set([
  'content-type',
  'content-encoding',
  'accept',
  'user-agent',
  'x-goog-api-client',
  'x-goog-request-params',
  'x-server-timeout',
]);

/** Resumable uploads: `x-goog-upload-protocol`, `-command`, `-offset`, `-header-content-length`… */
const forwardedPrefix = 'x-goog-upload-';

export function isForwardedRequestHeader(name: string): boolean {
  return forwarded.has(name) || name.startsWith(forwardedPrefix);
}

/** What a client sent that Gemini needs (see `forwarded`); a pool key is added per attempt. */
export function upstreamRequestHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const result: Record<string, string> = {};
  const connectionListed = listedInConnection(headers.connection);
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || !isForwardedRequestHeader(name) || connectionListed?.has(name)) continue;
    result[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  result['accept-encoding'] = 'identity';
  return result;
}

/**
 * What the upstream answered, minus hop-by-hop headers; everything else reaches the client as sent,
 * each value through the key's masker when one is given (filtered and masked in one pass, one copy).
 */
export function clientResponseHeaders(
  headers: IncomingHttpHeaders,
  masker?: { mask(text: string): string },
): IncomingHttpHeaders {
  const result: IncomingHttpHeaders = {};
  const connectionListed = listedInConnection(headers.connection);
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || hopByHop.has(name) || connectionListed?.has(name)) continue;
    if (masker === undefined) result[name] = value;
    else if (typeof value === 'string') result[name] = masker.mask(value);
    else result[name] = value.map((entry) => masker.mask(entry));
  }
  return result;
}

/** Headers the `Connection` header names; none (and nothing allocated) for the usual `keep-alive` / `close`. */
function listedInConnection(value: string | string[] | undefined): Set<string> | undefined {
  if (value === undefined || value === 'keep-alive' || value === 'close' || value === 'Keep-Alive')
    return undefined;
  const text = Array.isArray(value) ? value.join(',') : value;
  return new Set(
    text
      .split(',')
      .map((token) => token.trim().toLowerCase())
      .filter(Boolean),
  );
}
