import { errors } from '../../../errors/app-error.ts';
import { fromUpstream } from '../../../errors/from-upstream.ts';
import { toOpenAIErrorObject } from '../../../errors/wire-formats.ts';
import {
  type GeminiCandidate,
  type GeminiUsageMetadata,
  geminiResponseSchema,
} from '../../../gemini/response-schema.ts';
import type {
  ChatCompletionChunk,
  ChunkDelta,
  FinishReason,
  OpenAIErrorObject,
} from '../schema/openai-types.ts';
import { convertResponsePart } from './convert-response-part.ts';
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
}

/** What one Gemini chunk becomes: chunks to send, or an upstream error to send as an error event. */
export type ChatStreamItem =
  | { type: 'chunk'; chunk: ChatCompletionChunk }
  | { type: 'error'; error: OpenAIErrorObject };

interface ChoiceState {
  toolCalls: number;
  finishReason: string | null | undefined;
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
    const state = this.#choices.get(index) ?? { toolCalls: 0, finishReason: undefined };
    for (const part of candidate.content?.parts ?? []) {
      const converted = convertResponsePart(part, this.#options.includeThoughts);
      if (converted?.kind === 'content') chunks.push(this.#chunk(index, { content: converted.text }, null));
      if (converted?.kind === 'reasoning')
        chunks.push(this.#chunk(index, { reasoning_content: converted.text }, null));
      if (converted?.kind === 'tool_call') {
        const toolCall = { index: state.toolCalls++, ...converted.call };
        chunks.push(this.#chunk(index, { tool_calls: [toolCall] }, null));
      }
    }
    if (candidate.finishReason !== null && candidate.finishReason !== undefined) {
      state.finishReason = candidate.finishReason;
    }
    return chunks;
  }

  #start(index: number): ChatCompletionChunk[] {
    this.#choices.set(index, { toolCalls: 0, finishReason: undefined });
    return [this.#chunk(index, { role: 'assistant', content: '', refusal: null }, null)];
  }

  #finishReason(index: number): FinishReason {
    const state = this.#choices.get(index);
    if (state?.finishReason === undefined && this.#blockReason !== null && this.#blockReason !== undefined) {
      return 'content_filter';
    }
    return mapFinishReason(state?.finishReason, (state?.toolCalls ?? 0) > 0);
  }

  #chunk(index: number, delta: ChunkDelta, finishReason: FinishReason | null): ChatCompletionChunk {
    return this.#envelope([{ index, delta, logprobs: null, finish_reason: finishReason }]);
  }

  #envelope(choices: ChatCompletionChunk['choices']): ChatCompletionChunk {
    const { id, created, model, includeUsage } = this.#options;
    const chunk: ChatCompletionChunk = { id, object: 'chat.completion.chunk', created, model, choices };
    // api.openai.com sends `usage: null` on every chunk only when include_usage was asked for.
    if (includeUsage) chunk.usage = null;
    return chunk;
  }
}
