const slash = 0x2f;
const dot = 0x2e;

/**
 * Whether a URL's path has a `.` or `..` segment, in any spelling (`%2e`, `%2f` or `\` as a
 * separator): once Google normalises it, such a path would reach another route. A path without an
 * escape or a backslash (nearly every one, dots in model names included) is answered by looking at
 * its dots only, without building anything.
 */
export function hasDotSegment(url: string): boolean {
  const queryStart = url.indexOf('?');
  const end = queryStart === -1 ? url.length : queryStart;
  const percent = url.indexOf('%');
  const backslash = url.indexOf('\\');
  if ((percent !== -1 && percent < end) || (backslash !== -1 && backslash < end))
    return hasSpelledDotSegment(url.slice(0, end));
  for (let index = url.indexOf('.'); index !== -1 && index < end; index = url.indexOf('.', index + 1)) {
    if (index !== 0 && url.charCodeAt(index - 1) !== slash) continue;
    let after = index + 1;
    if (after < end && url.charCodeAt(after) === dot) after += 1;
    if (after === end || url.charCodeAt(after) === slash) return true;
  }
  return false;
}

/** The general case: escapes decoded and every separator made a `/`, then split. */
function hasSpelledDotSegment(path: string): boolean {
  const plain = path.replace(/%2e/gi, '.').replace(/%2f|%5c|\\/gi, '/');
  return plain.split('/').some((segment) => segment === '.' || segment === '..');
}
