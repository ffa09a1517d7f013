import { z } from 'zod';
import { zodIssueError } from '../../../translate/zod-issue-error.ts';

/*
 * What OpenAI clients send to the image and audio endpoints. JSON bodies arrive typed; multipart
 * fields arrive as strings, so numbers there are coerced. Unknown fields (quality, style, user…)
 * have no Gemini meaning and are dropped.
 */

const count = z.coerce.number().int().min(1).max(10);

export const imageGenerationSchema = z.object({
  model: z.string().min(1).nullish(),
  prompt: z.string().min(1),
  n: count.nullish(),
  size: z.string().min(1).nullish(),
  response_format: z.enum(['b64_json', 'url']).nullish(),
});

export const imageEditSchema = imageGenerationSchema;

export const speechSchema = z.object({
  model: z.string().min(1),
  input: z.string().min(1).max(8192),
  voice: z.union([z.string().min(1), z.object({ id: z.string().min(1) })]),
  instructions: z.string().nullish(),
  response_format: z.enum(['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm']).nullish(),
  speed: z.number().min(0.25).max(4).nullish(),
  stream_format: z
    .literal('audio', { error: "Only stream_format 'audio' (the whole file) is available." })
    .nullish(),
});

export const transcriptionSchema = z.object({
  model: z.string().min(1),
  language: z.string().min(1).nullish(),
  prompt: z.string().nullish(),
  response_format: z.enum(['json', 'text', 'srt', 'vtt', 'verbose_json']).nullish(),
  temperature: z.coerce.number().min(0).max(2).nullish(),
  stream: z
    .enum(['false'], {
      error: 'Streamed transcriptions are not available; the whole transcript comes at once.',
    })
    .nullish(),
});

export type ImageGenerationRequest = z.infer<typeof imageGenerationSchema>;
export type SpeechRequest = z.infer<typeof speechSchema>;
export type TranscriptionRequest = z.infer<typeof transcriptionSchema>;

/** Validates with `schema`; a 400 naming the first bad field otherwise. */
export function parseWith<Schema extends z.ZodType>(schema: Schema, body: unknown): z.infer<Schema> {
  const result = schema.safeParse(body, { reportInput: true });
  if (result.success) return result.data;
  throw zodIssueError(result.error.issues[0]);
}
