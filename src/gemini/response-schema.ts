import { z } from 'zod';

/*
 * What Gemini answers to generateContent / streamGenerateContent, read leniently: every field is
 * optional and unknown fields are kept, so a new upstream field never breaks translation.
 */

const part = z.looseObject({
  text: z.string().nullish(),
  thought: z.boolean().nullish(),
  thoughtSignature: z.string().nullish(),
  functionCall: z
    .looseObject({
      id: z.string().nullish(),
      name: z.string(),
      args: z.record(z.string(), z.unknown()).nullish(),
    })
    .nullish(),
  inlineData: z.looseObject({ mimeType: z.string(), data: z.string() }).nullish(),
});

const candidate = z.looseObject({
  index: z.int().nullish(),
  content: z.looseObject({ parts: z.array(part).nullish(), role: z.string().nullish() }).nullish(),
  finishReason: z.string().nullish(),
});

// A count of an unexpected type is dropped, never fatal.
const count = z.number().nullish().catch(undefined);

export const usageMetadataSchema = z.looseObject({
  promptTokenCount: count,
  candidatesTokenCount: count,
  thoughtsTokenCount: count,
  cachedContentTokenCount: count,
  totalTokenCount: count,
});

export const geminiResponseSchema = z.looseObject({
  candidates: z.array(candidate).nullish(),
  promptFeedback: z.looseObject({ blockReason: z.string().nullish() }).nullish(),
  usageMetadata: usageMetadataSchema.nullish(),
  modelVersion: z.string().nullish(),
  responseId: z.string().nullish(),
});

export type GeminiResponse = z.infer<typeof geminiResponseSchema>;
export type GeminiCandidate = z.infer<typeof candidate>;
export type GeminiResponsePart = z.infer<typeof part>;
export type GeminiUsageMetadata = z.infer<typeof usageMetadataSchema>;
