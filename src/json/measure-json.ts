/** What `measureJson` found: an estimate of the serialised length and the deepest nesting. */
export interface JsonMeasure {
  /** Roughly the length of `JSON.stringify(value)`: strings and keys by length, other values small. */
  size: number;
  /** Nesting depth: a scalar is 0, `{}` and `[]` are 1, `{"a":[1]}` is 2. */
  depth: number;
}

/**
 * Walks a parsed JSON value without recursion, so an adversarially deep value costs a loop, not the
 * call stack. Stops early (and reports a depth past `maximumDepth`) once the nesting exceeds it.
 */
export function measureJson(value: unknown, maximumDepth = Number.POSITIVE_INFINITY): JsonMeasure {
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  let size = 0;
  let depth = 0;
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const current = item.value;
    if (typeof current === 'string') size += current.length + 2;
    else if (typeof current !== 'object' || current === null) size += 6;
    else {
      const level = item.depth + 1;
      depth = Math.max(depth, level);
      if (depth > maximumDepth) return { size, depth };
      size += 2;
      if (Array.isArray(current)) {
        for (const entry of current) stack.push({ value: entry, depth: level });
        size += current.length;
      } else {
        for (const [key, entry] of Object.entries(current)) {
          size += key.length + 4;
          stack.push({ value: entry, depth: level });
        }
      }
    }
  }
  return { size, depth };
}
