import type { FastifyReply, FastifyRequest } from 'fastify';
import { credentialOwner } from '../../../auth/credential-owner.ts';
import type { GeminiCall } from '../../../dispatch/call-gemini-json.ts';
import { clientAbortSignal } from '../../../dispatch/client-abort-signal.ts';
import type { Dispatcher } from '../../../dispatch/dispatcher.ts';
import { readUpstreamError } from '../../../dispatch/read-upstream-error.ts';
import { readUpstreamJson } from '../../../dispatch/read-upstream-json.ts';
import type { ImageFetcher } from '../../../media/fetch-remote-image.ts';
import type { SignatureStore } from '../../../store/signature-store.ts';
import { applyModelSuffix } from '../../../translate/apply-model-suffix.ts';
import { generateId } from '../../../translate/generate-id.ts';
import type { ModelResolver } from '../../../translate/model-aliases.ts';
import { parseChatRequest } from '../schema/chat-request-schema.ts';
import { type ConvertedChatRequest, convertChatRequest } from '../translate/convert-chat-request.ts';
import { convertChatResponse } from '../translate/convert-chat-response.ts';
import { ChatStreamTranslator, rememberSignature } from '../translate/convert-chat-stream.ts';
import { callChat } from './call-chat.ts';
import { fetchChatImages } from './fetch-chat-images.ts';
import { streamChatCompletion } from './stream-chat-completion.ts';

export type ChatDependencies = {
  dispatcher: Dispatcher;
  images: ImageFetcher;
  models: ModelResolver;
  /** Thought signatures by client and tool-call id, for clients that drop `extra_content`. */
  signatures: SignatureStore;
};

/**
 * `POST /v1/chat/completions`: validate, fetch remote images, translate, call Gemini with pool keys,
 * translate the answer back, whole or as a stream. Nothing goes upstream until the request is valid.
 * Thought signatures go out in `extra_content` and into the store by tool-call id (see call-chat.ts).
 */
export async function chatCompletions(
  request: FastifyRequest,
  reply: FastifyReply,
  dependencies: ChatDependencies,
): Promise<FastifyReply> {
  const chat = parseChatRequest(request.body);
  const signal = clientAbortSignal(reply);
  const images = await fetchChatImages(chat, dependencies.images, signal);
  const resolved = dependencies.models.resolve(chat.model);
  const translated = convertChatRequest({ ...chat, model: resolved.model }, images);
  // A `-thinking-<budget>` suffix shows thoughts, so they come back as reasoning_content.
  const converted = {
    ...translated,
    includeThoughts: translated.includeThoughts || typeof resolved.thinking === 'object',
  };
  const model = encodeURIComponent(converted.model);
  const call: GeminiCall & { body: object } = {
    method: 'POST',
    path: converted.stream
      ? `/v1beta/models/${model}:streamGenerateContent?alt=sse`
      : `/v1beta/models/${model}:generateContent`,
    model: converted.model,
    requestedModel: chat.model,
    body: applyModelSuffix({ ...converted.body }, resolved),
    signal,
  };
  const owner = credentialOwner(request);
  const placement = { contents: converted.body.contents, toolCalls: converted.toolCalls, owner };
  const result = await callChat(dependencies, request, call, placement);
  if (result.status >= 300) throw await readUpstreamError(result);
  const remember = (entries: Array<{ id: string; signature: string }>): void => {
    if (entries.length === 0) return;
    dependencies.signatures
      .remember(owner, entries, Date.now())
      .catch((error: unknown) => request.log.warn({ err: error }, 'thought signatures not remembered'));
  };
  if (!converted.stream) {
    const completion = convertChatResponse(await readUpstreamJson(result), {
      model: chat.model,
      includeThoughts: converted.includeThoughts,
      singleToolCall: converted.singleToolCall,
      audioFormat: converted.audioFormat,
      serviceTier: converted.serviceTier,
    });
    const signatures: Array<{ id: string; signature: string }> = [];
    for (const choice of completion.choices) {
      for (const toolCall of choice.message.tool_calls ?? []) rememberSignature(signatures, toolCall);
    }
    remember(signatures);
    return reply.type('application/json; charset=utf-8').send(completion);
  }
  const translator = new ChatStreamTranslator(streamOptions(converted, chat.model));
  return reply
    .type('text/event-stream; charset=utf-8')
    .header('cache-control', 'no-cache')
    .header('x-accel-buffering', 'no')
    .send(
      streamChatCompletion(result.body, translator, {
        log: request.log,
        signal,
        onEnd: () => remember(translator.signatures),
      }),
    );
}

function streamOptions(converted: ConvertedChatRequest, model: string) {
  return {
    id: `chatcmpl-${generateId('')}`,
    model,
    created: Math.floor(Date.now() / 1000),
    includeUsage: converted.includeUsage,
    includeThoughts: converted.includeThoughts,
    singleToolCall: converted.singleToolCall,
    serviceTier: converted.serviceTier,
  };
}
