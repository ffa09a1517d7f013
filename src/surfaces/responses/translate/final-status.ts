import { isFilteredFinish } from '../../../gemini/finish-reason.ts';
import type { ResponseObject } from '../schema/response-types.ts';

/**
 * Gemini's finish reason (or a blocked prompt) → the response's status: MAX_TOKENS is `incomplete`
 * for `max_output_tokens`, a filter is `incomplete` for `content_filter`, the rest `completed`.
 */
export function finalStatus(
  finishReason: string | undefined,
  blocked: boolean,
): { status: 'completed' | 'incomplete'; incompleteDetails: ResponseObject['incomplete_details'] } {
  if (finishReason === 'MAX_TOKENS')
    return { status: 'incomplete', incompleteDetails: { reason: 'max_output_tokens' } };
  if (blocked || isFilteredFinish(finishReason))
    return { status: 'incomplete', incompleteDetails: { reason: 'content_filter' } };
  return { status: 'completed', incompleteDetails: null };
}
