import { isFilteredFinish } from '../../../gemini/finish-reason.ts';
import type { StopReason } from './anthropic-types.ts';

/**
 * Gemini's `finishReason` (or a blocked prompt) → Anthropic's `stop_reason`. A normal stop after a
 * tool call is `tool_use`, which Claude Code loops on. Gemini says STOP for a matched stop sequence
 * too and does not say which, so `stop_sequence` is never claimed. Failed tool calls
 * (MALFORMED_FUNCTION_CALL…) and OTHER end the turn: Anthropic has no "error" reason.
 */
export function mapStopReason(
  finishReason: string | undefined,
  blockReason: string | undefined,
  sawToolUse: boolean,
): StopReason {
  if (finishReason === undefined && blockReason !== undefined) return 'refusal';
  if (finishReason === 'MAX_TOKENS') return 'max_tokens';
  if (isFilteredFinish(finishReason)) return 'refusal';
  return sawToolUse ? 'tool_use' : 'end_turn';
}
