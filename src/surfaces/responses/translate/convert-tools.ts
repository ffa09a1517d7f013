import type { GeminiFunctionDeclaration, GeminiToolConfig } from '../../../gemini/types.ts';
import { cleanJsonSchema } from '../../../translate/clean-json-schema.ts';
import type { SchemaBudget } from '../../../translate/schema-budget.ts';
import type { ResponsesRequest } from '../schema/request-schema.ts';

export type GeminiTool =
  | { functionDeclarations: GeminiFunctionDeclaration[] }
  | { googleSearch: Record<string, never> };

export interface ConvertedTools {
  tools?: GeminiTool[];
  toolConfig?: GeminiToolConfig;
}

/**
 * Function tools → one Gemini tool of functionDeclarations (schemas cleaned for Gemini), `web_search`
 * → Google Search. Gemini combines Google Search with function calling only behind an opt-in
 * (`includeServerSideToolInvocations`) whose server-side tool parts would have to travel back in
 * the history, which Responses clients cannot carry; so beside functions (Codex always sends
 * both), the functions win. `tool_choice` → toolConfig; `parallel_tool_calls` has no Gemini switch.
 */
export function convertTools(
  request: Pick<ResponsesRequest, 'tools' | 'tool_choice'>,
  budget: SchemaBudget,
): ConvertedTools {
  const declarations: GeminiFunctionDeclaration[] = [];
  let search = false;
  for (const tool of request.tools) {
    if (tool.kind === 'web_search') search = true;
    else declarations.push(toDeclaration(tool.tool, budget));
  }
  const tools: GeminiTool[] = [];
  if (declarations.length > 0) tools.push({ functionDeclarations: declarations });
  if (search && declarations.length === 0) tools.push({ googleSearch: {} });
  const result: ConvertedTools = tools.length > 0 ? { tools } : {};
  const toolConfig = declarations.length > 0 ? toToolConfig(request.tool_choice) : undefined;
  if (toolConfig !== undefined) result.toolConfig = toolConfig;
  return result;
}

function toDeclaration(
  tool: {
    name: string;
    description?: string | null | undefined;
    parameters?: Record<string, unknown> | null | undefined;
  },
  budget: SchemaBudget,
): GeminiFunctionDeclaration {
  const declaration: GeminiFunctionDeclaration = { name: tool.name };
  if (typeof tool.description === 'string') declaration.description = tool.description;
  if (tool.parameters !== undefined && tool.parameters !== null) {
    const parameters = cleanJsonSchema(tool.parameters, { budget });
    // A function without arguments is declared without `parameters`: some Gemini versions reject `properties: {}`.
    if (parameters.properties !== undefined) declaration.parameters = parameters;
  }
  return declaration;
}

function toToolConfig(choice: ResponsesRequest['tool_choice']): GeminiToolConfig | undefined {
  if (choice === undefined || choice === null) return undefined;
  if (choice === 'none') return { functionCallingConfig: { mode: 'NONE' } };
  if (choice === 'auto') return { functionCallingConfig: { mode: 'AUTO' } };
  if (choice === 'required') return { functionCallingConfig: { mode: 'ANY' } };
  if (choice.type === 'function' && 'name' in choice && typeof choice.name === 'string')
    return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [choice.name] } };
  if (choice.type === 'allowed_tools') return allowedTools(choice);
  return undefined;
}

/** `{type:"allowed_tools", mode:"auto"|"required", tools:[{type:"function", name}]}`. */
function allowedTools(choice: Record<string, unknown>): GeminiToolConfig | undefined {
  const names = (Array.isArray(choice.tools) ? choice.tools : [])
    .map((tool: unknown) =>
      typeof tool === 'object' && tool !== null ? (tool as { name?: unknown }).name : undefined,
    )
    .filter((name): name is string => typeof name === 'string');
  if (names.length === 0) return undefined;
  return {
    functionCallingConfig: { mode: choice.mode === 'required' ? 'ANY' : 'AUTO', allowedFunctionNames: names },
  };
}
