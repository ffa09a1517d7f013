import { errors } from '../../../errors/app-error.ts';
import { normalizeModel } from '../../../gemini/model-name.ts';
import type { GeminiGenerateContentRequest, JsonObject, JsonValue } from '../../../gemini/types.ts';
import { camelizeKeys } from '../../../translate/camelize-keys.ts';
import { cleanJsonSchema } from '../../../translate/clean-json-schema.ts';
import { mapReasoningEffort } from '../../../translate/map-reasoning-effort.ts';
import { SchemaBudget } from '../../../translate/schema-budget.ts';
import type { ChatRequest, GoogleExtension } from '../schema/chat-request-schema.ts';
import type { FetchedImages } from './collect-remote-image-urls.ts';
import { convertChatMessages, type ToolCallPosition } from './convert-chat-messages.ts';
import { convertTools } from './convert-tools.ts';
import { mapVoice } from './map-voice.ts';

export interface ConvertedChatRequest {
  /** Model id without the `models/` prefix. */
  model: string;
  body: GeminiGenerateContentRequest;
  stream: boolean;
  includeUsage: boolean;
  /** The client asked for thought summaries, so they come back as `reasoning_content`. */
  includeThoughts: boolean;
  /** The assistant tool calls of the history, by position: where dropped signatures go back. */
  toolCalls: ToolCallPosition[];
  /** `parallel_tool_calls: false`: only the first tool call of an answer goes back. */
  singleToolCall: boolean;
  /** With `modalities: ["audio"]`: how `message.audio.data` is encoded. */
  audioFormat: 'wav' | 'pcm' | undefined;
  /** The tier the client asked for, echoed as `service_tier` (OpenAI's names). */
  serviceTier: string | undefined;
}

/** OpenAI service tiers → Gemini's inference tiers (`auto`/`default` leave Gemini's default). */
const serviceTiers: Record<string, string | undefined> = {
  flex: 'flex',
  priority: 'priority',
  scale: 'priority',
};

/**
 * A validated OpenAI chat request → the Gemini generateContent body. Only what the client sent is
 * translated: no default temperature, safety settings or thinking config is ever added.
 * `images` holds the http(s) images the route fetched (see `collectRemoteImageUrls`).
 */
export function convertChatRequest(
  request: ChatRequest,
  images: FetchedImages = new Map(),
): ConvertedChatRequest {
  const model = normalizeModel(request.model);
  const google = mergeGoogleExtensions(request.extra_body?.google, request.google);
  // One budget for every schema of the request, so many small tools cannot add up to a blow-up.
  const budget = SchemaBudget.forSchemas(requestSchemas(request));
  const { toolCalls, ...messages } = convertChatMessages(request.messages, images);
  const body: GeminiGenerateContentRequest = {
    ...messages,
    ...convertTools(request, google.tools, budget),
  };
  const serviceTier =
    request.service_tier === undefined || request.service_tier === null
      ? undefined
      : serviceTiers[request.service_tier];
  if (serviceTier !== undefined) body.serviceTier = serviceTier;
  const generationConfig = buildGenerationConfig(request, model, google, budget);
  if (Object.keys(generationConfig).length > 0) body.generationConfig = generationConfig;
  if (google.safety_settings !== undefined) body.safetySettings = google.safety_settings.map(camelizeKeys);
  if (google.cached_content !== undefined) body.cachedContent = google.cached_content;
  const thinkingConfig = generationConfig.thinkingConfig;
  return {
    model,
    body,
    stream: request.stream === true,
    includeUsage: request.stream === true && request.stream_options?.include_usage === true,
    includeThoughts: isObject(thinkingConfig) && thinkingConfig.includeThoughts === true,
    singleToolCall: request.parallel_tool_calls === false,
    toolCalls,
    audioFormat: audioFormat(request),
    serviceTier: request.service_tier ?? undefined,
  };
}

/**
 * `audio.format` → what the answer carries. Gemini speaks PCM: `wav` and `pcm16` are exact; other
 * formats would need an encoder this service does not ship, so they are refused rather than mislabelled.
 * Streams carry `pcm16` only, as at OpenAI.
 */
