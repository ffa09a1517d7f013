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
  executableCode: z.looseObject({ language: z.string().nullish(), code: z.string().nullish() }).nullish(),
  codeExecutionResult: z
    .looseObject({ outcome: z.string().nullish(), output: z.string().nullish() })
    .nullish(),
});

const logprobCandidate = z.looseObject({ token: z.string().nullish(), logProbability: z.number().nullish() });

const logprobsResult = z.looseObject({
  topCandidates: z.array(z.looseObject({ candidates: z.array(logprobCandidate).nullish() })).nullish(),
  chosenCandidates: z.array(logprobCandidate).nullish(),
});

const groundingMetadata = z.looseObject({
  groundingChunks: z
    .array(
      z.looseObject({
        web: z.looseObject({ uri: z.string().nullish(), title: z.string().nullish() }).nullish(),
      }),
    )
    .nullish(),
  groundingSupports: z
    .array(
      z.looseObject({
        segment: z
          .looseObject({
            startIndex: z.int().nullish(),
            endIndex: z.int().nullish(),
            text: z.string().nullish(),
          })
          .nullish(),
        groundingChunkIndices: z.array(z.int()).nullish(),
      }),
    )
    .nullish(),
});

const candidate = z.looseObject({
  index: z.int().nullish(),
  content: z.looseObject({ parts: z.array(part).nullish(), role: z.string().nullish() }).nullish(),
  finishReason: z.string().nullish(),
  logprobsResult: logprobsResult.nullish(),
  groundingMetadata: groundingMetadata.nullish(),
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
export type GeminiLogprobsResult = z.infer<typeof logprobsResult>;
export type GeminiGroundingMetadata = z.infer<typeof groundingMetadata>;
export type GeminiUsageMetadata = z.infer<typeof usageMetadataSchema>;
