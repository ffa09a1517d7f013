import { z } from 'zod';

/*
 * The items of a Responses `input` list, as OpenAI clients send them (Codex, the openai SDK, Vercel's
 * `@ai-sdk/openai`). Strict on the fields we translate; unknown fields are dropped. Item types that
 * have no Gemini meaning (web_search_call, image_generation_call, …) are accepted and skipped.
 */

const inputText = z.object({ type: z.literal('input_text'), text: z.string() });

const inputImage = z.object({
  type: z.literal('input_image'),
  image_url: z.string().min(1).nullish(),
  file_id: z.string().min(1).nullish(),
  detail: z.enum(['auto', 'low', 'high']).nullish(),
});

const inputFile = z.object({
  type: z.literal('input_file'),
  file_data: z.string().min(1).nullish(),
  file_id: z.string().min(1).nullish(),
  file_url: z.string().min(1).nullish(),
  filename: z.string().nullish(),
});

const outputText = z.object({ type: z.literal('output_text'), text: z.string() });
const refusal = z.object({ type: z.literal('refusal'), refusal: z.string() });

export const inputContentPart = z.discriminatedUnion('type', [inputText, inputImage, inputFile]);

const messageContentPart = z.discriminatedUnion('type', [
  inputText,
  inputImage,
  inputFile,
  outputText,
  refusal,
]);

export const messageItem = z.object({
  type: z.literal('message').optional(),
  id: z.string().nullish(),
  role: z.enum(['user', 'assistant', 'system', 'developer']),
  content: z.union([z.string(), z.array(messageContentPart)]),
});

export const functionCallItem = z.object({
  type: z.literal('function_call'),
  id: z.string().nullish(),
  call_id: z.string().min(1),
  name: z.string().min(1),
  arguments: z.string(),
  /** Codex groups some tools in a namespace; the call names the namespace beside the function. */
  namespace: z.string().nullish(),
});

export const functionCallOutputItem = z.object({
  type: z.literal('function_call_output'),
  id: z.string().nullish(),
  call_id: z.string().min(1),
  output: z.union([z.string(), z.array(inputContentPart)]),
});

export const reasoningItem = z.object({
  type: z.literal('reasoning'),
  id: z.string().nullish(),
  summary: z.array(z.object({ type: z.literal('summary_text'), text: z.string() })).default([]),
  encrypted_content: z.string().nullish(),
});

/** A generated image handed back, so the next turn can edit it. */
export const imageGenerationItem = z.object({
  type: z.literal('image_generation_call'),
  id: z.string().nullish(),
  result: z.string().min(1),
  output_format: z.string().nullish(),
});

export const itemReference = z.object({
  type: z.literal('item_reference').nullish(),
  id: z.string().min(1),
});

export type MessageItem = z.infer<typeof messageItem>;
export type FunctionCallItem = z.infer<typeof functionCallItem>;
export type FunctionCallOutputItem = z.infer<typeof functionCallOutputItem>;
export type ReasoningItem = z.infer<typeof reasoningItem>;
export type InputContentPart = z.infer<typeof inputContentPart>;
export type MessageContentPart = z.infer<typeof messageContentPart>;

/** An input item after validation; `other` is a known-harmless item type with no Gemini form. */
export type InputItem =
  | ({ kind: 'message' } & MessageItem)
  | ({ kind: 'function_call' } & FunctionCallItem)
  | ({ kind: 'function_call_output' } & FunctionCallOutputItem)
  | ({ kind: 'reasoning' } & ReasoningItem)
  | ({ kind: 'image_generation_call' } & z.infer<typeof imageGenerationItem>)
  | { kind: 'item_reference'; id: string }
  | { kind: 'other'; type: string };

/** Which schema reads an item: by `type`, or a message by its `role`, or a bare `{id}` reference. */
export function itemSchemaFor(item: unknown): z.ZodType | undefined {
  if (typeof item !== 'object' || item === null) return undefined;
  const type = (item as { type?: unknown }).type;
  if (type === 'message' || (type === undefined && 'role' in item)) return messageItem;
  if (type === 'function_call') return functionCallItem;
  if (type === 'function_call_output') return functionCallOutputItem;
  if (type === 'reasoning') return reasoningItem;
  if (type === 'image_generation_call' && typeof (item as { result?: unknown }).result === 'string')
    return imageGenerationItem;
  if (type === 'item_reference' || ((type === undefined || type === null) && 'id' in item))
    return itemReference;
  return undefined;
}
