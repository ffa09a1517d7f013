import { Transform, type TransformCallback } from 'node:stream';
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
  /** The longest text a match can take: every character escaped. */
  readonly maxMatchLength: number;

  constructor(key: string) {
    this.#key = key;
    this.#fingerprint = fingerprintKey(key);
    this.#pattern = new RegExp([...key].map(characterPattern).join(''), 'g');
    this.maxMatchLength = key.length * 6;
  }

  /** Replaces every complete occurrence. */
  mask(text: string): string {
    if (!text.includes(this.#key.slice(0, 4)) && !text.includes('\\u')) return text;
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

  /** A Transform that masks a byte stream, holding back only a tail that could begin the key. */
  stream(): Transform {
    let carry = '';
    return new Transform({
      transform: (chunk: Buffer, _encoding, callback: TransformCallback) => {
        const text = this.mask(carry + chunk.toString('latin1'));
        const hold = this.holdFrom(text);
        carry = text.slice(hold);
        callback(null, hold === 0 ? undefined : Buffer.from(text.slice(0, hold), 'latin1'));
      },
      flush: (callback: TransformCallback) => {
        callback(null, carry === '' ? undefined : Buffer.from(carry, 'latin1'));
      },
    });
  }
}

function characterPattern(character: string): string {
  const code = character.charCodeAt(0).toString(16).padStart(4, '0');
  const literal = character.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  return `(?:${literal}|\\\\u${[...code].map((digit) => (/[a-f]/.test(digit) ? `[${digit}${digit.toUpperCase()}]` : digit)).join('')})`;
}
