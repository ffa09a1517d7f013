import type { FastifyReply, FastifyRequest } from 'fastify';
import { credentialOwner } from '../../../auth/credential-owner.ts';
import { handOver } from '../../../dispatch/call-record.ts';
import { clientAbortSignal } from '../../../dispatch/client-abort-signal.ts';
import type { Dispatcher } from '../../../dispatch/dispatcher.ts';
import { readUpstreamError } from '../../../dispatch/read-upstream-error.ts';
import { readUpstreamJson } from '../../../dispatch/read-upstream-json.ts';
import { errors } from '../../../errors/app-error.ts';
import type { ImageFetcher } from '../../../media/fetch-remote-image.ts';
import type { ResponseStore } from '../../../store/response-store.ts';
import type { SignatureStore } from '../../../store/signature-store.ts';
import { applyModelSuffix } from '../../../translate/apply-model-suffix.ts';
import type { ModelResolver } from '../../../translate/model-aliases.ts';
import { parseResponsesRequest } from '../schema/request-schema.ts';
import { convertResponsesRequest, type GeminiRequestBody } from '../translate/convert-request.ts';
import { newResponseId } from '../translate/response-ids.ts';
import { responseShell } from '../translate/response-shell.ts';
import { ResponseStreamTranslator } from '../translate/response-stream-translator.ts';
import { callGeminiRecovering } from './call-gemini-recovering.ts';
import { resolveConversation, saveConversation } from './conversation.ts';
import { fetchInputImages } from './fetch-input-images.ts';
import { rememberSignatures, withRestoredSignatures } from './signatures.ts';
import { streamResponse } from './stream-response.ts';

export type ResponsesDependencies = {
  models: ModelResolver;
  signatures: SignatureStore;
  dispatcher: Dispatcher;
  store: ResponseStore;
  images: ImageFetcher;
};

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
  const scope = credentialOwner(request);
  const signal = clientAbortSignal(reply);
  const { earlier, own } = await resolveConversation(parsed, dependencies.store, scope);
  const conversation = [...earlier, ...own];
  const images = await fetchInputImages(conversation, dependencies.images, signal);
  const resolved = dependencies.models.resolve(parsed.model);
  const converted = convertResponsesRequest({ ...parsed, model: resolved.model }, conversation, images);
  // A model-name suffix (-search, -thinking-<budget>, -nothinking) adds its setting; thoughts it shows are summaries.
  const suffixed = applyModelSuffix({ ...converted.body }, resolved) as unknown as GeminiRequestBody;
  const body = await withRestoredSignatures(suffixed, converted.unsigned, {
    model: converted.model,
    store: dependencies.signatures,
    owner: scope,
  });
  const model = encodeURIComponent(converted.model);
  const stream = parsed.stream === true;
  const call = {
    method: 'POST' as const,
    path: stream
      ? `/v1beta/models/${model}:streamGenerateContent?alt=sse`
      : `/v1beta/models/${model}:generateContent`,
    model: converted.model,
    requestedModel: resolved.requested,
    body,
    signal,
  };
  const result = await callGeminiRecovering(request, dependencies.dispatcher, call);
  handOver(request, result.record);
  if (result.status >= 300) throw await readUpstreamError(result);
  const store = parsed.store !== false;
  const shell = responseShell(parsed, {
    id: newResponseId(),
    createdAt: Math.floor(Date.now() / 1000),
    store,
  });
  const translator = new ResponseStreamTranslator(shell, {
    model: converted.model,
    includeSummary: converted.includeSummary || typeof resolved.thinking === 'object',
    namespaces: converted.namespaces,
  });
  // The answer stands even if it cannot be kept: a store failure is logged, not sent to the client.
  const keep = async () => {
    rememberSignatures(dependencies.signatures, scope, translator.signatures, request.log);
    if (!store) return;
    const stored = { previous: parsed.previous_response_id ?? null, input: own.map(({ item }) => item) };
    await saveConversation(dependencies.store, scope, { ...stored, response: translator.response }).catch(
      (error: unknown) => request.log.warn({ err: error }, 'storing the response failed'),
    );
  };
  if (!stream) {
    translator.start();
    const pushed = translator.push(await readUpstreamJson(result));
    if (pushed.error !== undefined)
      throw errors.upstreamUnreadable('an error inside a successful answer, which');
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
