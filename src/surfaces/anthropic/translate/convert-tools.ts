import { errors } from '../../../errors/app-error.ts';
import type { GeminiFunctionDeclaration, GeminiToolConfig, JsonObject } from '../../../gemini/types.ts';
import { cleanJsonSchema } from '../../../translate/clean-json-schema.ts';
import { SchemaBudget } from '../../../translate/schema-budget.ts';
import type { AnthropicTool, ToolChoice } from '../schema/message-request-schema.ts';

export type GeminiTool =
  | { functionDeclarations: GeminiFunctionDeclaration[] }
  | { googleSearch: JsonObject }
  | { urlContext: JsonObject }
  | { codeExecution: JsonObject };

/** Anthropic server tools with a Gemini equivalent, by the prefix of their versioned type. */
const serverTools: ReadonlyArray<[prefix: string, tool: GeminiTool]> = [
  ['web_search_', { googleSearch: {} }],
  ['web_fetch_', { urlContext: {} }],
  ['code_execution_', { codeExecution: {} }],
];

/**
 * Anthropic tools → Gemini tools. Custom tools become function declarations whose JSON Schema is
 * cleaned into the OpenAPI subset of `parameters` (the shared cleaner: `$schema`, `propertyNames`,
 * `additionalProperties`, exclusive bounds… dropped, type arrays → nullable). We send
 * `parameters`, not `parametersJsonSchema`, so every model the pool routes to takes the same
 * request and the OpenAI surface's cleaner and tests serve both surfaces. `defer_loading`,
 * `cache_control` and other fields never reach Gemini. `web_search` → `googleSearch`, `web_fetch`
 * → `urlContext`, `code_execution` → `codeExecution`; other typed tools have no Gemini form.
 */
export function convertTools(tools: readonly AnthropicTool[] | undefined, search: boolean): GeminiTool[] {
  const declarations: GeminiFunctionDeclaration[] = [];
  const result: GeminiTool[] = [];
  // One budget for every schema of the request, so many small tools cannot add up to a blow-up.
  const schemas = (tools ?? []).map((tool) => ('input_schema' in tool ? tool.input_schema : undefined));
  const budget = SchemaBudget.forSchemas(schemas, 'tools');
  (tools ?? []).forEach((tool, index) => {
    if ('input_schema' in tool && (tool.type === undefined || tool.type === 'custom')) {
      declarations.push(toDeclaration(tool.name, tool.description, tool.input_schema, budget));
      return;
    }
    const server = serverTools.find(([prefix]) => tool.type?.startsWith(prefix) === true)?.[1];
    if (server === undefined) {
      throw errors.invalidArgument(
        `tools.${index}: the tool type '${String(tool.type)}' has no Gemini equivalent; declare it as a custom tool with an input_schema.`,
        `tools.${index}.type`,
      );
    }
    if (!result.some((existing) => sameKind(existing, server))) result.push(server);
  });
  if (search && !result.some((tool) => 'googleSearch' in tool)) result.push({ googleSearch: {} });
  return declarations.length > 0 ? [{ functionDeclarations: declarations }, ...result] : result;
}

function toDeclaration(
  name: string,
  description: string | undefined,
  schema: Record<string, unknown>,
  budget: SchemaBudget,
): GeminiFunctionDeclaration {
  const declaration: GeminiFunctionDeclaration = { name };
  if (description !== undefined && description !== '') declaration.description = description;
  const parameters = cleanJsonSchema(schema, { budget });
  // A function without arguments is declared without `parameters`: an empty OBJECT is refused.
  if (parameters.properties !== undefined) declaration.parameters = parameters;
  return declaration;
}

function sameKind(left: GeminiTool, right: GeminiTool): boolean {
  return Object.keys(left)[0] === Object.keys(right)[0];
}

/** `tool_choice` → `toolConfig`. `disable_parallel_tool_use` has no Gemini switch and is ignored. */
export function convertToolChoice(choice: ToolChoice | undefined): GeminiToolConfig | undefined {
  if (choice === undefined) return undefined;
  switch (choice.type) {
    case 'auto':
      return { functionCallingConfig: { mode: 'AUTO' } };
    case 'any':
      return { functionCallingConfig: { mode: 'ANY' } };
    case 'tool':
      return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [choice.name] } };
    case 'none':
      return { functionCallingConfig: { mode: 'NONE' } };
  }
}
