import { randomBytes } from 'node:crypto';
import { anthropicErrorType } from '../../../errors/anthropic-error-body.ts';
import {
  type GeminiResponsePart,
  type GeminiUsageMetadata,
  geminiResponseSchema,
} from '../../../gemini/response-schema.ts';
import { isRecord } from '../../../json/lenient-json.ts';
import { isRememberable } from '../../../translate/thought-signatures.ts';
import type { BlockDelta, MessageUsage, ResponseBlock, StopReason, StreamEvent } from './anthropic-types.ts';
import { mapStopReason } from './map-stop-reason.ts';

export type MessageStreamOptions = {
  /** `msg_…`, as the client will see it. */
  id: string;
  /** The model the client asked for (Anthropic echoes it). */
  model: string;
  /** Makes tool-use ids when Gemini sends none; random `toolu_…` by default. */
  newToolUseId?: () => string;
};

type OpenBlock = { index: number; type: ResponseBlock['type']; signed: boolean };

/**
 * Gemini chunks (parsed JSON, one per SSE event, or one whole generateContent answer) → Anthropic
 * stream events, shaped as api.anthropic.com sends them: `message_start`, then per block
 * `content_block_start` / `…_delta` / `content_block_stop`, then `message_delta` (stop reason,
 * usage) and `message_stop` from `finish()`. Pure apart from id generation.
 *
 * Signatures: a thought part's text becomes a `thinking` block. A `thoughtSignature` on any part
 * goes into a thinking block placed before that part (the open unsigned one, else a new empty one),
 * so clients that send thinking blocks back (Claude Code does) return it in the right place; the
 * request translation puts it back on the part that follows. Tool-call signatures are also listed
 * in `signatures` for the server-side store.
 */
export class MessageStreamTranslator {
  readonly #options: MessageStreamOptions;
  readonly #newToolUseId: () => string;
  #started = false;
  #open: OpenBlock | undefined;
  #blocks = 0;
  #sawToolUse = false;
  #finishReason: string | undefined;
  #blockReason: string | undefined;
  #usage: GeminiUsageMetadata | undefined;
  /** Tool-use id → the signature Gemini gave its call, for the SignatureStore. */
  readonly signatures: Array<{ id: string; signature: string }> = [];

  constructor(options: MessageStreamOptions) {
    this.#options = options;
    this.#newToolUseId = options.newToolUseId ?? (() => `toolu_${randomBytes(12).toString('base64url')}`);
  }

  /** Whether Gemini said how the answer ended; a stream without it was cut short. */
  get complete(): boolean {
    return this.#finishReason !== undefined || this.#blockReason !== undefined;
  }

  get started(): boolean {
    return this.#started;
  }

