import { Readable } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import { errors } from '../../../errors/app-error.ts';
import { fromBrokenBody } from '../../../errors/from-upstream.ts';
import { toOpenAIErrorObject } from '../../../errors/wire-formats.ts';
import { SseParser } from '../../../gemini/sse-parser.ts';
import type { OpenAIErrorObject } from '../schema/openai-types.ts';
import type { ChatStreamTranslator } from '../translate/convert-chat-stream.ts';
import { streamDoneEvent, toStreamErrorEvent, toStreamEvent } from '../translate/to-stream-event.ts';

type Translated = { text: string; failed: boolean };

/**
 * Gemini `alt=sse` bytes → OpenAI chat-completion SSE, one write per Gemini event, pulled as the
 * client reads (backpressure). A clean end gets the finish chunk(s), the usage chunk and `[DONE]`.
 * An upstream `{"error":…}` (framed or as a bare trailing JSON), an unreadable chunk or a failing
 * body ends the stream with one error event and no `[DONE]`: the OpenAI SDKs raise an APIError
 * on it, and `[DONE]` would pass a truncated answer off as complete.
 */
export function streamChatCompletion(
  upstream: Readable,
  translator: ChatStreamTranslator,
  options: StreamOptions,
): Readable {
  return Readable.from(chatEvents(upstream, translator, options), { objectMode: false });
}

type StreamOptions = {
  log: FastifyBaseLogger;
  signal: AbortSignal;
  /** Called once when the stream ends, however it ends (the route remembers signatures then). */
  onEnd?: () => void;
};

async function* chatEvents(
  upstream: Readable,
  translator: ChatStreamTranslator,
  options: StreamOptions,
): AsyncGenerator<string> {
  try {
    yield* translatedEvents(upstream, translator, options);
  } finally {
    options.onEnd?.();
  }
}

async function* translatedEvents(
  upstream: Readable,
  translator: ChatStreamTranslator,
  options: StreamOptions,
): AsyncGenerator<string> {
  const parser = new SseParser();
  try {
    for await (const chunk of upstream) {
      for (const event of parser.feed(chunk as Buffer)) {
        const translated = translate(event.data, translator);
        if (translated.text !== '') yield translated.text;
        if (translated.failed) return;
      }
    }
    const tail = parser.end().map((event) => event.data);
    if (parser.unframedText.trim() !== '') tail.push(parser.unframedText);
    for (const data of tail) {
      const translated = translate(data, translator);
      if (translated.text !== '') yield translated.text;
      if (translated.failed) return;
    }
  } catch (error) {
    if (options.signal.aborted) return;
    options.log.warn({ err: error }, 'upstream stream failed midway');
    yield toStreamErrorEvent(toErrorObject(error));
    return;
  }
  if (!translator.complete) {
    options.log.warn('upstream stream ended without a finish reason');
    yield toStreamErrorEvent(
      toErrorObject(errors.upstreamUnreadable('a stream that ended without a finish reason, which')),
    );
    return;
  }
  yield `${translator.finish().map(toStreamEvent).join('')}${streamDoneEvent}`;
}

/** One Gemini event's data → the SSE text to send; `failed` once an error event was produced. */
function translate(data: string, translator: ChatStreamTranslator): Translated {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return {
      text: toStreamErrorEvent(toErrorObject(errors.upstreamUnreadable('a stream chunk'))),
      failed: true,
    };
  }
  let text = '';
  for (const item of translator.push(parsed)) {
    if (item.type === 'error') return { text: text + toStreamErrorEvent(item.error), failed: true };
    text += toStreamEvent(item.chunk);
  }
  return { text, failed: false };
}

function toErrorObject(error: unknown): OpenAIErrorObject {
  return { ...toOpenAIErrorObject(fromBrokenBody(error)), type: 'api_error' };
}
