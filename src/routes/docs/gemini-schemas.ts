import { z } from 'zod';
import { geminiResponseSchema } from '../../gemini/response-schema.ts';
import { jsonSchemaOf } from './operation.ts';

/*
 * The shapes of Gemini's native requests, for the docs only: the native surface forwards bodies
 * unparsed, so these describe the common fields and accept any other (Google adds fields often).
 */

const part = z
  .looseObject({
    text: z.string().optional(),
    inlineData: z.object({ mimeType: z.string(), data: z.string().describe('base64') }).optional(),
    fileData: z.object({ mimeType: z.string().optional(), fileUri: z.string() }).optional(),
    functionCall: z
      .object({ name: z.string(), args: z.record(z.string(), z.unknown()).optional() })
      .optional(),
    functionResponse: z.object({ name: z.string(), response: z.record(z.string(), z.unknown()) }).optional(),
    thought: z.boolean().optional(),
    thoughtSignature: z.string().optional().describe('Send back unchanged with the part it came with.'),
  })
  .describe('One part: text, inline data, a file, a function call or response.');

const content = z.looseObject({
  role: z.enum(['user', 'model']).optional(),
  parts: z.array(part),
});

const generationConfig = z.looseObject({
  temperature: z.number().optional(),
  topP: z.number().optional(),
  topK: z.number().optional(),
  candidateCount: z.int().optional(),
  maxOutputTokens: z.int().optional(),
  stopSequences: z.array(z.string()).optional(),
  responseMimeType: z.string().optional(),
  responseJsonSchema: z.record(z.string(), z.unknown()).optional(),
  thinkingConfig: z
    .looseObject({
      thinkingBudget: z.int().optional(),
      thinkingLevel: z.string().optional(),
      includeThoughts: z.boolean().optional(),
    })
    .optional(),
});

const generateContentRequest = z.looseObject({
  contents: z.array(content),
  systemInstruction: content.optional(),
  generationConfig: generationConfig.optional(),
  tools: z.array(z.record(z.string(), z.unknown())).optional(),
  toolConfig: z.record(z.string(), z.unknown()).optional(),
  safetySettings: z.array(z.object({ category: z.string(), threshold: z.string() })).optional(),
  cachedContent: z.string().optional(),
});

const embedContentRequest = z.looseObject({
  content,
  taskType: z.string().optional(),
  outputDimensionality: z.int().optional(),
});

const model = z.looseObject({
  name: z.string(),
  displayName: z.string().optional(),
  inputTokenLimit: z.int().optional(),
  outputTokenLimit: z.int().optional(),
  supportedGenerationMethods: z.array(z.string()).optional(),
});

export const geminiSchemas = {
  GenerateContentRequest: jsonSchemaOf(generateContentRequest),
  GenerateContentResponse: jsonSchemaOf(geminiResponseSchema),
  CountTokensRequest: jsonSchemaOf(
    z.looseObject({
      contents: z.array(content).optional(),
      generateContentRequest: generateContentRequest.optional(),
    }),
  ),
  CountTokensResponse: jsonSchemaOf(
    z.looseObject({ totalTokens: z.int(), promptTokensDetails: z.array(z.unknown()).optional() }),
  ),
  EmbedContentRequest: jsonSchemaOf(embedContentRequest),
  EmbedContentResponse: jsonSchemaOf(z.looseObject({ embedding: z.object({ values: z.array(z.number()) }) })),
  BatchEmbedContentsRequest: jsonSchemaOf(
    z.looseObject({ requests: z.array(embedContentRequest.extend({ model: z.string() })) }),
  ),
  BatchEmbedContentsResponse: jsonSchemaOf(
    z.looseObject({ embeddings: z.array(z.object({ values: z.array(z.number()) })) }),
  ),
  Model: jsonSchemaOf(model),
  ListModelsResponse: jsonSchemaOf(
    z.looseObject({ models: z.array(model), nextPageToken: z.string().optional() }),
  ),
};

/** `#/components/schemas/<name>` */
export const schemaRef = (name: keyof typeof geminiSchemas) => ({ $ref: `#/components/schemas/${name}` });
