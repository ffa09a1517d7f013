import type { z } from 'zod';
import { type AppError, errors } from '../errors/app-error.ts';

interface SpecificIssue {
  path: PropertyKey[];
  message: string;
  missing: boolean;
}

/**
 * A union failure ("content is neither a string nor an array") names the wrong place; the member
 * that got furthest before failing names the right one, e.g. `messages[0].content[0].image_url.url`.
 * Zod reports member issues relative to the union, so their paths are appended.
 */
function mostSpecificIssue(issue: z.core.$ZodIssue): SpecificIssue {
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const candidates = issue.errors.flat().map((inner) => {
      const specific = mostSpecificIssue(inner);
      return { ...specific, path: [...issue.path, ...specific.path] };
    });
    const deepest = candidates.reduce((best, next) => (next.path.length > best.path.length ? next : best));
    if (deepest.path.length > issue.path.length) return deepest;
  }
  const missing = issue.code === 'invalid_type' && issue.input === undefined && 'input' in issue;
  return { path: [...issue.path], message: issue.message, missing };
}

/** Formats a zod issue path the way OpenAI names parameters: `messages[2].content[0].image_url`. */
function toParamPath(path: ReadonlyArray<PropertyKey>): string {
  let result = '';
  for (const segment of path) {
    if (typeof segment === 'number') result += `[${segment}]`;
    else result += result === '' ? String(segment) : `.${String(segment)}`;
  }
  return result;
}

/**
 * The one zod-issue → 400 mapping for client bodies: the most specific issue names the offending
 * parameter (`param`), and the message says whether it is missing or invalid.
 */
export function zodIssueError(issue: z.core.$ZodIssue | undefined): AppError {
  if (issue === undefined) return errors.invalidArgument('Invalid request body.');
  const specific = mostSpecificIssue(issue);
  const param = toParamPath(specific.path);
  if (param === '') return errors.invalidArgument('The request body must be a JSON object.');
  if (specific.missing) return errors.invalidArgument(`Missing required parameter: '${param}'.`, param);
  return errors.invalidArgument(`Invalid value for '${param}': ${specific.message}`, param);
}
