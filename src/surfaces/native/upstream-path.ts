/**
 * The path and query sent upstream: the client's own, minus its credential (`key`). Built by hand so
 * that every other parameter keeps its exact encoding and order.
 */
export function upstreamPath(url: string): string {
  const queryStart = url.indexOf('?');
  if (queryStart === -1) return url;
  const kept = url
    .slice(queryStart + 1)
    .split('&')
    .filter((pair) => pair !== '' && !isKeyParameter(pair));
  const path = url.slice(0, queryStart);
  return kept.length === 0 ? path : `${path}?${kept.join('&')}`;
}

/** `key`, however it is spelt: `%6Bey=` decodes to `key` for the client's URL parser, and for Google's. */
function isKeyParameter(pair: string): boolean {
  const name = pair.split('=')[0] ?? '';
  // Without an escape the name is what it says (a `+` would decode to a space, never to `key`).
  if (!name.includes('%')) return name === 'key';
  try {
    return decodeURIComponent(name.replaceAll('+', ' ')) === 'key';
  } catch {
    return false;
  }
}
