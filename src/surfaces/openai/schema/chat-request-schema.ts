import { z } from 'zod';
import { zodIssueError } from '../../../translate/zod-issue-error.ts';

/*
 * What OpenAI clients send to /v1/chat/completions. Strict on the fields we translate (a wrong type
 * is a 400 naming the parameter, as OpenAI does), lenient on the rest: `z.object` drops unknown
 * top-level fields (user, store, metadata, …) that have no Gemini meaning.
 */

const textPart = z.object({ type: z.literal('text'), text: z.string() });

const imagePart = z.object({
  type: z.literal('image_url'),
  image_url: z.object({ url: z.string().min(1), detail: z.enum(['auto', 'low', 'high']).optional() }),
});

const audioPart = z.object({
  type: z.literal('input_audio'),
  input_audio: z.object({ data: z.string().min(1), format: z.enum(['wav', 'mp3']) }),
});

const filePart = z.object({
  type: z.literal('file'),
  file: z
    .object({
      file_data: z.string().min(1).optional(),
      file_id: z.string().min(1).optional(),
      filename: z.string().optional(),
    })
    .refine((file) => file.file_data !== undefined || file.file_id !== undefined, {
      message: 'Either file_data or file_id is required.',
    }),
});

const refusalPart = z.object({ type: z.literal('refusal'), refusal: z.string() });

const userContentPart = z.discriminatedUnion('type', [textPart, imagePart, audioPart, filePart]);

const textOnlyContent = z.union([z.string(), z.array(textPart)]);

const thoughtSignatureCarrier = z.object({
  google: z.object({ thought_signature: z.string().optional() }).optional(),
});

const toolCall = z.object({
  id: z.string(),
  type: z.literal('function'),
  function: z.object({ name: z.string().min(1), arguments: z.string() }),
  extra_content: thoughtSignatureCarrier.optional(),
});

const systemMessage = z.object({
  role: z.enum(['system', 'developer']),
  content: textOnlyContent,
  name: z.string().optional(),
});

const userMessage = z.object({
  role: z.literal('user'),
  content: z.union([z.string(), z.array(userContentPart)]),
  name: z.string().optional(),
});

const assistantMessage = z.object({
  role: z.literal('assistant'),
  content: z.union([z.string(), z.array(z.discriminatedUnion('type', [textPart, refusalPart]))]).nullish(),
  tool_calls: z.array(toolCall).optional(),
  name: z.string().optional(),
  extra_content: thoughtSignatureCarrier.optional(),
});

const toolMessage = z.object({
  role: z.literal('tool'),
  content: textOnlyContent,
  tool_call_id: z.string(),
});

const message = z.discriminatedUnion('role', [systemMessage, userMessage, assistantMessage, toolMessage]);

const functionTool = z.object({
  type: z.literal('function'),
  function: z.object({
    name: z.string().min(1),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullish(),
  }),
});

/** Google's own tools, spelt as Google's OpenAI-compatible endpoint and LiteLLM accept them. */
const googleTool = z.object({
  type: z.enum(['google_search', 'url_context', 'code_execution']),
  google_search: z.record(z.string(), z.unknown()).optional(),
  url_context: z.record(z.string(), z.unknown()).optional(),
  code_execution: z.record(z.string(), z.unknown()).optional(),
});

const tool = z.discriminatedUnion('type', [functionTool, googleTool]);

const toolChoice = z.union([
  z.enum(['none', 'auto', 'required']),
  z.object({ type: z.literal('function'), function: z.object({ name: z.string().min(1) }) }),
]);

const responseFormat = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({
    type: z.literal('json_schema'),
    json_schema: z.object({
      name: z.string(),
      description: z.string().optional(),
      schema: z.record(z.string(), z.unknown()).optional(),
      strict: z.boolean().nullish(),
    }),
  }),
]);

/** The `google` extension object of Google's own OpenAI-compatible endpoint; unknown keys are ignored. */
const googleExtension = z.object({
  thinking_config: z.record(z.string(), z.unknown()).optional(),
  safety_settings: z.array(z.record(z.string(), z.unknown())).optional(),
  cached_content: z.string().min(1).optional(),
  /** Gemini tools as Gemini spells them (`{"google_search": {}}`, `{"code_execution": {}}`…), added as they are. */
  tools: z.array(z.record(z.string(), z.unknown())).optional(),
});

const audioOutput = z.object({
  voice: z.string().min(1),
  format: z.enum(['wav', 'pcm16', 'mp3', 'opus', 'flac', 'aac']),
});

export const chatRequestSchema = z.object({
  model: z.string().min(1),
  messages: z.array(message).min(1),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().nullish() }).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  max_tokens: z.int().positive().nullish(),
  max_completion_tokens: z.int().positive().nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(5)]).nullish(),
  n: z.int().min(1).nullish(),
  seed: z.int().nullish(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  logprobs: z.boolean().nullish(),
  top_logprobs: z.int().min(0).max(20).nullish(),
  reasoning_effort: z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh']).nullish(),
  tools: z.array(tool).nullish(),
  web_search_options: z
    .object({ search_context_size: z.string().optional(), user_location: z.unknown().optional() })
    .nullish(),
  modalities: z.array(z.enum(['text', 'audio', 'image'])).nullish(),
  audio: audioOutput.nullish(),
  service_tier: z.enum(['auto', 'default', 'flex', 'scale', 'priority']).nullish(),
  tool_choice: toolChoice.nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  response_format: responseFormat.nullish(),
  google: googleExtension.optional(),
  // Google documents `extra_body={"extra_body": {"google": …}}`, which reaches us one level down.
  extra_body: z.object({ google: googleExtension.optional() }).optional(),
});

export type ChatRequest = z.infer<typeof chatRequestSchema>;
export type ChatMessage = ChatRequest['messages'][number];
export type UserContentPart = z.infer<typeof userContentPart>;
export type ChatTool = z.infer<typeof tool>;
export type AudioOutput = z.infer<typeof audioOutput>;
export type GoogleExtension = z.infer<typeof googleExtension>;

/** Validates a parsed JSON body; throws a 400 AppError whose `param` names the first bad field. */
export function parseChatRequest(body: unknown): ChatRequest {
  const result = chatRequestSchema.safeParse(body, { reportInput: true });
  if (result.success) return result.data;
  throw zodIssueError(result.error.issues[0]);
}
