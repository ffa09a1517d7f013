import { Readable } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import { toAnthropicErrorObject } from '../../../errors/anthropic-error-body.ts';
import { AppError, errors } from '../../../errors/app-error.ts';
import { SseParser } from '../../../gemini/sse-parser.ts';
import type { StreamEvent } from '../translate/anthropic-types.ts';
import type { MessageStreamTranslator } from '../translate/message-stream-translator.ts';

export type StreamOptions = {
  log: FastifyBaseLogger;
  signal: AbortSignal;
  /** A `ping` goes out whenever the upstream has been silent this long. */
  pingIntervalMs: number;
  /** Called once when the stream ends, however it ends. */
  onEnd: () => void;
};

/** One Anthropic SSE event: `event: <type>` + `data: <json>`. */
export function toSse(events: readonly StreamEvent[]): string {
  return events.map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`).join('');
}

const silence = Symbol('silence');

/**
 * Gemini `alt=sse` bytes → Anthropic SSE, pulled as the client reads (backpressure). While the
 * upstream is silent (a model thinking before its first word), `message_start` and then a `ping`
 * go out every `pingIntervalMs`, so clients and proxies do not give up. A clean end gets the
 * closing events; an upstream error, an unreadable chunk, a failing body or a stream that ends
 * without a finish reason ends with one `error` event and no `message_stop`.
 */
export function streamMessages(
  upstream: Readable,
  translator: MessageStreamTranslator,
  options: StreamOptions,
): Readable {
  return Readable.from(messageEvents(upstream, translator, options), { objectMode: false });
}

async function* messageEvents(
  upstream: Readable,
  translator: MessageStreamTranslator,
  options: StreamOptions,
): AsyncGenerator<string> {
  const parser = new SseParser();
  const chunks = upstream[Symbol.asyncIterator]();
  try {
    for (;;) {
      const next = chunks.next();
      next.catch(() => {});
      let result = await untilSilence(next, options.pingIntervalMs);
      while (result === silence) {
        yield toSse([...translator.start(), { type: 'ping' }]);
        result = await untilSilence(next, options.pingIntervalMs);
      }
      if (result.done === true) break;
      for (const event of parser.feed(result.value as Buffer)) {
        const events = translate(event.data, translator);
        yield toSse(events);
        if (events.some((item) => item.type === 'error')) return;
      }
    }
    const tail = parser.end().map((event) => event.data);
    if (parser.unframedText.trim() !== '') tail.push(parser.unframedText);
    for (const data of tail) {
      const events = translate(data, translator);
      yield toSse(events);
      if (events.some((item) => item.type === 'error')) return;
    }
  } catch (error) {
    if (options.signal.aborted) return;
    options.log.warn({ err: error }, 'upstream stream failed midway');
    yield toSse([failure(error)]);
    return;
  } finally {
    options.onEnd();
  }
  if (!translator.complete) {
    options.log.warn('upstream stream ended without a finish reason');
    yield toSse([failure(errors.upstreamUnreadable('a stream that ended without a finish reason, which'))]);
    return;
  }
  yield toSse(translator.finish());
}

function translate(data: string, translator: MessageStreamTranslator): StreamEvent[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return [failure(errors.upstreamUnreadable('a stream chunk'))];
  }
  return translator.push(parsed);
}

function failure(error: unknown): StreamEvent {
  const appError =
    error instanceof AppError
      ? error
      : error instanceof Error && error.name === 'BodyTimeoutError'
        ? errors.upstreamTimeout(error)
        : errors.upstreamStreamFailed();
  return { type: 'error', error: toAnthropicErrorObject(appError) };
}

function untilSilence<T>(promise: Promise<T>, milliseconds: number): Promise<T | typeof silence> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof silence>((resolve) => {
    timer = setTimeout(() => resolve(silence), milliseconds);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
