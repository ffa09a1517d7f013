import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { callGemini } from '../../../dispatch/call-gemini-json.ts';
import { handOver } from '../../../dispatch/call-record.ts';
import { clientAbortSignal } from '../../../dispatch/client-abort-signal.ts';
import type { Dispatcher } from '../../../dispatch/dispatcher.ts';
import { readUpstreamError } from '../../../dispatch/read-upstream-error.ts';
import { readUpstreamJson } from '../../../dispatch/read-upstream-json.ts';
import { errors } from '../../../errors/app-error.ts';
import type { ImageFetcher } from '../../../media/fetch-remote-image.ts';
import type { ModelResolver } from '../../../translate/model-aliases.ts';
import { parseCountTokensRequest } from '../schema/message-request-schema.ts';
import { convertMessageRequest } from '../translate/convert-message-request.ts';
import { fetchMessageImages } from './fetch-message-images.ts';

const countTokensResponse = z.looseObject({ totalTokens: z.number().nullish() });

/**
 * `POST /v1/messages/count_tokens`: Gemini's own `:countTokens` on the translated request, so the
 * system prompt, tools and images are counted by the model's tokenizer, not estimated. Signatures
 * and generation settings do not change a count and are not sent.
 */
export async function countTokens(
  request: FastifyRequest,
  reply: FastifyReply,
  dependencies: { dispatcher: Dispatcher; images: ImageFetcher; models: ModelResolver },
): Promise<FastifyReply> {
  const body = parseCountTokensRequest(request.body);
  const resolved = dependencies.models.resolve(body.model);
  const signal = clientAbortSignal(reply);
  const images = await fetchMessageImages(body, dependencies.images, signal);
  const { contents, systemInstruction, tools, toolConfig } = convertMessageRequest(
    body,
    resolved,
    images,
  ).body;
  const generateContentRequest = {
    model: `models/${resolved.model}`,
    contents,
    ...(systemInstruction === undefined ? {} : { systemInstruction }),
    ...(tools === undefined ? {} : { tools }),
    ...(toolConfig === undefined ? {} : { toolConfig }),
  };
  const model = encodeURIComponent(resolved.model);
  const result = await callGemini(
    dependencies.dispatcher,
    {
      method: 'POST',
      path: `/v1beta/models/${model}:countTokens`,
      model: resolved.model,
      requestedModel: resolved.requested,
      body: { generateContentRequest },
      signal,
    },
    request.log,
  );
  handOver(request, result.record);
  if (result.status >= 300) throw await readUpstreamError(result);
  const parsed = countTokensResponse.safeParse(await readUpstreamJson(result));
  const total = parsed.success ? parsed.data.totalTokens : undefined;
  if (total === undefined || total === null) throw errors.upstreamUnreadable('a token count');
  return reply.type('application/json').send({ input_tokens: total });
}