function audioFormat(request: ChatRequest): 'wav' | 'pcm' | undefined {
  if (request.modalities?.includes('audio') !== true) return undefined;
  const format = request.audio?.format;
  if (format === undefined)
    throw errors.invalidArgument(
      'modalities ["audio"] needs an audio object with voice and format.',
      'audio',
    );
  if (format !== 'wav' && format !== 'pcm16') {
    throw errors.invalidArgument(
      `Audio format '${format}' is not available; use 'wav' or 'pcm16'.`,
      'audio.format',
    );
  }
  if (request.stream === true && format !== 'pcm16') {
    throw errors.invalidArgument("Streamed audio is sent as 'pcm16' only.", 'audio.format');
  }
  return format === 'wav' ? 'wav' : 'pcm';
}

/** `modalities` → responseModalities; audio gets its voice. */
function outputModalities(request: ChatRequest): JsonObject {
  const modalities = request.modalities;
  if (modalities === undefined || modalities === null || modalities.length === 0) return {};
  if (modalities.includes('audio')) {
    const voice = mapVoice(request.audio?.voice ?? 'alloy', 'audio.voice');
    return {
      responseModalities: ['AUDIO'],
      speechConfig: { voiceConfig: { prebuiltVoiceConfig: { voiceName: voice } } },
    };
  }
  return { responseModalities: modalities.map((modality) => modality.toUpperCase()) };
}

function mergeGoogleExtensions(
  nested: GoogleExtension | undefined,
  topLevel: GoogleExtension | undefined,
): GoogleExtension {
  return { ...nested, ...topLevel };
}

function buildGenerationConfig(
  request: ChatRequest,
  model: string,
  google: GoogleExtension,
  budget: SchemaBudget,
): JsonObject {
  const config: JsonObject = {};
  const set = (key: string, value: JsonValue | undefined): void => {
    if (value !== undefined && value !== null) config[key] = value;
  };
  set('temperature', request.temperature);
  set('topP', request.top_p);
  set('maxOutputTokens', request.max_completion_tokens ?? request.max_tokens);
  set('stopSequences', typeof request.stop === 'string' ? [request.stop] : request.stop);
  set('candidateCount', request.n);
  set('seed', request.seed);
  set('presencePenalty', request.presence_penalty);
  set('frequencyPenalty', request.frequency_penalty);
  if (request.logprobs === true) set('responseLogprobs', true);
  if (request.logprobs === true) set('logprobs', request.top_logprobs);
  Object.assign(config, convertResponseFormat(request.response_format, budget));
  Object.assign(config, outputModalities(request));
  set('thinkingConfig', buildThinkingConfig(request, model, google));
  return config;
}

function requestSchemas(request: ChatRequest): unknown[] {
  const format = request.response_format;
  const responseSchema = format?.type === 'json_schema' ? format.json_schema.schema : undefined;
  const tools = (request.tools ?? []).map((tool) =>
    tool.type === 'function' ? tool.function.parameters : undefined,
  );
  return [...tools, responseSchema];
}

function convertResponseFormat(format: ChatRequest['response_format'], budget: SchemaBudget): JsonObject {
  if (format === undefined || format === null || format.type === 'text') return {};
  if (format.type === 'json_object' || format.json_schema.schema === undefined) {
    return { responseMimeType: 'application/json' };
  }
  // Cleaned `responseSchema` for the same reason as tools; propertyOrdering keeps the client's key order.
  const responseSchema = cleanJsonSchema(format.json_schema.schema, { preservePropertyOrder: true, budget });
  return { responseMimeType: 'application/json', responseSchema };
}

function buildThinkingConfig(
  request: ChatRequest,
  model: string,
  google: GoogleExtension,
): JsonObject | undefined {
  const fromEffort =
    request.reasoning_effort === undefined || request.reasoning_effort === null
      ? undefined
      : mapReasoningEffort(request.reasoning_effort, model);
  const explicit = google.thinking_config === undefined ? undefined : camelizeKeys(google.thinking_config);
  if (fromEffort === undefined && !isObject(explicit)) return undefined;
  // An explicit thinking_config wins; mixing a level from one and a budget from the other is a Gemini 400.
  if (isObject(explicit) && (explicit.thinkingLevel !== undefined || explicit.thinkingBudget !== undefined)) {
    return explicit;
  }
  return { ...fromEffort, ...(isObject(explicit) ? explicit : {}) };
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
