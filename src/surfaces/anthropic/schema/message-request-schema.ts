import { z } from 'zod';
import { errors } from '../../../errors/app-error.ts';

/*
 * What Anthropic clients send to /v1/messages and /v1/messages/count_tokens. Strict on the fields
 * we translate (a wrong type is a 400 naming the field), lenient on the rest: `z.object` drops
 * unknown fields (`cache_control`, `defer_loading`, `citations`, `container`, `service_tier`, …), so
 * what a newer client adds is never forwarded to Gemini. Content blocks we have no Gemini form for
 * (`redacted_thinking`, server tool results, …) are kept as `unknown` blocks and skipped.
 */

const base64Source = z.object({ type: z.literal('base64'), media_type: z.string().min(1), data: z.string() });
const urlSource = z.object({ type: z.literal('url'), url: z.string().min(1) });
const textSource = z.object({ type: z.literal('text'), media_type: z.string().optional(), data: z.string() });
const fileSource = z.object({ type: z.literal('file'), file_id: z.string().min(1) });

const textBlock = z.object({ type: z.literal('text'), text: z.string() });
const imageBlock = z.object({
  type: z.literal('image'),
  source: z.discriminatedUnion('type', [base64Source, urlSource, fileSource]),
});
const documentBlock = z.object({
  type: z.literal('document'),
  source: z.discriminatedUnion('type', [base64Source, urlSource, textSource, fileSource]),
  title: z.string().nullish(),
});
const thinkingBlock = z.object({
  type: z.literal('thinking'),
  thinking: z.string(),
  signature: z.string().nullish(),
});
const toolUseBlock = z.object({
  type: z.literal('tool_use'),
  id: z.string().min(1),
  name: z.string().min(1),
  input: z.record(z.string(), z.unknown()),
});
const toolResultBlock = z.object({
  type: z.literal('tool_result'),
  tool_use_id: z.string().min(1),
  content: z
    .union([z.string(), z.array(z.discriminatedUnion('type', [textBlock, imageBlock, documentBlock]))])
    .optional(),
  is_error: z.boolean().nullish(),
});

const knownTypes = new Set(['text', 'image', 'document', 'thinking', 'tool_use', 'tool_result']);
/** A block type we do not translate (`redacted_thinking`, `server_tool_use`, `search_result`…): skipped. */
const otherBlock = z
  .looseObject({
    type: z.string().refine((type) => !knownTypes.has(type), { message: 'Invalid content block.' }),
  })
  .transform((block) => ({ type: 'other' as const, blockType: block.type }));

const contentBlock = z.union([
  z.discriminatedUnion('type', [
    textBlock,
    imageBlock,
    documentBlock,
    thinkingBlock,
    toolUseBlock,
    toolResultBlock,
  ]),
  otherBlock,
]);

const message = z.object({
  // Claude Code also sends `system` turns mid-conversation; they join the system instruction.
  role: z.enum(['user', 'assistant', 'system']),
  content: z.union([z.string(), z.array(contentBlock)]),
});

const customTool = z.object({
  type: z.literal('custom').optional(),
  name: z.string().min(1).max(128),
  description: z.string().optional(),
  input_schema: z.record(z.string(), z.unknown()),
});

/** Anthropic's server tools and typed client tools (`web_search_20250305`, `bash_20250124`, …). */
const typedTool = z.object({ type: z.string().min(1), name: z.string().min(1) });

const toolChoice = z.discriminatedUnion('type', [
  z.object({ type: z.literal('auto'), disable_parallel_tool_use: z.boolean().optional() }),
  z.object({ type: z.literal('any'), disable_parallel_tool_use: z.boolean().optional() }),
  z.object({
    type: z.literal('tool'),
    name: z.string().min(1),
    disable_parallel_tool_use: z.boolean().optional(),
  }),
  z.object({ type: z.literal('none') }),
]);

/** `display: "omitted"` asks for no thought text (the signature still comes). */
const display = z.string().optional();
const thinking = z.discriminatedUnion('type', [
  z.object({ type: z.literal('enabled'), budget_tokens: z.int().min(0), display }),
  z.object({ type: z.literal('disabled') }),
  z.object({ type: z.literal('adaptive'), display }),
]);

const system = z.union([
  z.string(),
  z.array(z.looseObject({ type: z.string(), text: z.string().optional() })),
]);

const countTokensShape = {
  model: z.string().min(1),
  messages: z.array(message),
  system: system.optional(),
  tools: z.array(z.union([customTool, typedTool])).optional(),
  tool_choice: toolChoice.optional(),
  thinking: thinking.optional(),
  /** `effort` (low … max) sets how much an adaptive-thinking model thinks. */
  output_config: z.object({ effort: z.string().optional() }).optional(),
};

export const countTokensRequestSchema = z.object(countTokensShape);

export const messageRequestSchema = z.object({
  ...countTokensShape,
  max_tokens: z.int().min(1),
  stream: z.boolean().optional(),
  stop_sequences: z.array(z.string()).optional(),
  temperature: z.number().min(0).max(2).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.int().min(0).optional(),
  // Accepted as Anthropic does, never sent upstream.
  metadata: z.object({ user_id: z.string().nullish() }).optional(),
});

export type MessageRequest = z.infer<typeof messageRequestSchema>;
export type CountTokensRequest = z.infer<typeof countTokensRequestSchema>;
export type AnthropicMessage = MessageRequest['messages'][number];
export type ContentBlock = Exclude<AnthropicMessage['content'], string>[number];
export type ImageSource = z.infer<typeof imageBlock>['source'];
export type DocumentSource = z.infer<typeof documentBlock>['source'];
export type AnthropicTool = NonNullable<MessageRequest['tools']>[number];
export type ToolChoice = z.infer<typeof toolChoice>;
export type ThinkingOption = z.infer<typeof thinking>;

/** Validates a parsed JSON body; throws a 400 naming the first bad field, e.g. `messages.0.content`. */
export function parseMessageRequest(body: unknown): MessageRequest {
  return parseWith(messageRequestSchema, body);
}

export function parseCountTokensRequest(body: unknown): CountTokensRequest {
  return parseWith(countTokensRequestSchema, body);
}

function parseWith<Output>(schema: z.ZodType<Output>, body: unknown): Output {
  const result = schema.safeParse(body, { reportInput: true });
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.path.map(String).join('.') ?? '';
  if (issue === undefined || path === '')
    throw errors.invalidArgument('The request body must be a JSON object.');
  const missing = issue.code === 'invalid_type' && 'input' in issue && issue.input === undefined;
  throw errors.invalidArgument(missing ? `${path}: Field required` : `${path}: ${issue.message}`, path);
}
