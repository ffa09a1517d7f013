import { pipeline, Transform } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { UsageTail } from '../gemini/usage.ts';
import type { PoolCaller, PoolResult } from './dispatcher.ts';

export type GeminiCall = {
  method: 'GET' | 'POST';
  /** Path and query under the Gemini base URL. */
  path: string;
  /** For quotas and the summary log line; undefined for calls about no model. */
  model: string | undefined;
  /** Serialized as JSON; absent for a GET. */
  body?: unknown;
  signal: AbortSignal;
};

/**
 * One translated call to the Gemini API with pool keys (retries on another key happen inside). The
 * body is a Buffer, so any attempt can replay it. Records the key and attempts for the summary log.
 */
export async function callGemini(
  request: FastifyRequest,
  caller: PoolCaller,
  call: GeminiCall,
): Promise<PoolResult> {
  const body = call.body === undefined ? null : Buffer.from(JSON.stringify(call.body));
  const headers: Record<string, string> =
    body === null ? {} : { 'content-type': 'application/json', 'content-length': String(body.length) };
  request.attempts = [];
  const result = await caller.call(
    {
      method: call.method,
      path: call.path,
      model: call.model,
      headers,
      body,
      signal: call.signal,
      attempts: request.attempts,
    },
    request.log,
  );
  request.keyFingerprint = result.lease.fingerprint;
  if (result.status >= 300) return result;
  // Token counts for the summary line, read from the tail of Gemini's answer as it passes.
  const usage = new UsageTail();
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      usage.add(chunk);
      callback(null, chunk);
    },
    flush(callback) {
      request.usage = usage.usage();
      callback();
    },
  });
  return { ...result, body: pipeline(result.body, tap, () => {}) };
}
