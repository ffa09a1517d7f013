/** One dispatched server-sent event. `event` is absent when the stream named none (the default "message"). */
export interface SseEvent {
  event?: string;
  data: string;
  id?: string;
}

/**
 * An incremental parser for `text/event-stream` (WHATWG HTML §9.2.6): feed byte chunks split anywhere,
 * get whole events. Handles `\r\n`, `\n` and `\r` line ends, a `\r\n` split across chunks, a UTF-8
 * character split across chunks (streaming TextDecoder), multi-line `data`, and `:` comments.
 *
 * Lines that are not SSE fields (neither data/event/id/retry nor a comment) are kept in
 * `unframedText`: Gemini has been seen appending a bare pretty-printed `{"error":…}` after the last
 * event, and a proxy must not swallow that silently.
 */
export class SseParser {
  #decoder = new TextDecoder('utf-8');
  #buffer = '';
  #pendingCarriageReturn = false;
  #data: string[] = [];
  #event: string | undefined;
  #id: string | undefined;
  #unframed: string[] = [];

  /** Feeds the next chunk of bytes and returns the events it completed. */
  feed(chunk: Uint8Array): SseEvent[] {
    return this.#consume(this.#decoder.decode(chunk, { stream: true }));
  }

  /**
   * Ends the stream. Unlike the browser algorithm, an event still pending without its closing blank
   * line is dispatched: a truncated upstream body should not lose its last event.
   */
  end(): SseEvent[] {
    const events = this.#consume(this.#decoder.decode());
    if (this.#buffer !== '') {
      this.#processLine(this.#buffer, events);
      this.#buffer = '';
    }
    this.#dispatch(events);
    return events;
  }

  /** The raw lines that were not SSE fields, joined with `\n`. */
  get unframedText(): string {
    return this.#unframed.join('\n');
  }

  #consume(text: string): SseEvent[] {
    const events: SseEvent[] = [];
    let start = 0;
    if (this.#pendingCarriageReturn && text.startsWith('\n')) start = 1;
    this.#pendingCarriageReturn = false;
    for (let index = start; index < text.length; index++) {
      const character = text[index];
      if (character !== '\n' && character !== '\r') continue;
      this.#processLine(this.#buffer + text.slice(start, index), events);
      this.#buffer = '';
      if (character === '\r') {
        if (index + 1 === text.length) this.#pendingCarriageReturn = true;
        else if (text[index + 1] === '\n') index++;
      }
      start = index + 1;
    }
    this.#buffer += text.slice(start);
    return events;
  }

  #processLine(line: string, events: SseEvent[]): void {
    if (line === '') {
      this.#dispatch(events);
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.#data.push(value);
    else if (field === 'event') this.#event = value;
    else if (field === 'id') this.#id = value;
    else if (field !== 'retry') this.#unframed.push(line);
  }

  #dispatch(events: SseEvent[]): void {
    if (this.#data.length > 0) {
      const event: SseEvent = { data: this.#data.join('\n') };
      if (this.#event !== undefined && this.#event !== '') event.event = this.#event;
      if (this.#id !== undefined) event.id = this.#id;
      events.push(event);
    }
    this.#data = [];
    this.#event = undefined;
  }
}
