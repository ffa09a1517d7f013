import { errors } from '../../../errors/app-error.ts';
import { type GeminiCandidate, geminiResponseSchema } from '../../../gemini/response-schema.ts';
import { generateId } from '../../../translate/generate-id.ts';
import type {
  AudioOutput,
  ChatCompletion,
  ChatCompletionMessage,
  ImageOutput,
  ToolCall,
} from '../schema/openai-types.ts';
import { convertGrounding } from './convert-grounding.ts';
import { convertLogprobs } from './convert-logprobs.ts';
import { convertResponsePart } from './convert-response-part.ts';
import { convertUsage } from './convert-usage.ts';
import { mapFinishReason } from './map-finish-reason.ts';
import { encodeAudio } from './pcm-audio.ts';

export interface ConvertChatResponseOptions {
  /** The model the client asked for; echoed as OpenAI echoes it. */
  model: string;
  includeThoughts: boolean;
  /** `parallel_tool_calls: false`: keep the first tool call only. */
  singleToolCall?: boolean;
  /** With audio output: `wav` (a file) or `pcm` (raw samples). */
  audioFormat?: 'wav' | 'pcm' | undefined;
  /** Echoed as `service_tier`. */
  serviceTier?: string | undefined;
  /** Unix seconds; defaults to now. */
  created?: number;
}

/** A Gemini generateContent answer → an OpenAI `chat.completion`. */
export function convertChatResponse(response: unknown, options: ConvertChatResponseOptions): ChatCompletion {
  const parsed = geminiResponseSchema.safeParse(response);
  if (!parsed.success) {
    throw errors.upstreamUnreadable('a response', parsed.error);
  }
  const gemini = parsed.data;
  const candidates = gemini.candidates ?? [];
  const choices =
    candidates.length > 0
      ? candidates.map((candidate, position) => convertCandidate(candidate, position, options))
      : [blockedChoice(gemini.promptFeedback?.blockReason)];
  return {
    id: `chatcmpl-${gemini.responseId ?? generateId('')}`,
    object: 'chat.completion',
    created: options.created ?? Math.floor(Date.now() / 1000),
    model: options.model,
    choices,
    usage: convertUsage(gemini.usageMetadata),
    ...(options.serviceTier === undefined ? {} : { service_tier: options.serviceTier }),
  };
}

type Choice = ChatCompletion['choices'][number];

function convertCandidate(
  candidate: GeminiCandidate,
  position: number,
  options: ConvertChatResponseOptions,
): Choice {
  const content: string[] = [];
  const reasoning: string[] = [];
  const toolCalls: ToolCall[] = [];
  const images: ImageOutput[] = [];
  const audio: Array<{ mimeType: string; data: string }> = [];
  for (const part of candidate.content?.parts ?? []) {
    const converted = convertResponsePart(part, options.includeThoughts);
    if (converted?.kind === 'content') content.push(converted.text);
    else if (converted?.kind === 'reasoning') reasoning.push(converted.text);
    else if (converted?.kind === 'tool_call') toolCalls.push(converted.call);
    else if (converted?.kind === 'image') images.push(converted.image);
    else if (converted?.kind === 'audio') audio.push(converted);
  }
  if (options.singleToolCall === true) toolCalls.splice(1);
  const text = content.join('');
  const message: ChatCompletionMessage = {
    role: 'assistant',
    content: content.length > 0 ? text : toolCalls.length > 0 || audio.length > 0 ? null : '',
    refusal: null,
  };
  if (reasoning.length > 0) message.reasoning_content = reasoning.join('');
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  const annotations = convertGrounding(candidate.groundingMetadata, text);
  if (annotations.length > 0) message.annotations = annotations;
  if (images.length > 0) message.images = images;
  if (audio.length > 0) message.audio = collectAudio(audio, options.audioFormat ?? 'wav', text);
  return {
    index: candidate.index ?? position,
    message,
    logprobs: convertLogprobs(candidate.logprobsResult),
    finish_reason: mapFinishReason(candidate.finishReason, toolCalls.length > 0),
  };
}

/** A prompt Gemini refused has no candidates; OpenAI clients expect one choice, so say content_filter. */
function blockedChoice(blockReason: string | null | undefined): Choice {
  return {
    index: 0,
    message: { role: 'assistant', content: '', refusal: null },
    logprobs: null,
    finish_reason: blockReason === null || blockReason === undefined ? 'stop' : 'content_filter',
  };
}

/** Gemini's audio parts (raw PCM pieces) → one `message.audio`, as a WAV file or raw PCM. */
function collectAudio(
  parts: Array<{ mimeType: string; data: string }>,
  format: 'wav' | 'pcm',
  transcript: string,
): AudioOutput {
  const mimeType = parts[0]?.mimeType ?? 'audio/L16;codec=pcm;rate=24000';
  const samples = Buffer.concat(parts.map((part) => Buffer.from(part.data, 'base64')));
  return {
    id: `audio_${generateId('')}`,
    data: encodeAudio(samples, mimeType, format).toString('base64'),
    expires_at: Math.floor(Date.now() / 1000) + 3600,
    transcript,
  };
}
