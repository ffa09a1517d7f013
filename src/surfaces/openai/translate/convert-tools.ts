import type {
  GeminiFunctionDeclaration,
  GeminiGenerateContentRequest,
  GeminiToolConfig,
} from '../../../gemini/types.ts';
import { cleanJsonSchema } from '../../../translate/clean-json-schema.ts';
import type { ChatRequest } from '../schema/chat-request-schema.ts';

type ToolFields = Pick<GeminiGenerateContentRequest, 'tools' | 'toolConfig'>;

/**
 * OpenAI function tools → one Gemini tool of functionDeclarations, and tool_choice → toolConfig.
 * `parallel_tool_calls` has no Gemini switch (Gemini calls in parallel when it wants), so it is ignored.
 */
export function convertTools(request: Pick<ChatRequest, 'tools' | 'tool_choice'>): ToolFields {
  const result: ToolFields = {};
  const declarations = (request.tools ?? []).map((tool) => toDeclaration(tool.function));
  if (declarations.length > 0) result.tools = [{ functionDeclarations: declarations }];
  const toolConfig = toToolConfig(request.tool_choice);
  if (toolConfig !== undefined) result.toolConfig = toolConfig;
  return result;
}

function toDeclaration(tool: {
  name: string;
  description?: string | undefined;
  parameters?: Record<string, unknown> | undefined;
}): GeminiFunctionDeclaration {
  const declaration: GeminiFunctionDeclaration = { name: tool.name };
  if (tool.description !== undefined) declaration.description = tool.description;
  if (tool.parameters !== undefined) {
    const parameters = cleanJsonSchema(tool.parameters);
    // A function without arguments is declared without `parameters`: an empty OBJECT says nothing,
    // and some Gemini versions reject `properties: {}`.
    if (parameters.properties !== undefined) declaration.parameters = parameters;
  }
  return declaration;
}

function toToolConfig(choice: ChatRequest['tool_choice']): GeminiToolConfig | undefined {
  if (choice === undefined || choice === null) return undefined;
  if (choice === 'none') return { functionCallingConfig: { mode: 'NONE' } };
  if (choice === 'auto') return { functionCallingConfig: { mode: 'AUTO' } };
  if (choice === 'required') return { functionCallingConfig: { mode: 'ANY' } };
  return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [choice.function.name] } };
}
