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

/** What a client sent, minus hop-by-hop headers, its length and its own credential (a pool key is added per attempt). */
export function upstreamRequestHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const result: Record<string, string> = {};
  const connectionListed = listedInConnection(headers.connection);
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || hopByHop.has(name) || connectionListed.has(name)) continue;
    if (
      name === 'x-goog-api-key' ||
      name === 'authorization' ||
      name === 'cookie' ||
      name === 'content-length'
    )
      continue;
    result[name] = Array.isArray(value) ? value.join(', ') : value;
  }
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
