import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const fixtureDirectory = join(import.meta.dirname, '..', 'fixtures', 'gemini');

/** A recorded fixture's exact bytes. */
export function fixtureBytes(name: string): Buffer {
  return readFileSync(join(fixtureDirectory, name));
}

/** `alt=sse` bytes cut after each event's blank line, keeping the recorded framing (CRLF or LF). */
export function splitSseEvents(bytes: Buffer): Buffer[] {
  const text = bytes.toString('latin1');
  const pieces: Buffer[] = [];
  const boundary = /\r\n\r\n|\n\n/g;
  let start = 0;
  for (let match = boundary.exec(text); match !== null; match = boundary.exec(text)) {
    const end = match.index + match[0].length;
    pieces.push(bytes.subarray(start, end));
    start = end;
  }
  if (start < bytes.length) pieces.push(bytes.subarray(start));
  return pieces;
}

/** JSON-array stream bytes cut before each `\n,\r\n` separator and before the closing `\n]`. */
export function splitJsonArrayElements(bytes: Buffer): Buffer[] {
  const text = bytes.toString('latin1');
  const cuts: number[] = [];
  const separator = /\n,\r\n|\n\]$/g;
  for (let match = separator.exec(text); match !== null; match = separator.exec(text)) cuts.push(match.index);
  const pieces: Buffer[] = [];
  let start = 0;
  for (const cut of cuts) {
    pieces.push(bytes.subarray(start, cut));
    start = cut;
  }
  pieces.push(bytes.subarray(start));
  return pieces.filter((piece) => piece.length > 0);
}
