import {
  type GeminiResponsePart,
  type GeminiUsageMetadata,
  geminiResponseSchema,
} from '../../../gemini/response-schema.ts';
import { isRecord } from '../../../json/lenient-json.ts';
import type {
  FunctionCallOutput,
  OutputItem,
  ResponseError,
  ResponseObject,
  StreamEvent,
} from '../schema/response-types.ts';
import { searchQueries } from './convert-annotations.ts';
import { convertUsage } from './convert-usage.ts';
import { finalStatus } from './final-status.ts';
import { OpenItem } from './open-item.ts';
import { itemId, newCallId } from './response-ids.ts';
import { type CarriedSignature, encodeSignatures } from './thought-signature-envelope.ts';

export interface TranslatorOptions {
  /** The Gemini model, recorded with the thought signatures it minted. */
  model: string;
  /** Thoughts become reasoning summary text only when the client asked for summaries. */
  includeSummary: boolean;
}

/**
 * Gemini generateContent answers (a stream's chunks, or one whole answer) → a Responses object and
 * OpenAI's stream events, each with its `sequence_number`. Items open and close in order: reasoning
 * (thought summaries, and the turn's thought signatures in `encrypted_content`), the message, one
 * item per function call. Pure: no I/O; the route writes what it returns.
 */
export class ResponseStreamTranslator {
  readonly #response: ResponseObject;
  readonly #options: TranslatorOptions;
  #sequence = 0;
  #open: OpenItem | undefined;
  #pending: CarriedSignature[] = [];
  #grounding: unknown;
  #finishReason: string | undefined;
  #blocked = false;
  #usage: GeminiUsageMetadata | undefined;

  constructor(shell: ResponseObject, options: TranslatorOptions) {
    this.#response = shell;
    this.#options = options;
  }

  get response(): ResponseObject {
    return this.#response;
  }

  /** Gemini said it finished (a finish reason, or a blocked prompt). */
  get complete(): boolean {
    return this.#finishReason !== undefined || this.#blocked;
  }

  start(): StreamEvent[] {
    return [
      this.#event('response.created', { response: structuredClone(this.#response) }),
      this.#event('response.in_progress', { response: structuredClone(this.#response) }),
    ];
  }

