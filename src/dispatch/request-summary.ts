import type { FastifyReply, FastifyRequest } from 'fastify';
import type { TokenUsage } from '../gemini/usage.ts';
import { type Attempt, handedOver, usageOf } from './call-record.ts';

/**
 * What one finished request was: the summary log line and (issue 10) the request records are
 * written from this, built once in the app's `onResponse` hook from the request, its reply and the
 * call record its route handed over (`handOver`). Never holds a key or a token.
 */
export type RequestSummary = {
  method: string;
  /** The route pattern (`/v1beta/*`, `/v1/chat/completions`), or `unmatched`. */
  route: string;
  /** The path without the query (which may hold a `?key=` token). */
  path: string;
  /** Which API's format the route answers in: native, openai, shared (both). */
  surface: string;
  /** The model Gemini was asked for, and the one the client named. */
  model: string | undefined;
  requestedModel: string | undefined;
  status: number;
  /** The key whose answer the client got, else the last one tried. */
  keyFingerprint: string | undefined;
  attempts: readonly Attempt[];
  tokens: TokenUsage | undefined;
  stream: boolean | undefined;
  firstByteMs: number | undefined;
  latencyMs: number;
};

export function summarizeRequest(request: FastifyRequest, reply: FastifyReply): RequestSummary {
  const record = handedOver(request);
  // Fastify builds a new routeOptions object on every read: once.
  const route = request.routeOptions;
  const { url } = request;
  const query = url.indexOf('?');
  return {
    method: request.method,
    route: route.url ?? 'unmatched',
    path: query === -1 ? url : url.slice(0, query),
    surface: route.config.surface ?? 'native',
    model: record?.model,
    requestedModel: record?.requestedModel,
    status: reply.statusCode,
    keyFingerprint: record?.keyFingerprint ?? record?.attempts.at(-1)?.keyFingerprint,
    attempts: record?.attempts ?? [],
    tokens: usageOf(record),
    stream: record?.stream,
    firstByteMs: record?.firstByteMs,
    latencyMs: Math.round(reply.elapsedTime * 100) / 100,
  };
}
