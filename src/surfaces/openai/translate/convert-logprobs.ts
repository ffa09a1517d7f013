import type { GeminiLogprobsResult } from '../../../gemini/response-schema.ts';
import type { ChoiceLogprobs, TokenLogprob } from '../schema/openai-types.ts';

/**
 * Gemini's `logprobsResult` → OpenAI `logprobs`: one entry per chosen token with its log
 * probability, its UTF-8 bytes and, when `top_logprobs` was asked for, the alternatives Gemini
 * listed at that step. Null when Gemini returned none.
 */
export function convertLogprobs(result: GeminiLogprobsResult | null | undefined): ChoiceLogprobs | null {
  const chosen = result?.chosenCandidates ?? [];
  if (chosen.length === 0) return null;
  const content: TokenLogprob[] = chosen.map((candidate, step) => {
    const token = candidate.token ?? '';
    return {
      token,
      logprob: candidate.logProbability ?? 0,
      bytes: [...Buffer.from(token, 'utf8')],
      top_logprobs: (result?.topCandidates?.[step]?.candidates ?? []).map((alternative) => ({
        token: alternative.token ?? '',
        logprob: alternative.logProbability ?? 0,
        bytes: [...Buffer.from(alternative.token ?? '', 'utf8')],
      })),
    };
  });
  return { content, refusal: null };
}
