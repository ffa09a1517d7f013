import { Readable } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import { MessageSseTranscoder } from '../translate/message-sse-transcoder.ts';
import type { MessageStreamTranslator } from '../translate/message-stream-translator.ts';

export type StreamOptions = {
  log: FastifyBaseLogger;
  signal: AbortSignal;
  /** A `ping` goes out whenever the upstream has been silent this long. */
  pingIntervalMs: number;
  /** Called once when the stream ends, however it ends. */
  onEnd: () => void;
};

const silence = Symbol('silence');

/**
 * Gemini `alt=sse` bytes → Anthropic SSE (`MessageSseTranscoder`), pulled as the client reads
 * (backpressure). While the upstream is silent (a model thinking before its first word),
 * `message_start` and then a `ping` go out every `pingIntervalMs`, so clients and proxies do not
 * give up. A failing upstream body ends the stream with one `error` event and no `message_stop`.
 */
export function streamMessages(
  upstream: Readable,
  translator: MessageStreamTranslator,
  options: StreamOptions,
): Readable {
  return Readable.from(messageEvents(upstream, new MessageSseTranscoder(translator), options), {
    objectMode: false,
  });
}

async function* messageEvents(
  upstream: Readable,
  transcoder: MessageSseTranscoder,
  options: StreamOptions,
): AsyncGenerator<string> {
  const chunks = upstream[Symbol.asyncIterator]();
  try {
    for (;;) {
      const next = chunks.next();
      next.catch(() => {});
      let result = await untilSilence(next, options.pingIntervalMs);
      while (result === silence) {
        yield transcoder.ping();
        result = await untilSilence(next, options.pingIntervalMs);
      }
      if (result.done === true) break;
      const text = transcoder.feed(result.value as Buffer);
      if (text !== '') yield text;
      if (transcoder.failed) return;
    }
    const end = transcoder.end();
    if (end.incomplete) options.log.warn('upstream stream ended without a finish reason');
    yield end.text;
  } catch (error) {
    if (options.signal.aborted) return;
    options.log.warn({ err: error }, 'upstream stream failed midway');
    yield transcoder.fail(error);
  } finally {
    options.onEnd();
  }
}

function untilSilence<T>(promise: Promise<T>, milliseconds: number): Promise<T | typeof silence> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof silence>((resolve) => {
    timer = setTimeout(() => resolve(silence), milliseconds);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
