import { Readable } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import { errors } from '../../../errors/app-error.ts';
import { fromBrokenBody } from '../../../errors/from-upstream.ts';
import { SseParser } from '../../../gemini/sse-parser.ts';
import type { ResponseError, StreamEvent } from '../schema/response-types.ts';
import type { ResponseStreamTranslator } from '../translate/response-stream-translator.ts';

export type StreamOptions = {
  log: FastifyBaseLogger;
  signal: AbortSignal;
  /** Called once the response completed (or ended incomplete), before the stream's last bytes. */
  onComplete: () => Promise<void>;
};

/** One event as OpenAI frames it: the type as the SSE event name, the whole event as data. */
export function toSse(event: StreamEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/**
 * Gemini `alt=sse` bytes → the Responses event stream, pulled as the client reads (backpressure).
 * A clean end gets the closing item events and `response.completed` (or `response.incomplete`).
 * An upstream `{"error":…}`, an unreadable chunk, a failing body or a stream that stops without a
 * finish reason ends with one `error` event instead: a truncated answer never looks complete.
 */
export function streamResponse(
  upstream: Readable,
  translator: ResponseStreamTranslator,
  options: StreamOptions,
): Readable {
  return Readable.from(responseEvents(upstream, translator, options), { objectMode: false });
}

async function* responseEvents(
  upstream: Readable,
  translator: ResponseStreamTranslator,
  options: StreamOptions,
): AsyncGenerator<string> {
  yield translator.start().map(toSse).join('');
  const parser = new SseParser();
  try {
    for await (const chunk of upstream) {
      for (const event of parser.feed(chunk as Buffer)) {
        const failure = yield* translate(event.data, translator);
        if (failure) return;
      }
    }
    const tail = parser.end().map((event) => event.data);
    if (parser.unframedText.trim() !== '') tail.push(parser.unframedText);
    for (const data of tail) {
      const failure = yield* translate(data, translator);
      if (failure) return;
    }
  } catch (error) {
    if (options.signal.aborted) return;
    options.log.warn({ err: error }, 'upstream stream failed midway');
    yield translator.fail(toResponseError(error)).map(toSse).join('');
    return;
  }
  if (!translator.complete) {
    options.log.warn('upstream stream ended without a finish reason');
    const failure = errors.upstreamUnreadable('a stream that ended without a finish reason, which');
    yield translator.fail(toResponseError(failure)).map(toSse).join('');
    return;
  }
  const closing = translator.finish();
  await options.onComplete();
  yield closing.map(toSse).join('');
}

/** One Gemini event's data → SSE text; returns true once an error event was written. */
function* translate(data: string, translator: ResponseStreamTranslator): Generator<string, boolean> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    yield translator
      .fail(toResponseError(errors.upstreamUnreadable('a stream chunk')))
      .map(toSse)
      .join('');
    return true;
  }
  const pushed = translator.push(parsed);
  const text = pushed.events.map(toSse).join('');
  if (pushed.error === undefined) {
    if (text !== '') yield text;
    return false;
  }
  yield text + translator.fail(pushed.error).map(toSse).join('');
  return true;
}

export function toResponseError(error: unknown): ResponseError {
  const failure = fromBrokenBody(error);
  return { code: failure.code.toLowerCase(), message: failure.message };
}
