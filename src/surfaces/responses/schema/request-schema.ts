import { z } from 'zod';
import { errors } from '../../../errors/app-error.ts';
import { zodIssueError } from '../../../translate/zod-issue-error.ts';
import { type InputItem, itemSchemaFor } from './input-item-schema.ts';

/*
 * What clients send to POST /v1/responses. Strict on the fields we translate (a wrong type is a 400
 * naming the parameter, as OpenAI does); unknown top-level fields (prompt_cache_key, client_metadata,
 * service_tier, safety_identifier, …) are dropped.
 */

const functionTool = z.object({
  type: z.literal('function'),
  name: z.string().min(1),
  description: z.string().nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
  strict: z.boolean().nullish(),
});

const webSearchTool = z.object({
  type: z.enum([
    'web_search',
    'web_search_preview',
    'web_search_2025_08_26',
    'web_search_preview_2025_03_11',
  ]),
});

/** Codex groups tools under a namespace; each member is an ordinary function tool. */
const namespaceTool = z.object({
  type: z.literal('namespace'),
  name: z.string().min(1),
  tools: z.array(z.unknown()),
});

export const toolSchema = z.union([functionTool, webSearchTool, namespaceTool]);

const toolChoice = z.union([
  z.enum(['none', 'auto', 'required']),
  z.object({ type: z.literal('function'), name: z.string().min(1) }),
  // allowed_tools, a hosted tool (web_search, …): read by convertTools, no Gemini form otherwise.
  z.looseObject({ type: z.string() }),
]);

const textFormat = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({
    type: z.literal('json_schema'),
    name: z.string().min(1),
    schema: z.record(z.string(), z.unknown()),
    description: z.string().nullish(),
    strict: z.boolean().nullish(),
  }),
]);

export const responsesRequestSchema = z.object({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(z.unknown())]).optional(),
  instructions: z.string().nullish(),
  tools: z.array(z.unknown()).nullish(),
  tool_choice: toolChoice.nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  text: z.object({ format: textFormat.nullish(), verbosity: z.string().nullish() }).nullish(),
  reasoning: z
    .object({
      effort: z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh']).nullish(),
      summary: z.enum(['auto', 'concise', 'detailed']).nullish(),
    })
    .nullish(),
  max_output_tokens: z.int().positive().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  include: z.array(z.string()).nullish(),
  store: z.boolean().nullish(),
  previous_response_id: z.string().min(1).nullish(),
  stream: z.boolean().nullish(),
  background: z.boolean().nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
  user: z.string().nullish(),
});

type ParsedRequest = z.infer<typeof responsesRequestSchema>;
export type FunctionTool = z.infer<typeof functionTool>;
export type Tool = { kind: 'function'; tool: FunctionTool; namespace?: string } | { kind: 'web_search' };

/** A validated request: input as a list of items and tools flattened (namespaces opened). */
export type ResponsesRequest = Omit<ParsedRequest, 'input' | 'tools'> & {
  input: InputItem[];
  tools: Tool[];
  /** The tools as the client sent them, echoed in the response object. */
  rawTools: unknown[];
};

/** Validates a parsed JSON body; throws a 400 AppError whose `param` names the first bad field. */
export function parseResponsesRequest(body: unknown): ResponsesRequest {
  const request = check(responsesRequestSchema, body, []);
  const { input, tools, ...rest } = request;
  if (request.background === true)
    throw errors.invalidArgument('Background responses are not supported here.', 'background');
  return {
    ...rest,
    input: readInput(input ?? []),
    tools: (tools ?? []).flatMap((tool, index) => readTool(tool, ['tools', index])),
    rawTools: tools ?? [],
  };
}

function readInput(input: string | unknown[]): InputItem[] {
  if (typeof input === 'string') return [{ kind: 'message', role: 'user', content: input }];
  return input.map((item, index): InputItem => {
    const schema = itemSchemaFor(item);
    if (schema === undefined) {
      const type = typeof item === 'object' && item !== null ? (item as { type?: unknown }).type : undefined;
      if (typeof type === 'string') return { kind: 'other', type };
      throw errors.invalidArgument(
        `Invalid value for 'input[${index}]': expected an input item.`,
        `input[${index}]`,
      );
    }
    const parsed = check(schema, item, ['input', index]) as Record<string, unknown>;
    const kind = (parsed.type ?? (typeof parsed.role === 'string' ? 'message' : 'item_reference')) as string;
    return { ...parsed, kind } as InputItem;
  });
}

/** Tool types with no Gemini form (local_shell, custom, file_search, mcp, …) are left out, not refused. */
const knownToolTypes = new Set(['function', 'namespace', ...webSearchTool.shape.type.options]);

function readTool(tool: unknown, path: PropertyKey[]): Tool[] {
  const type = typeof tool === 'object' && tool !== null ? (tool as { type?: unknown }).type : undefined;
  if (typeof type === 'string' && !knownToolTypes.has(type)) return [];
  const parsed = check(toolSchema, tool, path);
  if (parsed.type === 'function') return [{ kind: 'function', tool: parsed }];
  if (parsed.type === 'namespace') {
    return parsed.tools.map((member, index) => ({
      kind: 'function' as const,
      tool: check(functionTool, member, [...path, 'tools', index]),
      namespace: parsed.name,
    }));
  }
  return [{ kind: 'web_search' }];
}

function check<T>(schema: z.ZodType<T>, value: unknown, prefix: PropertyKey[]): T {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  const first = result.error.issues[0];
  throw zodIssueError(first === undefined ? undefined : { ...first, path: [...prefix, ...first.path] });
}
