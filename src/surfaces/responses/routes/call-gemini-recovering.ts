import type { FastifyRequest } from 'fastify';
import { callGemini, type GeminiCall } from '../../../dispatch/call-gemini-json.ts';
import { handOver } from '../../../dispatch/call-record.ts';
import type { Dispatcher, DispatchResult } from '../../../dispatch/dispatcher.ts';
import { readUpstreamError } from '../../../dispatch/read-upstream-error.ts';
import { isSignatureRejection, withBypassSignatures } from '../../../translate/thought-signatures.ts';
import type { GeminiRequestBody } from '../translate/convert-request.ts';

/**
 * One translated call, and when Gemini refuses a thought signature (invalid or corrupted: minted on
 * another model, key or project), one more with the bypass value in its place, as Google documents.
 * Retrying cannot help any other 400. The record of the answer the client gets lists both attempts.
 */
export async function callGeminiRecovering(
  request: FastifyRequest,
  dispatcher: Dispatcher,
  call: GeminiCall & { body: GeminiRequestBody },
): Promise<DispatchResult> {
  const first = await callGemini(dispatcher, call, request.log);
  if (first.status !== 400 || !carriesSignatures(call.body)) return first;
  const error = await readUpstreamError(first);
  if (!isSignatureRejection(first.status, error.message)) {
    handOver(request, first.record);
    throw error;
  }
  request.log.info(
    { reason: error.message.slice(0, 200) },
    'thought signature refused; retrying once with the bypass value',
  );
  const body = { ...call.body, contents: withBypassSignatures(call.body.contents) };
  const second = await callGemini(dispatcher, { ...call, body }, request.log);
  second.record.attempts.unshift(...first.record.attempts);
  return second;
}

/** Whether a retry with the bypass value would change anything: a call or a signed part in a model turn. */
function carriesSignatures(body: GeminiRequestBody): boolean {
  return body.contents.some(
    (content) =>
      content.role === 'model' &&
      content.parts.some((part) => 'functionCall' in part || 'thoughtSignature' in part),
  );
}