  /** One Gemini answer chunk (parsed JSON) → events; `error` when the chunk is an upstream error. */
  push(chunk: unknown): { events: StreamEvent[]; error?: ResponseError } {
    if (isRecord(chunk) && isRecord(chunk.error)) return { events: [], error: upstreamError(chunk.error) };
    const parsed = geminiResponseSchema.safeParse(chunk);
    if (!parsed.success) {
      return {
        events: [],
        error: {
          code: 'upstream_invalid_response',
          message: 'The Gemini API returned a chunk we could not read.',
        },
      };
    }
    const answer = parsed.data;
    if (answer.usageMetadata !== null && answer.usageMetadata !== undefined)
      this.#usage = answer.usageMetadata;
    if (typeof answer.promptFeedback?.blockReason === 'string') this.#blocked = true;
    const candidate = answer.candidates?.[0];
    const events: StreamEvent[] = [];
    if (candidate === undefined) return { events };
    if (candidate.groundingMetadata !== undefined) this.#grounding = candidate.groundingMetadata;
    for (const part of candidate.content?.parts ?? []) events.push(...this.#part(part));
    if (typeof candidate.finishReason === 'string') this.#finishReason = candidate.finishReason;
    return { events };
  }

  /** Closes what is open and ends the response: `response.completed` or `response.incomplete`. */
  finish(): StreamEvent[] {
    const events = this.#closeOpen();
    events.push(...this.#emitCarrier());
    for (const query of searchQueries(this.#grounding)) events.push(...this.#emitWebSearch(query));
    const status = finalStatus(this.#finishReason, this.#blocked);
    this.#response.status = status.status;
    this.#response.incomplete_details = status.incompleteDetails;
    this.#response.usage = convertUsage(this.#usage);
    const type = status.status === 'completed' ? 'response.completed' : 'response.incomplete';
    events.push(this.#event(type, { response: structuredClone(this.#response) }));
    return events;
  }

  /** The stream broke: OpenAI's `error` event, and the response is marked failed. */
  fail(error: ResponseError): StreamEvent[] {
    this.#response.status = 'failed';
    this.#response.error = error;
    return [this.#event('error', { code: error.code, message: error.message, param: null })];
  }

  #part(part: GeminiResponsePart): StreamEvent[] {
    const signature =
      typeof part.thoughtSignature === 'string' && part.thoughtSignature !== ''
        ? part.thoughtSignature
        : undefined;
    if (part.functionCall !== null && part.functionCall !== undefined) {
      const callId = nonEmpty(part.functionCall.id) ?? newCallId();
      if (signature !== undefined) this.#pending.push({ callId, signature });
      // The signature joins the open reasoning item (or a reasoning item of its own) before the call.
      const events = this.#closeOpen();
      events.push(...this.#emitCarrier());
      events.push(...this.#emitFunctionCall(part.functionCall, callId));
      return events;
    }
    const text = typeof part.text === 'string' ? part.text : '';
    if (part.thought === true) {
      if (!this.#options.includeSummary || text === '') return this.#keep(signature, []);
      const events = this.#openItem('reasoning');
      events.push(...(this.#open?.append(text, this.#context()) ?? []));
      return this.#keep(signature, events);
    }
    if (text === '') return this.#keep(signature, []);
    const events = this.#openItem('message');
    events.push(...(this.#open?.append(text, this.#context()) ?? []));
    return this.#keep(signature, events);
  }

  #keep(signature: string | undefined, events: StreamEvent[]): StreamEvent[] {
    if (signature !== undefined) this.#pending.push({ signature });
    return events;
  }

  #openItem(kind: 'reasoning' | 'message'): StreamEvent[] {
    if (this.#open?.kind === kind) return [];
    const events = this.#closeOpen();
    const index = this.#response.output.length;
    this.#open = new OpenItem(
      kind,
      itemId(this.#response.id, kind === 'message' ? 'msg' : 'rs', index),
      index,
    );
    this.#response.output.push(this.#open.item);
    events.push(...this.#open.begin(this.#context()));
    return events;
  }

  #closeOpen(): StreamEvent[] {
    const open = this.#open;
    if (open === undefined) return [];
    this.#open = undefined;
    if (open.kind === 'reasoning') open.setEncrypted(this.#takeSignatures());
    return open.end(this.#context(), this.#grounding);
  }

  /** Signatures not yet placed travel in a reasoning item of their own. */
  #emitCarrier(): StreamEvent[] {
    const encrypted = this.#takeSignatures();
    if (encrypted === undefined) return [];
    const index = this.#response.output.length;
    const item: OutputItem = {
      type: 'reasoning',
      id: itemId(this.#response.id, 'rs', index),
      summary: [],
      encrypted_content: encrypted,
    };
    return this.#emitWhole(item, index);
  }

  #emitFunctionCall(
    call: { name: string; args?: Record<string, unknown> | null | undefined },
    callId: string,
  ): StreamEvent[] {
    const index = this.#response.output.length;
    const item: FunctionCallOutput = {
      type: 'function_call',
      id: itemId(this.#response.id, 'fc', index),
      call_id: callId,
      name: call.name,
      arguments: JSON.stringify(call.args ?? {}),
      status: 'completed',
    };
    this.#response.output.push(item);
    const added = this.#event('response.output_item.added', {
      output_index: index,
      item: { ...item, arguments: '', status: 'in_progress' },
    });
    const common = { item_id: item.id, output_index: index };
    return [
      added,
      this.#event('response.function_call_arguments.delta', { ...common, delta: item.arguments }),
      this.#event('response.function_call_arguments.done', {
        ...common,
        name: item.name,
        arguments: item.arguments,
      }),
      this.#event('response.output_item.done', { output_index: index, item: structuredClone(item) }),
    ];
  }

  #emitWebSearch(query: string): StreamEvent[] {
    const index = this.#response.output.length;
    return this.#emitWhole(
      {
        type: 'web_search_call',
        id: itemId(this.#response.id, 'ws', index),
        status: 'completed',
        action: { type: 'search', query },
      },
      index,
    );
  }

  #emitWhole(item: OutputItem, index: number): StreamEvent[] {
    this.#response.output.push(item);
    return [
      this.#event('response.output_item.added', { output_index: index, item: structuredClone(item) }),
      this.#event('response.output_item.done', { output_index: index, item: structuredClone(item) }),
    ];
  }

  #takeSignatures(): string | undefined {
    if (this.#pending.length === 0) return undefined;
    const encoded = encodeSignatures(this.#options.model, this.#pending);
    this.#pending = [];
    return encoded;
  }

  #context() {
    return { event: (type: string, fields: Record<string, unknown>) => this.#event(type, fields) };
  }

  #event(type: string, fields: Record<string, unknown>): StreamEvent {
    return { type, sequence_number: this.#sequence++, ...fields };
  }
}

function nonEmpty(value: string | null | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** An upstream `{"error":{code,message,status}}` met inside a stream. */
function upstreamError(error: Record<string, unknown>): ResponseError {
  const status = typeof error.status === 'string' ? error.status.toLowerCase() : 'upstream_error';
  const message =
    typeof error.message === 'string' && error.message !== ''
      ? error.message
      : 'The Gemini API stream failed.';
  return { code: status, message };
}
