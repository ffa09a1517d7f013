import { type TokenUsage, UsageTail } from '../gemini/usage.ts';
import type { OutcomeKind } from '../pool/outcome.ts';

/** One try with one key: which key (by fingerprint), what its answer meant, the HTTP status if any. */
export type Attempt = { keyFingerprint: string; outcome: OutcomeKind; status: number | undefined };

/**
 * What happened to one call to Gemini, filled by dispatch only: the route hands it over once
 * (`handOver`), and the summary log line (and the request records) read it when the response ends.
 */
export type CallRecord = {
  /** The model Gemini was asked for; undefined for calls about no model. */
  model: string | undefined;
  /** The model as the client named it (an OpenAI `model` field); the same as `model` on the native surface. */
  requestedModel: string | undefined;
  /** A streamed answer (`streamGenerateContent`, a Live session). */
  stream: boolean;
  /** Every key tried, in order, with its outcome: kept when the call fails too. */
  attempts: Attempt[];
  /** The key whose answer the client got. */
  keyFingerprint: string | undefined;
  /** Milliseconds from the dispatch to the answering key's response headers. */
  firstByteMs: number | undefined;
  /** Token counts read from the answer as it passed, once it has ended. */
  usage: TokenUsage | undefined;
  /** The ended answer's tail, until someone asks for its usage (`usageOf`): a field, not a map entry per call. */
  endedTail: UsageTail | undefined;
};

export function newCallRecord(call: {
  path: string;
  model: string | undefined;
  requestedModel?: string | undefined;
}): CallRecord {
  return {
    model: call.model,
    requestedModel: call.requestedModel ?? call.model,
    stream: call.path.includes(':streamGenerateContent') || call.path.includes('BidiGenerateContent'),
    attempts: [],
    keyFingerprint: undefined,
    firstByteMs: undefined,
    usage: undefined,
    endedTail: undefined,
  };
}

/**
 * Reads token usage from the tail of an answer as the bytes pass by: `add` each chunk, `end` once.
 * Nothing is parsed until someone asks (`usageOf`: the summary line at `info`, a request record):
 * a pass-through nobody asks about never parses its answer.
 */
export function usageTap(record: CallRecord): { add(chunk: Buffer): void; end(): void } {
  return new UsageTap(record);
}

class UsageTap {
  readonly #record: CallRecord;
  readonly #tail = new UsageTail();

  constructor(record: CallRecord) {
    this.#record = record;
  }

  add(chunk: Buffer): void {
    this.#tail.add(chunk);
  }

  end(): void {
    this.#record.endedTail = this.#tail;
  }
}

/** A record's token usage, read from its answer's tail the first time it is asked for. */
export function usageOf(record: CallRecord | undefined): TokenUsage | undefined {
  if (record === undefined) return undefined;
  const tail = record.endedTail;
  if (tail !== undefined) {
    record.endedTail = undefined;
    record.usage = tail.usage();
  }
  return record.usage;
}

/**
 * What a route hands its record to: the Fastify request, whose `callRecord` field the app declares
 * up front (a field keeps the request's shape; a map entry per request cost more).
 */
export type RecordHolder = { callRecord?: CallRecord | null | undefined };

const byError = new WeakMap<object, CallRecord>();

/**
 * The one hand-off: a route gives the record of the call it made for `request` (any per-request
 * object, in practice the Fastify request). The first hand-off counts. The app's `onResponse` hook
 * reads it back with `handedOver` for the summary line.
 */
export function handOver(request: RecordHolder, record: CallRecord): void {
  request.callRecord ??= record;
}

export function handedOver(request: RecordHolder): CallRecord | undefined {
  return request.callRecord ?? undefined;
}

/** A dispatch that throws (no key left, upstream unreachable) keeps its record on the error. */
export function attachRecord(error: unknown, record: CallRecord): void {
  if (typeof error === 'object' && error !== null && !byError.has(error)) byError.set(error, record);
}

/** The record of the failed dispatch that threw `error`, for the error handler to hand over. */
export function recordOfError(error: unknown): CallRecord | undefined {
  return typeof error === 'object' && error !== null ? byError.get(error) : undefined;
}
