import type { FastifyReply, FastifyRequest } from 'fastify';
import { callGemini } from '../../../dispatch/call-gemini-json.ts';
import { handOver } from '../../../dispatch/call-record.ts';
import { clientAbortSignal } from '../../../dispatch/client-abort-signal.ts';
import type { Dispatcher } from '../../../dispatch/dispatcher.ts';
import { readUpstreamError } from '../../../dispatch/read-upstream-error.ts';
import { readUpstreamJson } from '../../../dispatch/read-upstream-json.ts';
import { convertEmbeddingsRequest, convertEmbeddingsResponse } from '../translate/convert-embeddings.ts';

/** `POST /v1/embeddings` through Gemini's batchEmbedContents, one embedding per input string. */
export async function embeddings(
  request: FastifyRequest,
  reply: FastifyReply,
  dispatcher: Dispatcher,
): Promise<FastifyReply> {
  const converted = convertEmbeddingsRequest(request.body);
  const call = {
    method: 'POST',
    path: `/v1beta/models/${encodeURIComponent(converted.model)}:batchEmbedContents`,
    model: converted.model,
    body: converted.body,
    signal: clientAbortSignal(reply),
  } as const;
  const result = await callGemini(dispatcher, call, request.log);
  handOver(request, result.record);
  if (result.status >= 300) throw await readUpstreamError(result);
  const answer = convertEmbeddingsResponse(await readUpstreamJson(result), {
    model: converted.model,
    encodingFormat: converted.encodingFormat,
  });
  return reply.type('application/json; charset=utf-8').send(answer);
}
