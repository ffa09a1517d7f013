/**
 * Whether a URL's path has a `.` or `..` segment, in any spelling (`%2e`, `%2f` or `\` as a
 * separator): once Google normalises it, such a path would reach another route. Most paths have
 * neither a dot nor an escape, and are answered without building anything.
 */
export function hasDotSegment(url: string): boolean {
  const queryStart = url.indexOf('?');
  const path = queryStart === -1 ? url : url.slice(0, queryStart);
  if (!path.includes('.') && !path.includes('%')) return false;
  const plain = path.replace(/%2e/gi, '.').replace(/%2f|%5c|\\/gi, '/');
  return plain.split('/').some((segment) => segment === '.' || segment === '..');
}
