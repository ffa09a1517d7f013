import type { z } from 'zod';

export interface SpecificIssue {
  path: PropertyKey[];
  message: string;
  missing: boolean;
}

/**
 * A union failure ("content is neither a string nor an array") names the wrong place; the member
 * that got furthest before failing names the right one, e.g. `messages[0].content[0].image_url.url`.
 * Zod reports member issues relative to the union, so their paths are appended.
 */
export function mostSpecificIssue(issue: z.core.$ZodIssue): SpecificIssue {
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
