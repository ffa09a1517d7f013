import type { FastifyRequest } from 'fastify';
import { callGemini, type GeminiCall } from '../../../dispatch/call-gemini-json.ts';
import { handOver } from '../../../dispatch/call-record.ts';
import type { Dispatcher } from '../../../dispatch/dispatcher.ts';
import { readUpstreamError } from '../../../dispatch/read-upstream-error.ts';
import { readUpstreamJson } from '../../../dispatch/read-upstream-json.ts';

/**
 * One JSON call whose whole answer the route needs: dispatched with pool keys, its record handed
 * over (the first hand-off of a request counts), an error answer thrown as an AppError.
 */
export async function callGeminiAnswer(
  dispatcher: Dispatcher,
  call: GeminiCall,
  request: FastifyRequest,
): Promise<unknown> {
  const result = await callGemini(dispatcher, call, request.log);
  handOver(request, result.record);
  if (result.status >= 300) throw await readUpstreamError(result);
  return readUpstreamJson(result);
}
