import { applyModelSuffix } from '../../translate/apply-model-suffix.ts';
import type { ModelResolver, ResolvedModel } from '../../translate/model-aliases.ts';

/** Methods whose body is a generateContent request a suffix can add to. */
const generating = /:(?:generateContent|streamGenerateContent)$/;

/**
 * Model aliases on the native surface: only the model in the path changes
 * (`/v1beta/models/claude-sonnet-4-5:generateContent` → `…/gemini-2.5-pro:…`), and a suffix's
 * setting (Google Search, thinking) is added to a JSON generateContent body. Anything else (a body
 * that is not a JSON object, calls about no model, resource paths) passes untouched.
 */
export function aliasNativeCall(
  path: string,
  body: Buffer | null,
  models: ModelResolver,
): { path: string; body: Buffer | null; resolved: ResolvedModel } | undefined {
  const match = /^(\/v1(?:beta|alpha)?\/models\/)([^/:?]+)(:[A-Za-z]+)(\?.*)?$/.exec(path);
  if (match === null) return undefined;
  const [, prefix = '', encoded = '', method = '', query = ''] = match;
  let requested: string;
  try {
    requested = decodeURIComponent(encoded);
  } catch {
    return undefined;
  }
  const resolved = models.resolve(requested);
  const changesBody = (resolved.search || resolved.thinking !== undefined) && generating.test(method);
  if (resolved.model === requested && !changesBody) return undefined;
  const newPath = `${prefix}${encodeURIComponent(resolved.model)}${method}${query}`;
  if (!changesBody || body === null) return { path: newPath, body, resolved };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return { path: newPath, body, resolved };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return { path: newPath, body, resolved };
  const patched = applyModelSuffix(parsed as Record<string, unknown>, resolved);
  return { path: newPath, body: Buffer.from(JSON.stringify(patched)), resolved };
}
