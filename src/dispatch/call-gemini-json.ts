import { Transform } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import { ChunkMasker } from '../secrets/key-masker.ts';
import { usageTap } from './call-record.ts';
import type { Dispatcher, DispatchResult } from './dispatcher.ts';

export type GeminiCall = {
  method: 'GET' | 'POST';
  /** Path and query under the Gemini base URL. */
  path: string;
  /** For quotas and the record; undefined for calls about no model. */
  model: string | undefined;
  /** The model as the client named it, for the record; `model` when absent. */
  requestedModel?: string | undefined;
  /** Serialized as JSON; absent for a GET. */
  body?: unknown;
  signal: AbortSignal;
};

/**
 * One translated call to the Gemini API with pool keys (retries on another key happen inside). The
 * body is a Buffer, so any attempt can replay it. A successful answer's token usage goes into
 * `result.record` as it streams by; the route hands the record over once (`handOver`).
 */
export async function callGemini(
  dispatcher: Dispatcher,
  call: GeminiCall,
  log: FastifyBaseLogger,
): Promise<DispatchResult> {
  const body = call.body === undefined ? null : Buffer.from(JSON.stringify(call.body));
  const headers: Record<string, string> =
    body === null ? {} : { 'content-type': 'application/json', 'content-length': String(body.length) };
  const result = await dispatcher.call(
    {
      method: call.method,
      path: call.path,
      model: call.model,
      requestedModel: call.requestedModel,
      headers,
      body,
      signal: call.signal,
      masksBody: true,
    },
    log,
  );
  if (result.status >= 300) {
    const masker = result.masker;
    return masker === undefined
      ? result
      : { ...result, body: masker.maskStream(result.body), masker: undefined };
  }
  // Token counts for the record, read from the tail of Gemini's answer as it passes.
  const usage = usageTap(result.record);
  // The pool key is masked here too: one stream in between instead of two.
  const mask = result.masker === undefined ? undefined : new ChunkMasker(result.masker);
  const tap = new Transform({
    transform(received: Buffer, _encoding, callback) {
      const chunk = mask === undefined ? received : mask.push(received);
      if (chunk !== undefined) usage.add(chunk);
      callback(null, chunk);
    },
    flush(callback) {
      const rest = mask?.end();
      if (rest !== undefined) usage.add(rest);
      usage.end();
      callback(null, rest);
    },
  });
  // pipe() rather than pipeline(): pipeline aborts an AbortController at every finish, and the
  // DOMException that builds (with its stack) was 3.5 % of a plain OpenAI completion's CPU.
  result.body.on('error', (error) => tap.destroy(error));
  tap.on('close', () => {
    if (!result.body.readableEnded) result.body.destroy();
  });
  return { ...result, body: result.body.pipe(tap), masker: undefined };
}
