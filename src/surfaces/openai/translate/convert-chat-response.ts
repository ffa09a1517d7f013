import { errors } from '../../../errors/app-error.ts';
import { type GeminiCandidate, geminiResponseSchema } from '../../../gemini/response-schema.ts';
import { generateId } from '../../../translate/generate-id.ts';
import type { ChatCompletion, ChatCompletionMessage, ToolCall } from '../schema/openai-types.ts';
import { convertResponsePart } from './convert-response-part.ts';
import { convertUsage } from './convert-usage.ts';
import { mapFinishReason } from './map-finish-reason.ts';

export interface ConvertChatResponseOptions {
  /** The model the client asked for; echoed as OpenAI echoes it. */
  model: string;
  includeThoughts: boolean;
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
      ? candidates.map((candidate, position) =>
          convertCandidate(candidate, position, options.includeThoughts),
        )
      : [blockedChoice(gemini.promptFeedback?.blockReason)];
  return {
    id: `chatcmpl-${gemini.responseId ?? generateId('')}`,
    object: 'chat.completion',
    created: options.created ?? Math.floor(Date.now() / 1000),
    model: options.model,
    choices,
    usage: convertUsage(gemini.usageMetadata),
  };
}

type Choice = ChatCompletion['choices'][number];

function convertCandidate(candidate: GeminiCandidate, position: number, includeThoughts: boolean): Choice {
  const content: string[] = [];
  const reasoning: string[] = [];
  const toolCalls: ToolCall[] = [];
  for (const part of candidate.content?.parts ?? []) {
    const converted = convertResponsePart(part, includeThoughts);
    if (converted?.kind === 'content') content.push(converted.text);
    else if (converted?.kind === 'reasoning') reasoning.push(converted.text);
    else if (converted?.kind === 'tool_call') toolCalls.push(converted.call);
  }
  const message: ChatCompletionMessage = {
    role: 'assistant',
    content: content.length > 0 ? content.join('') : toolCalls.length > 0 ? null : '',
    refusal: null,
  };
  if (reasoning.length > 0) message.reasoning_content = reasoning.join('');
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  return {
    index: candidate.index ?? position,
    message,
    logprobs: null,
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
