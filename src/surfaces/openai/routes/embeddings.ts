import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import { callGemini } from '../../../dispatch/call-gemini-json.ts';
import { handOver } from '../../../dispatch/call-record.ts';
import { clientAbortSignal } from '../../../dispatch/client-abort-signal.ts';
import type { Dispatcher } from '../../../dispatch/dispatcher.ts';
import { readUpstreamError } from '../../../dispatch/read-upstream-error.ts';
import { readUpstreamJson } from '../../../dispatch/read-upstream-json.ts';
import { errors } from '../../../errors/app-error.ts';
import {
  type ConvertedEmbeddingsRequest,
  convertEmbeddingsRequest,
  convertEmbeddingsResponse,
  readTotalTokens,
} from '../translate/convert-embeddings.ts';
import type { ModelCatalog } from './model-catalog.ts';

export type EmbeddingsDependencies = { dispatcher: Dispatcher; catalog: ModelCatalog };

/**
 * `POST /v1/embeddings` through Gemini's batchEmbedContents, one embedding per input string. Gemini
 * reports no token count there, so `:countTokens` on the same model counts the input meanwhile (a
 * failed count leaves usage at 0; it never fails the request). A model Gemini does not know is a 404
 * naming the embedding models that exist.
 */
export async function embeddings(
  request: FastifyRequest,
  reply: FastifyReply,
  dependencies: EmbeddingsDependencies,
): Promise<FastifyReply> {
  const converted = convertEmbeddingsRequest(request.body);
  const signal = clientAbortSignal(reply);
  const call = {
    method: 'POST',
    path: `/v1beta/models/${encodeURIComponent(converted.model)}:batchEmbedContents`,
    model: converted.model,
    body: converted.body,
    signal,
  } as const;
  const counting = countTokens(dependencies.dispatcher, converted, signal, request.log);
  const result = await callGemini(dependencies.dispatcher, call, request.log);
  handOver(request, result.record);
  if (result.status === 404) {
    result.body.resume();
    const models = await dependencies.catalog.list(request, signal).catch(() => ({ data: [] }));
    const available = models.data.map((model) => model.id).filter((id) => id.includes('embedding'));
    throw errors.unknownModel(converted.model, 'create embeddings', available);
  }
  if (result.status >= 300) throw await readUpstreamError(result);
  const answer = convertEmbeddingsResponse(await readUpstreamJson(result), {
    model: converted.model,
    encodingFormat: converted.encodingFormat,
    countedTokens: await counting,
  });
  return reply.type('application/json; charset=utf-8').send(answer);
}

async function countTokens(
  dispatcher: Dispatcher,
  converted: ConvertedEmbeddingsRequest,
  signal: AbortSignal,
  log: FastifyBaseLogger,
): Promise<number | undefined> {
  const call = {
    method: 'POST',
    path: `/v1beta/models/${encodeURIComponent(converted.model)}:countTokens`,
    model: converted.model,
    body: { contents: converted.body.requests.map((entry) => ({ role: 'user', ...entry.content })) },
    signal,
  } as const;
  try {
    const result = await callGemini(dispatcher, call, log);
    if (result.status >= 300) {
      result.body.resume();
      return undefined;
    }
    return readTotalTokens(await readUpstreamJson(result));
  } catch (error) {
    log.debug({ err: error }, 'counting embedding tokens failed');
    return undefined;
  }
}
