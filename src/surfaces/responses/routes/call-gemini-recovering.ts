import type { FastifyRequest } from 'fastify';
import { callGemini, type GeminiCall } from '../../../dispatch/call-gemini-json.ts';
import { handOver } from '../../../dispatch/call-record.ts';
import type { Dispatcher, DispatchResult } from '../../../dispatch/dispatcher.ts';
import { readUpstreamError } from '../../../dispatch/read-upstream-error.ts';
import type { GeminiRequestBody } from '../translate/convert-request.ts';
import {
  hasRealSignatures,
  isStaleSignatureError,
  withBypassSignatures,
} from '../translate/with-bypass-signatures.ts';

/**
 * One translated call, and when Gemini refuses a thought signature as invalid or corrupted (minted
 * on another model, key or project), one more with the bypass value in its place, as Google
 * documents. Retrying cannot help any other 400. The record of the answer the client gets also
 * lists the first attempts.
 */
export async function callGeminiRecovering(
  request: FastifyRequest,
  dispatcher: Dispatcher,
  call: GeminiCall & { body: GeminiRequestBody },
): Promise<DispatchResult> {
  const first = await callGemini(dispatcher, call, request.log);
  if (first.status !== 400 || !hasRealSignatures(call.body)) return first;
  const error = await readUpstreamError(first);
  if (!isStaleSignatureError(error.message)) {
    handOver(request, first.record);
    throw error;
  }
  request.log.info('Gemini refused a thought signature: retrying once with the bypass value');
  const second = await callGemini(
    dispatcher,
    { ...call, body: withBypassSignatures(call.body) },
    request.log,
  );
  second.record.attempts.unshift(...first.record.attempts);
  return second;
}
