import type { GeminiUsageMetadata } from '../../../gemini/response-schema.ts';
import type { ChatUsage } from '../schema/openai-types.ts';

/**
 * Gemini usageMetadata → OpenAI usage. OpenAI counts reasoning inside completion_tokens, so thoughts
 * are added to the candidates' count and also reported as reasoning_tokens.
 */
export function convertUsage(usage: GeminiUsageMetadata | null | undefined): ChatUsage {
  const prompt = usage?.promptTokenCount ?? 0;
  const thoughts = usage?.thoughtsTokenCount ?? 0;
  const completion = (usage?.candidatesTokenCount ?? 0) + thoughts;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: usage?.totalTokenCount ?? prompt + completion,
    prompt_tokens_details: { cached_tokens: usage?.cachedContentTokenCount ?? 0 },
    completion_tokens_details: { reasoning_tokens: thoughts },
  };
}