  /** `message_start`, sent once (by `push` on the first chunk, or earlier by the route to ping). */
  start(): StreamEvent[] {
    if (this.#started) return [];
    this.#started = true;
    const message = {
      id: this.#options.id,
      type: 'message' as const,
      role: 'assistant' as const,
      model: this.#options.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { ...this.usage(), output_tokens: 0 },
    };
    return [{ type: 'message_start', message }];
  }

  /** One parsed Gemini chunk → events; an upstream `{"error":…}` becomes one `error` event. */
  push(chunk: unknown): StreamEvent[] {
    if (isRecord(chunk) && 'error' in chunk) return [errorEvent(chunk.error)];
    const parsed = geminiResponseSchema.safeParse(chunk);
    if (!parsed.success)
      return [
        errorEvent({ code: 502, message: 'The Gemini API returned a stream chunk we could not read.' }),
      ];
    const response = parsed.data;
    this.#usage = response.usageMetadata ?? this.#usage;
    this.#blockReason = response.promptFeedback?.blockReason ?? this.#blockReason;
    const events = this.start();
    const candidate = response.candidates?.find((entry) => (entry.index ?? 0) === 0);
    for (const part of candidate?.content?.parts ?? []) events.push(...this.#part(part));
    if (candidate?.finishReason !== null && candidate?.finishReason !== undefined)
      this.#finishReason = candidate.finishReason;
    return events;
  }

  /** The closing events: the last block's stop, `message_delta` with stop reason and usage, `message_stop`. */
  finish(): StreamEvent[] {
    const events = [...this.start(), ...this.#close()];
    events.push({
      type: 'message_delta',
      delta: { stop_reason: this.stopReason(), stop_sequence: null },
      usage: this.usage(),
    });
    events.push({ type: 'message_stop' });
    return events;
  }

  stopReason(): StopReason {
    return mapStopReason(this.#finishReason, this.#blockReason, this.#sawToolUse);
  }

  /** Anthropic counts cache reads apart from input, and thinking inside output. */
  usage(): MessageUsage {
    const prompt = this.#usage?.promptTokenCount ?? 0;
    const cached = this.#usage?.cachedContentTokenCount ?? 0;
    const output = (this.#usage?.candidatesTokenCount ?? 0) + (this.#usage?.thoughtsTokenCount ?? 0);
    return {
      input_tokens: Math.max(0, prompt - cached),
      output_tokens: output,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: cached,
    };
  }

  #part(part: GeminiResponsePart): StreamEvent[] {
    const events: StreamEvent[] = [];
    const signature = isRememberable(part.thoughtSignature) ? part.thoughtSignature : undefined;
    const text = typeof part.text === 'string' ? part.text : '';
    if (part.thought === true) {
      if (text !== '') events.push(...this.#delta('thinking', { type: 'thinking_delta', thinking: text }));
      if (signature !== undefined) events.push(...this.#sign(signature));
      return events;
    }
    if (signature !== undefined) events.push(...this.#sign(signature));
    if (part.functionCall !== null && part.functionCall !== undefined) {
      const id = part.functionCall.id ? part.functionCall.id : this.#newToolUseId();
      if (signature !== undefined) this.signatures.push({ id, signature });
      this.#sawToolUse = true;
      const block = { type: 'tool_use' as const, id, name: part.functionCall.name, input: {} };
      const json = JSON.stringify(part.functionCall.args ?? {});
      return [
        ...events,
        ...this.#openBlock(block),
        {
          type: 'content_block_delta',
          index: this.#blocks - 1,
          delta: { type: 'input_json_delta', partial_json: json },
        },
        ...this.#close(),
      ];
    }
    if (text !== '') return [...events, ...this.#delta('text', { type: 'text_delta', text })];
    const inline = part.inlineData;
    if (inline?.mimeType.startsWith('image/') === true) {
      // No image output in Messages: a markdown data-URL image rather than a silently lost answer.
      const markdown = `![image](data:${inline.mimeType};base64,${inline.data})`;
      events.push(...this.#delta('text', { type: 'text_delta', text: markdown }));
    }
    return events;
  }

  /** A delta for a text or thinking block, opening one when the open block is of another kind. */
  #delta(type: 'text' | 'thinking', delta: BlockDelta): StreamEvent[] {
    const events: StreamEvent[] = [];
    if (this.#open?.type !== type || this.#open.signed) {
      const block: ResponseBlock =
        type === 'text' ? { type, text: '' } : { type, thinking: '', signature: '' };
      events.push(...this.#openBlock(block));
    }
    events.push({ type: 'content_block_delta', index: this.#blocks - 1, delta });
    return events;
  }

  /** Puts a signature on the open unsigned thinking block, or on a new empty one, and closes it. */
  #sign(signature: string): StreamEvent[] {
    const events: StreamEvent[] = [];
    if (this.#open?.type !== 'thinking' || this.#open.signed)
      events.push(...this.#openBlock({ type: 'thinking', thinking: '', signature: '' }));
    events.push({
      type: 'content_block_delta',
      index: this.#blocks - 1,
      delta: { type: 'signature_delta', signature },
    });
    if (this.#open !== undefined) this.#open.signed = true;
    return events;
  }

  #openBlock(block: ResponseBlock): StreamEvent[] {
    const events = this.#close();
    const index = this.#blocks++;
    this.#open = { index, type: block.type, signed: false };
    events.push({ type: 'content_block_start', index, content_block: block });
    return events;
  }

  #close(): StreamEvent[] {
    if (this.#open === undefined) return [];
    const index = this.#open.index;
    this.#open = undefined;
    return [{ type: 'content_block_stop', index }];
  }
}

/** A Gemini error object (or its envelope's inner object) → Anthropic's `error` event. */
export function errorEvent(error: unknown): StreamEvent {
  const inner = isRecord(error) ? error : {};
  const code = typeof inner.code === 'number' ? inner.code : 500;
  const message =
    typeof inner.message === 'string' && inner.message !== ''
      ? inner.message
      : `The Gemini API failed with ${code}.`;
  return { type: 'error', error: { type: anthropicErrorType(code), message } };
}
