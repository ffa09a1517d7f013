import { z } from 'zod';
import { errors } from '../../../errors/app-error.ts';
import { normalizeModel } from '../../../gemini/model-name.ts';
import { zodIssueError } from '../../../translate/zod-issue-error.ts';

export const embeddingsRequestSchema = z.object({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(z.string()).min(1)]),
  dimensions: z.int().positive().nullish(),
  encoding_format: z.enum(['float', 'base64']).nullish(),
});

export type EmbeddingsRequest = z.infer<typeof embeddingsRequestSchema>;

export interface ConvertedEmbeddingsRequest {
  model: string;
  /** Body for `POST /v1beta/models/{model}:batchEmbedContents`. */
  body: {
    requests: Array<{
      model: string;
      content: { parts: Array<{ text: string }> };
      outputDimensionality?: number;
    }>;
  };
  encodingFormat: 'float' | 'base64';
}

/** OpenAI `/v1/embeddings` body → Gemini batchEmbedContents; one request per input string. */
export function convertEmbeddingsRequest(body: unknown): ConvertedEmbeddingsRequest {
  const request = parseEmbeddingsRequest(body);
  const model = normalizeModel(request.model);
  const inputs = typeof request.input === 'string' ? [request.input] : request.input;
  const dimensions = request.dimensions;
  const requests = inputs.map((text) => ({
    model: `models/${model}`,
    content: { parts: [{ text }] },
    ...(dimensions === undefined || dimensions === null ? {} : { outputDimensionality: dimensions }),
  }));
  return { model, body: { requests }, encodingFormat: request.encoding_format ?? 'float' };
}

function parseEmbeddingsRequest(body: unknown): EmbeddingsRequest {
  const result = embeddingsRequestSchema.safeParse(body, { reportInput: true });
  if (result.success) return result.data;
  const input: unknown = typeof body === 'object' && body !== null ? Reflect.get(body, 'input') : undefined;
  // Gemini embeds text, not token ids, so token arrays cannot be honoured.
  if (Array.isArray(input) && input.some((item) => typeof item === 'number' || Array.isArray(item))) {
    throw errors.invalidArgument('Token arrays are not supported as input; send strings.', 'input');
  }
  throw zodIssueError(result.error.issues[0]);
}

const batchEmbedResponseSchema = z.looseObject({
  embeddings: z.array(z.looseObject({ values: z.array(z.number()) })),
  usageMetadata: z.looseObject({ promptTokenCount: z.number().nullish() }).nullish(),
});

export interface EmbeddingsResponse {
  object: 'list';
  data: Array<{ object: 'embedding'; index: number; embedding: number[] | string }>;
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}

/**
 * Gemini batchEmbedContents answer → OpenAI list. Gemini reports no token count here, so usage is
 * its `usageMetadata` when it sends one, else `countedTokens` (from `:countTokens`), else 0.
 * base64 is little-endian float32, as OpenAI sends it.
 */
export function convertEmbeddingsResponse(
  response: unknown,
  options: { model: string; encodingFormat: 'float' | 'base64'; countedTokens?: number | undefined },
): EmbeddingsResponse {
  const parsed = batchEmbedResponseSchema.safeParse(response);
  if (!parsed.success) {
    throw errors.upstreamUnreadable('embeddings', parsed.error);
  }
  const tokens = parsed.data.usageMetadata?.promptTokenCount ?? options.countedTokens ?? 0;
  return {
    object: 'list',
    data: parsed.data.embeddings.map((embedding, index) => ({
      object: 'embedding',
      index,
      embedding: options.encodingFormat === 'base64' ? toBase64Float32(embedding.values) : embedding.values,
    })),
    model: options.model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}

function toBase64Float32(values: number[]): string {
  const view = new DataView(new ArrayBuffer(values.length * 4));
  values.forEach((value, index) => {
    view.setFloat32(index * 4, value, true);
  });
  return Buffer.from(view.buffer).toString('base64');
}

/** `totalTokens` of a `:countTokens` answer; undefined when it has none. */
export function readTotalTokens(answer: unknown): number | undefined {
  const parsed = z.looseObject({ totalTokens: z.number() }).safeParse(answer);
  return parsed.success ? parsed.data.totalTokens : undefined;
}
