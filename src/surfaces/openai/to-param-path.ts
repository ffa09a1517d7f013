/** Formats a zod issue path the way OpenAI names parameters: `messages[2].content[0].image_url`. */
export function toParamPath(path: ReadonlyArray<PropertyKey>): string {
  let result = '';
  for (const segment of path) {
    if (typeof segment === 'number') result += `[${segment}]`;
    else result += result === '' ? String(segment) : `.${String(segment)}`;
  }
  return result;
}
