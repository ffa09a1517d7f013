import type { JsonObject } from '../gemini/types.ts';

export type ReasoningEffort = 'none' | 'minimal' | 'low' | 'medium' | 'high' | 'xhigh';

/** Gemini 2.5 budgets, the same steps Google's own OpenAI-compatible endpoint documents. */
const budgets: Record<ReasoningEffort, number> = {
  none: 0,
  minimal: 1024,
  low: 1024,
  medium: 8192,
  high: 24576,
  xhigh: 24576,
};

/**
 * OpenAI `reasoning_effort` → Gemini `thinkingConfig`. Gemini 3 models take a `thinkingLevel`
 * (they cannot turn thinking off, so `none` asks for the lowest level); older models a `thinkingBudget`.
 * Level support differs per model: Flash models have `minimal`, Pro models start at `low`, and the
 * first Gemini 3 Pro has no `medium`. A client needing an exact value can send
 * `google.thinking_config`, which wins over this mapping.
 */
export function mapReasoningEffort(effort: ReasoningEffort, model: string): JsonObject {
  if (!/gemini-3/.test(model)) return { thinkingBudget: budgets[effort] };
  return { thinkingLevel: thinkingLevel(effort, model) };
}

function thinkingLevel(effort: ReasoningEffort, model: string): string {
  const isPro = /-pro/.test(model);
  switch (effort) {
    case 'none':
    case 'minimal':
      return isPro ? 'low' : 'minimal';
    case 'low':
      return 'low';
    case 'medium':
      return /^gemini-3-pro/.test(model) ? 'high' : 'medium';
    case 'high':
    case 'xhigh':
      return 'high';
  }
}
