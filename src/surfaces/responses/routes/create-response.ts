import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../../errors/app-error.ts';
import type { ResponseStore } from '../../../store/response-store.ts';
import type { PoolCaller } from '../../../upstream/call-with-pool.ts';
import { callGemini } from '../../openai/call-gemini.ts';
import type { ImageFetcher } from '../../openai/fetch-remote-image.ts';
import { readUpstreamJson } from '../../openai/read-upstream-json.ts';
import { upstreamError } from '../../openai/upstream-error.ts';
import { parseResponsesRequest, type ResponsesRequest } from '../schema/request-schema.ts';
import type { ResponseObject } from '../schema/response-types.ts';
import type { PlacedItem } from '../translate/convert-input-items.ts';
import { convertResponsesRequest } from '../translate/convert-request.ts';
import { newResponseId } from '../translate/response-ids.ts';
import { responseShell } from '../translate/response-shell.ts';
import { ResponseStreamTranslator } from '../translate/response-stream-translator.ts';
import { clientAbortSignal } from './client-abort-signal.ts';
import { clientScope } from './client-scope.ts';
import { resolveConversation, saveConversation } from './conversation.ts';
import { fetchInputImages } from './fetch-input-images.ts';
import { streamResponse } from './stream-response.ts';

export type ResponsesDependencies = { caller: PoolCaller; store: ResponseStore; images: ImageFetcher };

/**
 * `POST /v1/responses`: validate, resolve the conversation (previous response, item references),
 * fetch remote images, translate, call Gemini with pool keys, translate the answer back whole or as
 * OpenAI's event stream, and keep it in the store unless `store: false`.
 */
export async function createResponse(
  request: FastifyRequest,
  reply: FastifyReply,
  dependencies: ResponsesDependencies,
): Promise<FastifyReply> {
  const parsed = parseResponsesRequest(request.body);
  const scope = clientScope(request);
  const signal = clientAbortSignal(reply);
  const conversation = await resolveConversation(parsed, dependencies.store, scope);
  const images = await fetchInputImages(conversation, dependencies.images, signal);
  const converted = convertResponsesRequest(parsed, conversation, images);
  request.model = converted.model;
  const model = encodeURIComponent(converted.model);
  const stream = parsed.stream === true;
  const result = await callGemini(request, dependencies.caller, {
    method: 'POST',
    path: stream
      ? `/v1beta/models/${model}:streamGenerateContent?alt=sse`
      : `/v1beta/models/${model}:generateContent`,
    model: converted.model,
    body: converted.body,
    signal,
  });
  if (result.status >= 300) throw await upstreamError(result);
  const store = parsed.store !== false;
  const shell = responseShell(parsed, {
    id: newResponseId(),
    createdAt: Math.floor(Date.now() / 1000),
    store,
  });
  const translator = new ResponseStreamTranslator(shell, {
    model: converted.model,
    includeSummary: converted.includeSummary,
  });
  const keep = () =>
    store ? keepResponse(dependencies.store, scope, conversation, translator.response) : Promise.resolve();
  if (!stream) {
    translator.start();
    const pushed = translator.push(await readUpstreamJson(result));
    if (pushed.error !== undefined)
      throw new AppError(pushed.error.code.toUpperCase(), 502, pushed.error.message);
    translator.finish();
    await keep();
    return reply.type('application/json; charset=utf-8').send(translator.response);
  }
  return reply
    .type('text/event-stream; charset=utf-8')
    .header('cache-control', 'no-cache')
    .header('x-accel-buffering', 'no')
    .send(streamResponse(result.body, translator, { log: request.log, signal, onComplete: keep }));
}

async function keepResponse(
  store: ResponseStore,
  scope: string,
  conversation: PlacedItem[],
  response: ResponseObject,
): Promise<void> {
  await saveConversation(store, scope, { conversation: conversation.map(({ item }) => item), response });
}

export type { ResponsesRequest };
