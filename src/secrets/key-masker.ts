import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { fingerprintKey } from './fingerprint.ts';

/**
 * Masks one API key wherever it appears in bytes we send on: literally or with any character
 * written as a JSON `\uXXXX` escape. A match becomes the key's fingerprint padded with `*` to the
 * same length, so a declared Content-Length stays true. Works on latin1 text, so every byte maps to
 * one character and UTF-8 passes through untouched (a key and its escapes are ASCII).
 */
export class KeyMasker {
  readonly #key: string;
  readonly #pattern: RegExp;
  readonly #fingerprint: string;
  /** The key's first characters: a literal occurrence contains them. */
  readonly #head: string;
  /** The longest text a match can take: every character escaped. */
  readonly maxMatchLength: number;

  constructor(key: string) {
    this.#key = key;
    this.#fingerprint = fingerprintKey(key);
    this.#head = key.slice(0, 4);
    this.#pattern = new RegExp([...key].map(characterPattern).join(''), 'g');
    this.maxMatchLength = key.length * 6;
  }

  /** Replaces every complete occurrence. */
  mask(text: string): string {
    if (!text.includes(this.#head) && !text.includes('\\u')) return text;
    return text.replace(this.#pattern, (match) => this.#fingerprint.padEnd(match.length, '*'));
  }

  /** Where the tail that could be the start of an occurrence begins (`text.length` when none). */
  holdFrom(text: string): number {
    const first = this.#key[0] ?? '';
    for (let index = Math.max(0, text.length - this.maxMatchLength); index < text.length; index++) {
      const character = text[index];
      if ((character === first || character === '\\') && this.#couldStart(text, index)) return index;
    }
    return text.length;
  }

  /** Whether `text` from `start` to its end is a proper prefix of some spelling of the key. */
  #couldStart(text: string, start: number): boolean {
    let position = start;
    for (const character of this.#key) {
      if (position >= text.length) return true;
      const escaped = `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`;
      const rest = text.slice(position, position + 6);
      if (rest[0] === character) position += 1;
      else if (escaped.startsWith(rest.toLowerCase()) && rest.length < 6) return true;
      else if (rest.toLowerCase() === escaped) position += 6;
      else return false;
    }
    return false;
  }

  /** Whether `bytes` can hold no spelling of the key, so `mask` would return them unchanged. */
  isClean(bytes: Buffer): boolean {
    return bytes.indexOf(this.#head, 0, 'latin1') === -1 && bytes.indexOf('\\u', 0, 'latin1') === -1;
  }

  /** `mask` for a whole body: the same bytes, not even copied, when the key cannot be in them. */
  maskBytes(bytes: Buffer): Buffer {
    if (this.isClean(bytes)) return bytes;
    const text = bytes.toString('latin1');
    const masked = this.mask(text);
    return masked === text ? bytes : Buffer.from(masked, 'latin1');
  }

  /** Like `holdFrom` on the chunk's text, reading as text only the tails that could begin the key. */
  holdFromBytes(bytes: Buffer): number {
    const first = this.#key.charCodeAt(0);
    let index = Math.max(0, bytes.length - this.maxMatchLength);
    while (index < bytes.length) {
      const literal = bytes.indexOf(first, index);
      const escaped = bytes.indexOf(backslash, index);
      const candidate = literal === -1 ? escaped : escaped === -1 ? literal : Math.min(literal, escaped);
      if (candidate === -1) break;
      if (this.#couldStart(bytes.toString('latin1', candidate), 0)) return candidate;
      index = candidate + 1;
    }
    return bytes.length;
  }

  /**
   * The body through a masking stream, joined by pipe() rather than pipeline(): pipeline aborts an
   * AbortController at every finish, and the DOMException that builds (with its stack) was 4 % of a
   * pass-through's CPU.
   */
  maskStream(body: Readable): Readable {
    const masking = this.stream();
    body.on('error', (error) => masking.destroy(error));
    masking.on('close', () => {
      if (!body.readableEnded) body.destroy();
    });
    return body.pipe(masking);
  }

  /** A Transform that masks a byte stream, holding back only a tail that could begin the key. */
  stream(): Transform {
    const chunks = new ChunkMasker(this);
    return new Transform({
      transform: (chunk: Buffer, _encoding, callback: TransformCallback) =>
        callback(null, chunks.push(chunk)),
      flush: (callback: TransformCallback) => callback(null, chunks.end()),
    });
  }
}

const backslash = 0x5c;

/**
 * Masks a byte stream chunk by chunk without a stream of its own, for routes that write each chunk
 * themselves: a chunk that cannot hold or begin the key passes as it is (no copy, no text);
 * otherwise only a tail that could begin the key is held back until the next chunk shows.
 */
export class ChunkMasker {
  readonly #masker: KeyMasker;
  #carry = '';

  constructor(masker: KeyMasker) {
    this.#masker = masker;
  }

  /** The bytes that can go on now; undefined when all of them are held back. */
  push(chunk: Buffer): Buffer | undefined {
    if (this.#carry === '' && this.#masker.isClean(chunk)) {
      const hold = this.#masker.holdFromBytes(chunk);
      if (hold === chunk.length) return chunk;
      this.#carry = chunk.toString('latin1', hold);
      return hold === 0 ? undefined : chunk.subarray(0, hold);
    }
    const text = this.#masker.mask(this.#carry + chunk.toString('latin1'));
    const hold = this.#masker.holdFrom(text);
    this.#carry = text.slice(hold);
    return hold === 0 ? undefined : Buffer.from(text.slice(0, hold), 'latin1');
  }

  /** What was held back, once the stream has ended. */
  end(): Buffer | undefined {
    const rest = this.#carry;
    this.#carry = '';
    return rest === '' ? undefined : Buffer.from(rest, 'latin1');
  }
}

function characterPattern(character: string): string {
  const code = character.charCodeAt(0).toString(16).padStart(4, '0');
  const literal = character.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  return `(?:${literal}|\\\\u${[...code].map((digit) => (/[a-f]/.test(digit) ? `[${digit}${digit.toUpperCase()}]` : digit)).join('')})`;
}
