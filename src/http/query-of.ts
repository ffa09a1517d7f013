const noQuery = new URLSearchParams();

/** The query of a request URL, parsed only when there is one (no URL object per request). */
export function queryOf(url: string): URLSearchParams {
  const start = url.indexOf('?');
  if (start === -1) return noQuery;
  const end = url.indexOf('#', start);
  return new URLSearchParams(url.slice(start + 1, end === -1 ? undefined : end));
}
