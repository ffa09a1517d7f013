import type { ResolvedModel } from './model-aliases.ts';
import { thinkingForSuffix } from './thinking-config.ts';

type Body = Record<string, unknown>;

/**
 * What a model-name suffix adds to a Gemini generateContent body (any surface, after translation,
 * or a native body as the client wrote it): `-search` the Google Search tool (unless present),
 * `-thinking-<budget>` / `-nothinking` a thinkingConfig replacing the body's. Keys keep the
 * spelling the body already uses (`generation_config` or `generationConfig`). Returns a new body.
 */
export function applyModelSuffix(body: Body, resolved: ResolvedModel): Body {
  const result: Body = { ...body };
  if (resolved.search) {
    const tools = Array.isArray(result.tools) ? [...(result.tools as unknown[])] : [];
    const present = tools.some(
      (tool) => isRecord(tool) && ('googleSearch' in tool || 'google_search' in tool),
    );
    if (!present) tools.push({ googleSearch: {} });
    result.tools = tools;
  }
  if (resolved.thinking !== undefined) {
    const key = 'generation_config' in result ? 'generation_config' : 'generationConfig';
    const config: Body = isRecord(result[key]) ? { ...result[key] } : {};
    delete config.thinking_config;
    config.thinkingConfig = thinkingForSuffix(resolved.thinking, resolved.model);
    result[key] = config;
  }
  return result;
}

function isRecord(value: unknown): value is Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
