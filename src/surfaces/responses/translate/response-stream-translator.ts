import {
  type GeminiResponsePart,
  type GeminiUsageMetadata,
  geminiResponseSchema,
} from '../../../gemini/response-schema.ts';
import { isRecord } from '../../../json/lenient-json.ts';
import { isRememberable } from '../../../translate/thought-signatures.ts';
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
import { functionCallEvents, wholeItemEvents } from './whole-item-events.ts';

export interface TranslatorOptions {
  /** The Gemini model, recorded with the thought signatures it minted. */
  model: string;
  /** Thoughts become reasoning summary text only when the client asked for summaries. */
  includeSummary: boolean;
  /** Functions the client declared inside a namespace tool (Codex): name → namespace. */
  namespaces?: ReadonlyMap<string, string>;
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
  readonly #signatures: Array<{ id: string; signature: string }> = [];
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

  /** The signatures Gemini put on function calls so far, by call_id, for the signature store. */
  get signatures(): ReadonlyArray<{ id: string; signature: string }> {
    return this.#signatures;
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
      if (isRememberable(signature)) this.#signatures.push({ id: callId, signature });
      // The signature joins the open reasoning item (or a reasoning item of its own) before the call.
      const events = this.#closeOpen();
      events.push(...this.#emitCarrier());
      events.push(...this.#emitFunctionCall(part.functionCall, callId));
      return events;
    }
    const inline = part.inlineData;
    if (inline?.mimeType.startsWith('image/') === true && part.thought !== true)
      return this.#keep(signature, this.#emitImage(inline));
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
    const id = itemId(this.#response.id, 'rs', this.#response.output.length);
    return this.#emitWhole({ type: 'reasoning', id, summary: [], encrypted_content: encrypted });
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
    const namespace = this.#options.namespaces?.get(call.name);
    if (namespace !== undefined) item.namespace = namespace;
    this.#response.output.push(item);
    return functionCallEvents(item, index, this.#context().event);
  }

  #emitWebSearch(query: string): StreamEvent[] {
    const index = this.#response.output.length;
    const id = itemId(this.#response.id, 'ws', index);
    return this.#emitWhole({
      type: 'web_search_call',
      id,
      status: 'completed',
      action: { type: 'search', query },
    });
  }

  /** A generated image has no place in a message's text: it is an image_generation_call item. */
  #emitImage(image: { mimeType: string; data: string }): StreamEvent[] {
    const events = this.#closeOpen();
    const id = itemId(this.#response.id, 'ig', this.#response.output.length);
    const item: OutputItem = {
      type: 'image_generation_call',
      id,
      status: 'completed',
      result: image.data,
      output_format: image.mimeType.replace(/^image\//, ''),
    };
    events.push(...this.#emitWhole(item));
    return events;
  }

  #emitWhole(item: OutputItem): StreamEvent[] {
    const index = this.#response.output.length;
    this.#response.output.push(item);
    return wholeItemEvents(item, index, this.#context().event);
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
