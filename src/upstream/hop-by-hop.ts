import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

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
 * Not forwarded: the client's credential and cookies, the length (set per attempt), `expect`
 * (undici cannot send 100-continue), and `accept-encoding`, replaced by identity below: we read
 * error bodies and created-resource names, which a compressed body would hide.
 */
const clientOnly = new Set([
  'x-goog-api-key',
  'authorization',
  'cookie',
  'content-length',
  'expect',
  'accept-encoding',
]);

/** What a client sent, minus hop-by-hop headers, its length and its own credential (a pool key is added per attempt). */
export function upstreamRequestHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const result: Record<string, string> = {};
  const connectionListed = listedInConnection(headers.connection);
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || hopByHop.has(name) || connectionListed.has(name)) continue;
    if (clientOnly.has(name)) continue;
    result[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  result['accept-encoding'] = 'identity';
  return result;
}

/** What the upstream answered, minus hop-by-hop headers; everything else reaches the client as sent. */
export function clientResponseHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const result: OutgoingHttpHeaders = {};
  const connectionListed = listedInConnection(headers.connection);
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || hopByHop.has(name) || connectionListed.has(name)) continue;
    result[name] = value;
  }
  return result;
}

function listedInConnection(value: string | string[] | undefined): Set<string> {
  const text = Array.isArray(value) ? value.join(',') : (value ?? '');
  return new Set(
    text
      .split(',')
      .map((token) => token.trim().toLowerCase())
      .filter(Boolean),
  );
}
