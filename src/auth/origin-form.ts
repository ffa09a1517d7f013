/**
 * The request target in origin-form (`/path?query`). HTTP/1.1 lets a client send absolute-form
 * (`GET http://host/path HTTP/1.1`, meant for proxies); we route and forward only the path and
 * query, so the host the client wrote there can never decide where a pool key goes.
 */
export function toOriginForm(target: string): string {
  if (target.startsWith('/')) return target;
  const authority = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(target);
  if (authority === null) return target;
  const rest = target.slice(authority[0].length);
  return rest.startsWith('/') ? rest : `/${rest}`;
}
