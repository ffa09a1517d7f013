import type { StreamFraming } from './stream-error-tail.ts';

/**
 * Whether the bytes sent so far end between two elements of the stream, where an error element can
 * be appended cleanly. SSE: after a blank line. JSON array: inside the array, outside any element
 * (a small scanner that knows strings and escapes).
 */
export class FrameBoundary {
  readonly #framing: StreamFraming;
  #lastBytes = '';
  #depth = 0;
  #inString = false;
  #escaped = false;

  constructor(framing: StreamFraming) {
    this.#framing = framing;
  }

  add(chunk: Buffer): void {
    if (this.#framing === 'sse') {
      this.#lastBytes = (this.#lastBytes + chunk.subarray(-4).toString('latin1')).slice(-4);
      return;
    }
    // An indexed loop: a Buffer's iterator costs a call per byte.
    for (let index = 0; index < chunk.length; index++) this.#scan(chunk[index] ?? 0);
  }

  get atBoundary(): boolean {
    if (this.#framing === 'sse')
      return this.#lastBytes.endsWith('\n\n') || this.#lastBytes.endsWith('\r\n\r\n');
    return this.#depth === 1 && !this.#inString;
  }

  #scan(byte: number): void {
    if (this.#inString) {
      if (this.#escaped) this.#escaped = false;
      else if (byte === 0x5c) this.#escaped = true;
      else if (byte === 0x22) this.#inString = false;
      return;
    }
    if (byte === 0x22) this.#inString = true;
    else if (byte === 0x7b || byte === 0x5b) this.#depth++;
    else if (byte === 0x7d || byte === 0x5d) this.#depth--;
  }
}
