import type { ThinkingSuffix } from './model-aliases.ts';

export type ThinkingConfig = {
  thinkingBudget?: number;
  thinkingLevel?: string;
  includeThoughts?: boolean;
};

/** Gemini 3 and later take `thinkingLevel` and require thought signatures on tool turns. */
export function isGemini3OrLater(model: string): boolean {
  const major = /(?:^|\/)gemini-(\d+)/.exec(model)?.[1];
  return major !== undefined && Number(major) >= 3;
}

/** The lowest thinking a model allows: 2.5 Pro cannot turn thinking off (budget 128 is its floor). */
export function lowestThinking(model: string): ThinkingConfig {
  if (isGemini3OrLater(model)) return { thinkingLevel: /-pro/.test(model) ? 'low' : 'minimal' };
  if (/gemini-2\.5-pro/.test(model)) return { thinkingBudget: 128 };
  return { thinkingBudget: 0 };
}

/**
 * A budget in tokens → Gemini's thinkingConfig with thoughts shown. Gemini 3 still accepts a budget
 * but documents levels; a budget up to 4096 asks for `low`, more for `high` (mixing both is a 400).
 */
export function thinkingForBudget(budget: number, model: string): ThinkingConfig {
  if (budget === 0) return lowestThinking(model);
  if (isGemini3OrLater(model))
    return { thinkingLevel: budget <= 4096 ? 'low' : 'high', includeThoughts: true };
  return { thinkingBudget: budget, includeThoughts: true };
}

/** A model-name suffix (`-thinking-8000`, `-nothinking`) as a thinkingConfig. */
export function thinkingForSuffix(suffix: ThinkingSuffix, model: string): ThinkingConfig {
  return suffix === 'off' ? lowestThinking(model) : thinkingForBudget(suffix.budget, model);
}
