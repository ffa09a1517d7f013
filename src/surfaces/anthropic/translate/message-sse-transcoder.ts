import { toAnthropicErrorObject } from '../../../errors/anthropic-error-body.ts';
import { errors } from '../../../errors/app-error.ts';
import { fromBrokenBody } from '../../../errors/from-upstream.ts';
import { SseParser } from '../../../gemini/sse-parser.ts';
import type { StreamEvent } from './anthropic-types.ts';
import type { MessageStreamTranslator } from './message-stream-translator.ts';

/** Anthropic SSE: `event: <type>` + `data: <json>` per event. */
export function toSse(events: readonly StreamEvent[]): string {
  return events.map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`).join('');
}

/**
 * Gemini `alt=sse` bytes, split anywhere → Anthropic SSE text, without I/O (the route adds pings
 * and the upstream's failures). An upstream `{"error":…}` (framed, or bare after the last event),
 * an unreadable chunk, or an end without a finish reason gives one `error` event and nothing after
 * it; a clean end gives the closing events.
 */
export class MessageSseTranscoder {
  readonly #parser = new SseParser();
  readonly #translator: MessageStreamTranslator;
  #failed = false;

  constructor(translator: MessageStreamTranslator) {
    this.#translator = translator;
  }

  /** True once an error event was produced: nothing more may be sent. */
  get failed(): boolean {
    return this.#failed;
  }

  feed(chunk: Uint8Array): string {
    return this.#translate(this.#parser.feed(chunk).map((event) => event.data));
  }

  /** The end of Gemini's body; `incomplete` when it ended without saying how the answer ended. */
  end(): { text: string; incomplete: boolean } {
    const tail = this.#parser.end().map((event) => event.data);
    if (this.#parser.unframedText.trim() !== '') tail.push(this.#parser.unframedText);
    const text = this.#translate(tail);
    if (this.#failed) return { text, incomplete: false };
    if (!this.#translator.complete) {
      const cut = errors.upstreamUnreadable('a stream that ended without a finish reason, which');
      return { text: text + this.fail(cut), incomplete: true };
    }
    return { text: text + toSse(this.#translator.finish()), incomplete: false };
  }

  /** `message_start` if not sent yet, then a `ping`: the upstream is silent. */
  ping(): string {
    return this.#failed ? '' : toSse([...this.#translator.start(), { type: 'ping' }]);
  }

  /** The upstream body failed (or we gave up on it): one error event. */
  fail(error: unknown): string {
    if (this.#failed) return '';
    this.#failed = true;
    return toSse([{ type: 'error', error: toAnthropicErrorObject(fromBrokenBody(error)) }]);
  }

  #translate(data: readonly string[]): string {
    let text = '';
    for (const item of data) {
      if (this.#failed) break;
      let parsed: unknown;
      try {
        parsed = JSON.parse(item);
      } catch {
        return text + this.fail(errors.upstreamUnreadable('a stream chunk'));
      }
      const events = this.#translator.push(parsed);
      text += toSse(events);
      if (events.some((event) => event.type === 'error')) this.#failed = true;
    }
    return text;
  }
}
