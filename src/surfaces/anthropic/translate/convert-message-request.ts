import type { GeminiContent, GeminiToolConfig, JsonObject } from '../../../gemini/types.ts';
import type { ResolvedModel } from '../../../translate/model-aliases.ts';
import {
  lowestThinking,
  type ThinkingConfig,
  thinkingForBudget,
  thinkingForSuffix,
} from '../../../translate/thinking-config.ts';
import { type CallPosition, missingSignatureCalls } from '../../../translate/thought-signatures.ts';
import type { CountTokensRequest, MessageRequest, ThinkingOption } from '../schema/message-request-schema.ts';
import type { FetchedImages } from './convert-content.ts';
import { convertMessages } from './convert-messages.ts';
import { convertToolChoice, convertTools, type GeminiTool } from './convert-tools.ts';

export type GeminiRequestBody = {
  contents: GeminiContent[];
  systemInstruction?: { parts: Array<{ text: string }> };
  tools?: GeminiTool[];
  toolConfig?: GeminiToolConfig;
  generationConfig?: JsonObject;
};

export type ConvertedMessageRequest = {
  body: GeminiRequestBody;
  /** Tool calls sent back without a signature: to look up in the SignatureStore by id. */
  unsigned: CallPosition[];
};

/**
 * A validated Anthropic request → the Gemini generateContent body, for the model `resolved` names
 * (an alias's suffix adds Google Search or sets thinking, winning over the request's `thinking`).
 * Only what the client sent is translated: no default temperature or safety settings are added.
 */
export function convertMessageRequest(
  request: MessageRequest | CountTokensRequest,
  resolved: ResolvedModel,
  images: FetchedImages = new Map(),
): ConvertedMessageRequest {
  const { contents, systemInstruction, callIds } = convertMessages(request.messages, request.system, images);
  const body: GeminiRequestBody = { contents };
  if (systemInstruction !== undefined) body.systemInstruction = systemInstruction;
  const tools = convertTools(request.tools, resolved.search);
  if (tools.length > 0) body.tools = tools;
  const toolConfig = convertToolChoice(request.tool_choice);
  if (toolConfig !== undefined && tools.some((tool) => 'functionDeclarations' in tool))
    body.toolConfig = toolConfig;
  const generationConfig = buildGenerationConfig(request, resolved);
  if (Object.keys(generationConfig).length > 0) body.generationConfig = generationConfig;
  const unsigned = missingSignatureCalls(contents, (content, part) => {
    const found = contents[content]?.parts[part];
    return found === undefined ? undefined : callIds.get(found);
  });
  return { body, unsigned };
}

function buildGenerationConfig(
  request: MessageRequest | CountTokensRequest,
  resolved: ResolvedModel,
): JsonObject {
  const config: JsonObject = {};
  if ('max_tokens' in request) {
    config.maxOutputTokens = request.max_tokens;
    if (request.stop_sequences !== undefined && request.stop_sequences.length > 0)
      config.stopSequences = request.stop_sequences;
    if (request.temperature !== undefined) config.temperature = request.temperature;
    if (request.top_p !== undefined) config.topP = request.top_p;
    if (request.top_k !== undefined) config.topK = request.top_k;
  }
  const thinking =
    resolved.thinking !== undefined
      ? thinkingForSuffix(resolved.thinking, resolved.model)
      : thinkingForOption(request.thinking, request.output_config?.effort, resolved.model);
  if (thinking !== undefined) config.thinkingConfig = thinking;
  return config;
}

/** Gemini 2.5 budgets for Anthropic's `effort` levels (Gemini 3 turns a budget into a level). */
const effortBudgets: Record<string, number> = {
  low: 1024,
  medium: 8192,
  high: 24576,
  xhigh: 24576,
  max: 32768,
};

/**
 * Anthropic `thinking` → Gemini `thinkingConfig`. `adaptive` leaves the budget to the model unless
 * `output_config.effort` names one; `display: "omitted"` keeps thought text out of the answer.
 */
function thinkingForOption(
  option: ThinkingOption | undefined,
  effort: string | undefined,
  model: string,
): ThinkingConfig | undefined {
  if (option === undefined) return undefined;
  if (option.type === 'disabled') return lowestThinking(model);
  const budget = option.type === 'enabled' ? option.budget_tokens : effortBudgets[effort ?? ''];
  const config: ThinkingConfig =
    budget === undefined ? { includeThoughts: true } : thinkingForBudget(budget, model);
  if (option.display === 'omitted' && config.includeThoughts === true) delete config.includeThoughts;
  return config;
}
