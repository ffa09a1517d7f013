import type { GeminiContent, JsonObject } from '../../../gemini/types.ts';
import { cleanJsonSchema } from '../../../translate/clean-json-schema.ts';
import { mapReasoningEffort } from '../../../translate/map-reasoning-effort.ts';
import { SchemaBudget } from '../../../translate/schema-budget.ts';
import type { CallPosition } from '../../../translate/thought-signatures.ts';
import type { ResponsesRequest } from '../schema/request-schema.ts';
import type { FetchedImages } from './convert-content-part.ts';
import { convertInputItems, type PlacedItem } from './convert-input-items.ts';
import { convertTools, type GeminiTool } from './convert-tools.ts';

export interface GeminiRequestBody {
  contents: GeminiContent[];
  systemInstruction?: { parts: Array<{ text: string }> };
  tools?: GeminiTool[];
  toolConfig?: JsonObject;
  generationConfig?: JsonObject;
}

export interface ConvertedResponsesRequest {
  /** Model id without the `models/` prefix. */
  model: string;
  body: GeminiRequestBody;
  /** The client asked for reasoning summaries, so thoughts come back as summary text. */
  includeSummary: boolean;
  /** Functions declared inside a namespace tool: their calls name the namespace again. */
  namespaces: Map<string, string>;
  /** Function calls sent back without their thought signature (see `convertInputItems`). */
  unsigned: CallPosition[];
}

/**
 * A validated Responses request, its conversation already resolved (previous response and item
 * references replaced by their items), → the Gemini generateContent body. Only what the client
 * asked for is translated: no default temperature, safety settings or thinking config is added.
 */
export function convertResponsesRequest(
  request: ResponsesRequest,
  conversation: PlacedItem[],
  images: FetchedImages = new Map(),
): ConvertedResponsesRequest {
  const model = request.model.replace(/^models\//, '');
  const input = convertInputItems(conversation, model, images);
  const system = [
    ...(typeof request.instructions === 'string' && request.instructions !== ''
      ? [{ text: request.instructions }]
      : []),
    ...(input.systemInstruction?.parts ?? []),
  ];
  const body: GeminiRequestBody = { contents: input.contents };
  if (system.length > 0) body.systemInstruction = { parts: system };
  // Every schema of the request shares one budget: inlined $refs cannot multiply past it.
  const budget = SchemaBudget.forSchemas(requestSchemas(request));
  const tools = convertTools(request, budget);
  if (tools.tools !== undefined) body.tools = tools.tools;
  if (tools.toolConfig !== undefined) body.toolConfig = tools.toolConfig as unknown as JsonObject;
  const includeSummary = typeof request.reasoning?.summary === 'string';
  const generationConfig = buildGenerationConfig(request, model, includeSummary, budget);
  if (Object.keys(generationConfig).length > 0) body.generationConfig = generationConfig;
  const namespaces = new Map<string, string>();
  for (const tool of request.tools)
    if (tool.kind === 'function' && tool.namespace !== undefined)
      namespaces.set(tool.tool.name, tool.namespace);
  return { model, body, includeSummary, namespaces, unsigned: input.unsigned };
}

function buildGenerationConfig(
  request: ResponsesRequest,
  model: string,
  includeSummary: boolean,
  budget: SchemaBudget,
): JsonObject {
  const config: JsonObject = {};
  if (typeof request.temperature === 'number') config.temperature = request.temperature;
  if (typeof request.top_p === 'number') config.topP = request.top_p;
  if (typeof request.max_output_tokens === 'number') config.maxOutputTokens = request.max_output_tokens;
  const format = request.text?.format;
  if (format?.type === 'json_object') config.responseMimeType = 'application/json';
  if (format?.type === 'json_schema') {
    config.responseMimeType = 'application/json';
    // propertyOrdering keeps the client's key order (Gemini sorts keys otherwise).
    config.responseSchema = cleanJsonSchema(format.schema, { preservePropertyOrder: true, budget });
  }
  const effort = request.reasoning?.effort;
  const thinking: JsonObject =
    effort === undefined || effort === null ? {} : { ...mapReasoningEffort(effort, model) };
  if (includeSummary) thinking.includeThoughts = true;
  if (Object.keys(thinking).length > 0) config.thinkingConfig = thinking;
  return config;
}

/** The JSON schemas a request carries: function parameters and the structured-output schema. */
function requestSchemas(request: ResponsesRequest): unknown[] {
  const schemas: unknown[] = request.tools.map((tool) =>
    tool.kind === 'function' ? tool.tool.parameters : undefined,
  );
  if (request.text?.format?.type === 'json_schema') schemas.push(request.text.format.schema);
  return schemas;
}
