import { errors } from '../../../errors/app-error.ts';
import { fromUpstream } from '../../../errors/from-upstream.ts';
import { toOpenAIErrorObject } from '../../../errors/wire-formats.ts';
import {
  type GeminiCandidate,
  type GeminiUsageMetadata,
  geminiResponseSchema,
} from '../../../gemini/response-schema.ts';
import { generateId } from '../../../translate/generate-id.ts';
import { isRememberable } from '../../../translate/thought-signatures.ts';
import type {
  ChatCompletionChunk,
  ChoiceLogprobs,
  ChunkDelta,
  FinishReason,
  OpenAIErrorObject,
} from '../schema/openai-types.ts';
import { convertGrounding } from './convert-grounding.ts';
import { convertLogprobs } from './convert-logprobs.ts';
import { type ConvertedPart, convertResponsePart } from './convert-response-part.ts';
import { convertUsage } from './convert-usage.ts';
import { mapFinishReason } from './map-finish-reason.ts';

export interface ChatStreamOptions {
  /** `chatcmpl-…`, the same on every chunk. */
  id: string;
  model: string;
  /** Unix seconds, the same on every chunk. */
  created: number;
  includeUsage: boolean;
  includeThoughts: boolean;
  /** `parallel_tool_calls: false`: only the first tool call of each choice goes out. */
  singleToolCall?: boolean;
  /** Echoed as `service_tier` on every chunk. */
  serviceTier?: string | undefined;
}

/** What one Gemini chunk becomes: chunks to send, or an upstream error to send as an error event. */
export type ChatStreamItem =
  | { type: 'chunk'; chunk: ChatCompletionChunk }
  | { type: 'error'; error: OpenAIErrorObject };

interface ChoiceState {
  toolCalls: number;
  finishReason: string | null | undefined;
  /** The content so far: grounding offsets count from its start. */
  text: string;
  audioId: string | undefined;
}

/**
 * Translates parsed Gemini stream chunks into OpenAI `chat.completion.chunk`s shaped like
 * api.openai.com's: a first delta with the role, content/reasoning/tool-call deltas, then one
 * finish_reason chunk per choice and, with include_usage, a usage chunk with `choices: []`.
 * Finish chunks wait for `finish()`: Gemini may still send parts after a chunk that names a reason.
 */
export class ChatStreamTranslator {
  readonly #options: ChatStreamOptions;
  readonly #choices = new Map<number, ChoiceState>();
  /** The thought signatures of the tool calls sent so far, by tool-call id (for the store). */
  readonly signatures: Array<{ id: string; signature: string }> = [];
  #usage: GeminiUsageMetadata | null | undefined;
  #blockReason: string | null | undefined;

  constructor(options: ChatStreamOptions) {
    this.#options = options;
  }

  push(geminiChunk: unknown): ChatStreamItem[] {
    if (typeof geminiChunk === 'object' && geminiChunk !== null && 'error' in geminiChunk) {
      return [{ type: 'error', error: toOpenAIErrorObject(fromUpstream({ streamError: geminiChunk })) }];
    }
    const parsed = geminiResponseSchema.safeParse(geminiChunk);
    if (!parsed.success)
      return [{ type: 'error', error: toOpenAIErrorObject(errors.upstreamUnreadable('a stream chunk')) }];
    const response = parsed.data;
    this.#usage = response.usageMetadata ?? this.#usage;
    this.#blockReason = response.promptFeedback?.blockReason ?? this.#blockReason;
    const chunks = (response.candidates ?? []).flatMap((candidate, position) =>
      this.#candidateChunks(candidate, candidate.index ?? position),
    );
    return chunks.map((chunk) => ({ type: 'chunk', chunk }));
  }

