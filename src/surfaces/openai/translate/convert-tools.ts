import type {
  GeminiFunctionDeclaration,
  GeminiGenerateContentRequest,
  GeminiTool,
  JsonObject,
} from '../../../gemini/types.ts';
import { camelizeKeys } from '../../../translate/camelize-keys.ts';
import { cleanJsonSchema } from '../../../translate/clean-json-schema.ts';
import type { SchemaBudget } from '../../../translate/schema-budget.ts';
import type { ChatRequest } from '../schema/chat-request-schema.ts';

type ToolFields = Pick<GeminiGenerateContentRequest, 'tools' | 'toolConfig'>;
type ToolRequest = Pick<ChatRequest, 'tools' | 'tool_choice' | 'web_search_options'>;

/** Google's tool types as OpenAI clients name them → the Gemini tool field. */
const googleToolFields = {
  google_search: 'googleSearch',
  url_context: 'urlContext',
  code_execution: 'codeExecution',
} as const;

/**
 * OpenAI tools → Gemini tools: function tools become one tool of functionDeclarations; Google's own
 * tools (`google_search`, `url_context`, `code_execution`, and `web_search_options` = Google Search)
 * become their Gemini tools; `extra_body.google.tools` (Gemini's own spelling) are added as they are.
 * tool_choice → toolConfig. `parallel_tool_calls: false` has no Gemini switch: the answer is cut to
 * its first call instead (see convert-response-part.ts).
 */
export function convertTools(
  request: ToolRequest,
  googleTools: ReadonlyArray<Record<string, unknown>> = [],
  budget?: SchemaBudget,
): ToolFields {
  const result: ToolFields = {};
  const declarations: GeminiFunctionDeclaration[] = [];
  const tools: GeminiTool[] = [];
  const named = new Set<string>();
  const addGoogle = (field: string, config: JsonObject): void => {
    if (named.has(field)) return;
    named.add(field);
    tools.push({ [field]: config });
  };
  for (const tool of request.tools ?? []) {
    if (tool.type === 'function') declarations.push(toDeclaration(tool.function, budget));
    else addGoogle(googleToolFields[tool.type], camelizeKeys(tool[tool.type] ?? {}) as JsonObject);
  }
  if (request.web_search_options !== undefined && request.web_search_options !== null) {
    addGoogle('googleSearch', {});
  }
  for (const tool of googleTools) {
    const camel = camelizeKeys(tool) as JsonObject;
    for (const [field, config] of Object.entries(camel)) addGoogle(field, isJsonObject(config) ? config : {});
  }
  if (declarations.length > 0) tools.unshift({ functionDeclarations: declarations });
  if (tools.length > 0) result.tools = tools;
  const toolConfig = toToolConfig(request.tool_choice);
  if (toolConfig !== undefined) result.toolConfig = toolConfig;
  return result;
}

function toDeclaration(
  tool: { name: string; description?: string | undefined; parameters?: Record<string, unknown> | undefined },
  budget: SchemaBudget | undefined,
): GeminiFunctionDeclaration {
  const declaration: GeminiFunctionDeclaration = { name: tool.name };
  if (tool.description !== undefined) declaration.description = tool.description;
  if (tool.parameters !== undefined) {
    const parameters = cleanJsonSchema(tool.parameters, budget === undefined ? {} : { budget });
    // A function without arguments is declared without `parameters`: an empty OBJECT says nothing,
    // and some Gemini versions reject `properties: {}`.
    if (parameters.properties !== undefined) declaration.parameters = parameters;
  }
  return declaration;
}

function toToolConfig(choice: ChatRequest['tool_choice']): ToolFields['toolConfig'] {
  if (choice === undefined || choice === null) return undefined;
  if (choice === 'none') return { functionCallingConfig: { mode: 'NONE' } };
  if (choice === 'auto') return { functionCallingConfig: { mode: 'AUTO' } };
  if (choice === 'required') return { functionCallingConfig: { mode: 'ANY' } };
  return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [choice.function.name] } };
}

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
