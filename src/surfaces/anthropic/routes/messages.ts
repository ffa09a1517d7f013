import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { callGemini } from '../../../dispatch/call-gemini-json.ts';
import { handOver } from '../../../dispatch/call-record.ts';
import { clientAbortSignal } from '../../../dispatch/client-abort-signal.ts';
import type { Dispatcher } from '../../../dispatch/dispatcher.ts';
import { readUpstreamError } from '../../../dispatch/read-upstream-error.ts';
import { readUpstreamJson } from '../../../dispatch/read-upstream-json.ts';
import { errors } from '../../../errors/app-error.ts';
import type { ImageFetcher } from '../../../media/fetch-remote-image.ts';
import type { SignatureStore } from '../../../store/signature-store.ts';
import type { ModelResolver } from '../../../translate/model-aliases.ts';
import { parseMessageRequest } from '../schema/message-request-schema.ts';
import { convertMessageRequest } from '../translate/convert-message-request.ts';
import { convertMessageResponse } from '../translate/convert-message-response.ts';
import { MessageStreamTranslator } from '../translate/message-stream-translator.ts';
import { fetchMessageImages } from './fetch-message-images.ts';
import { signatureOwner, withRestoredSignatures } from './restore-signatures.ts';
import { streamMessages } from './stream-messages.ts';

export type MessagesDependencies = {
  dispatcher: Dispatcher;
  images: ImageFetcher;
  models: ModelResolver;
  signatures: SignatureStore;
  pingIntervalMs: number;
};

/**
 * `POST /v1/messages`: validate, resolve the model alias, fetch remote images, translate, restore
 * dropped thought signatures, call Gemini with pool keys, translate the answer back, whole or as a
 * stream. Nothing goes upstream until the request is valid.
 */
export async function createMessage(
  request: FastifyRequest,
  reply: FastifyReply,
  dependencies: MessagesDependencies,
): Promise<FastifyReply> {
  const message = parseMessageRequest(request.body);
  const resolved = dependencies.models.resolve(message.model);
  const signal = clientAbortSignal(reply);
  const images = await fetchMessageImages(message, dependencies.images, signal);
  const owner = signatureOwner(request);
  const body = await withRestoredSignatures(
    convertMessageRequest(message, resolved, images),
    resolved.model,
    dependencies.signatures,
    owner,
  );
  const model = encodeURIComponent(resolved.model);
  const stream = message.stream === true;
  const result = await callGemini(
    dependencies.dispatcher,
    {
      method: 'POST',
      path: stream
        ? `/v1beta/models/${model}:streamGenerateContent?alt=sse`
        : `/v1beta/models/${model}:generateContent`,
      model: resolved.model,
      requestedModel: resolved.requested,
      body,
      signal,
    },
    request.log,
  );
  handOver(request, result.record);
  if (result.status >= 300) throw await readUpstreamError(result);
  const options = { id: `msg_${randomBytes(12).toString('base64url')}`, model: resolved.requested };
  const remember = (entries: Array<{ id: string; signature: string }>): void => {
    if (entries.length === 0) return;
    dependencies.signatures
      .remember(owner, entries, Date.now())
      .catch((error: unknown) => request.log.warn({ err: error }, 'thought signatures not remembered'));
  };
  if (!stream) {
    const converted = convertMessageResponse(await readUpstreamJson(result), options);
    if ('error' in converted) throw errors.upstreamUnreadable('a response');
    remember(converted.signatures);
    return reply.type('application/json').send(converted.message);
  }
  const translator = new MessageStreamTranslator(options);
  return reply
    .type('text/event-stream; charset=utf-8')
    .header('cache-control', 'no-cache')
    .header('x-accel-buffering', 'no')
    .send(
      streamMessages(result.body, translator, {
        log: request.log,
        signal,
        pingIntervalMs: dependencies.pingIntervalMs,
        onEnd: () => remember(translator.signatures),
      }),
    );
}
