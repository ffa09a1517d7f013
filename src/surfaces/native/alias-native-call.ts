import { applyModelSuffix } from '../../translate/apply-model-suffix.ts';
import type { ModelResolver, ResolvedModel } from '../../translate/model-aliases.ts';

/** Resolutions by model name as it appears in paths, per resolver: a few names cover nearly every call. */
const resolutions = new WeakMap<ModelResolver, Map<string, Resolution | undefined>>();
type Resolution = { decoded: string; resolved: ResolvedModel };
/** Past this many distinct names the cache starts over, so odd names cannot grow it without bound. */
const maximumCachedNames = 1024;

/** The resolution of a model name as encoded in a path; undefined when it does not decode. */
function resolveEncoded(models: ModelResolver, encoded: string): Resolution | undefined {
  let cache = resolutions.get(models);
  if (cache === undefined) {
    cache = new Map();
    resolutions.set(models, cache);
  }
  if (cache.has(encoded)) return cache.get(encoded);
  let resolution: Resolution | undefined;
  try {
    const decoded = decodeURIComponent(encoded);
    resolution = { decoded, resolved: Object.freeze(models.resolve(decoded)) };
  } catch {
    resolution = undefined;
  }
  if (cache.size >= maximumCachedNames) cache.clear();
  cache.set(encoded, resolution);
  return resolution;
}

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
  const resolution = resolveEncoded(models, encoded);
  if (resolution === undefined) return undefined;
  const { decoded: requested, resolved } = resolution;
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
