/**
 * Whether the query of a request target decodes: every `%` starts a two-digit escape and the bytes
 * form UTF-8. A query we cannot decode is refused rather than forwarded, since we could not tell
 * whether one of its parameters is the client's `key`.
 */
export function hasWellFormedQuery(url: string): boolean {
  const start = url.indexOf('?');
  if (start === -1) return true;
  const query = url.slice(start + 1);
  if (!query.includes('%')) return true;
  try {
    decodeURIComponent(query);
    return true;
  } catch {
    return false;
  }
}
