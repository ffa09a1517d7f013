import type { JsonValue } from '../gemini/types.ts';

/**
 * Deeply renames snake_case keys to camelCase (`include_thoughts` → `includeThoughts`). Only for the
 * `google` extension's config objects, whose keys are proto field names; never for user schemas.
 */
export function camelizeKeys(value: unknown): JsonValue {
  if (Array.isArray(value)) return value.map(camelizeKeys);
  if (typeof value === 'object' && value !== null) {
    const result: { [key: string]: JsonValue } = {};
    for (const [key, entry] of Object.entries(value)) {
      result[key.replace(/_([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase())] =
        camelizeKeys(entry);
    }
    return result;
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return null;
}
