import { isFilteredFinish } from '../../../gemini/finish-reason.ts';
import type { FinishReason } from '../schema/openai-types.ts';

/**
 * Gemini `finishReason` → OpenAI `finish_reason`. A normal stop that produced function calls is
 * `tool_calls`, as OpenAI clients loop on it. Failed tool calls (MALFORMED_FUNCTION_CALL,
 * UNEXPECTED_TOOL_CALL, TOO_MANY_TOOL_CALLS) and OTHER map to `stop`: OpenAI has no "error" reason,
 * and clients that validate the enum would reject an invented one.
 */
export function mapFinishReason(reason: string | null | undefined, hasToolCalls: boolean): FinishReason {
  if (reason === 'MAX_TOKENS') return 'length';
  if (isFilteredFinish(reason)) return 'content_filter';
  return hasToolCalls ? 'tool_calls' : 'stop';
}
