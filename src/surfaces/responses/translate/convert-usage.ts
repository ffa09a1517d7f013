import type { GeminiUsageMetadata } from '../../../gemini/response-schema.ts';
import type { ResponseUsage } from '../schema/response-types.ts';

/** Gemini usageMetadata → Responses usage; OpenAI counts reasoning inside output_tokens. */
export function convertUsage(usage: GeminiUsageMetadata | null | undefined): ResponseUsage {
  const input = usage?.promptTokenCount ?? 0;
  const thoughts = usage?.thoughtsTokenCount ?? 0;
  const output = (usage?.candidatesTokenCount ?? 0) + thoughts;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: usage?.cachedContentTokenCount ?? 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: thoughts },
    total_tokens: usage?.totalTokenCount ?? input + output,
  };
}