  /**
   * Whether Gemini said how the answer ended (a finish reason for every choice, or a blocked
   * prompt). A stream that stops without saying so was cut short, however cleanly it closed.
   */
  get complete(): boolean {
    if (this.#blockReason !== null && this.#blockReason !== undefined) return true;
    const states = [...this.#choices.values()];
    return states.length > 0 && states.every((state) => state.finishReason !== undefined);
  }

  finish(): ChatCompletionChunk[] {
    const chunks: ChatCompletionChunk[] = [];
    if (this.#choices.size === 0) chunks.push(...this.#start(0));
    const indexes = [...this.#choices.keys()].toSorted((left, right) => left - right);
    for (const index of indexes) chunks.push(this.#chunk(index, {}, this.#finishReason(index)));
    if (this.#options.includeUsage) chunks.push({ ...this.#envelope([]), usage: convertUsage(this.#usage) });
    return chunks;
  }

  #candidateChunks(candidate: GeminiCandidate, index: number): ChatCompletionChunk[] {
    const chunks = this.#choices.has(index) ? [] : this.#start(index);
    const state = this.#choices.get(index) ?? newState();
    const deltas: ChunkDelta[] = [];
    for (const part of candidate.content?.parts ?? []) {
      const delta = this.#partDelta(convertResponsePart(part, this.#options.includeThoughts), state);
      if (delta !== undefined) deltas.push(delta);
    }
    const annotations = convertGrounding(candidate.groundingMetadata, state.text);
    if (annotations.length > 0) deltas.push({ annotations });
    const logprobs = convertLogprobs(candidate.logprobsResult);
    if (logprobs !== null && deltas.length === 0) deltas.push({});
    deltas.forEach((delta, position) => {
      chunks.push(this.#chunk(index, delta, null, position === 0 ? logprobs : null));
    });
    if (candidate.finishReason !== null && candidate.finishReason !== undefined) {
      state.finishReason = candidate.finishReason;
    }
    return chunks;
  }

  #partDelta(converted: ConvertedPart | undefined, state: ChoiceState): ChunkDelta | undefined {
    switch (converted?.kind) {
      case 'content':
        state.text += converted.text;
        return { content: converted.text };
      case 'reasoning':
        return { reasoning_content: converted.text };
      case 'tool_call':
        if (this.#options.singleToolCall === true && state.toolCalls > 0) return undefined;
        rememberSignature(this.signatures, converted.call);
        return { tool_calls: [{ index: state.toolCalls++, ...converted.call }] };
      case 'image':
        return { images: [converted.image] };
      case 'audio': {
        // Streamed audio is raw pcm16 (the request was refused otherwise), as at OpenAI.
        state.audioId ??= `audio_${generateId('')}`;
        return { audio: { id: state.audioId, data: converted.data, transcript: '' } };
      }
      default:
        return undefined;
    }
  }

  #start(index: number): ChatCompletionChunk[] {
    this.#choices.set(index, newState());
    return [this.#chunk(index, { role: 'assistant', content: '', refusal: null }, null)];
  }

  #finishReason(index: number): FinishReason {
    const state = this.#choices.get(index);
    if (state?.finishReason === undefined && this.#blockReason !== null && this.#blockReason !== undefined) {
      return 'content_filter';
    }
    return mapFinishReason(state?.finishReason, (state?.toolCalls ?? 0) > 0);
  }

  #chunk(
    index: number,
    delta: ChunkDelta,
    finishReason: FinishReason | null,
    logprobs: ChoiceLogprobs | null = null,
  ): ChatCompletionChunk {
    return this.#envelope([{ index, delta, logprobs, finish_reason: finishReason }]);
  }

  #envelope(choices: ChatCompletionChunk['choices']): ChatCompletionChunk {
    const { id, created, model, includeUsage } = this.#options;
    const chunk: ChatCompletionChunk = { id, object: 'chat.completion.chunk', created, model, choices };
    if (this.#options.serviceTier !== undefined) chunk.service_tier = this.#options.serviceTier;
    // api.openai.com sends `usage: null` on every chunk only when include_usage was asked for.
    if (includeUsage) chunk.usage = null;
    return chunk;
  }
}

function newState(): ChoiceState {
  return { toolCalls: 0, finishReason: undefined, text: '', audioId: undefined };
}

/** A tool call's thought signature, kept by its id when it has one worth keeping. */
export function rememberSignature(
  signatures: Array<{ id: string; signature: string }>,
  call: { id: string; extra_content?: { google: { thought_signature: string } } },
): void {
  const signature = call.extra_content?.google.thought_signature;
  if (isRememberable(signature)) signatures.push({ id: call.id, signature });
}
