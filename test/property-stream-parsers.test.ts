import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { SseParser } from '../src/gemini/sse-parser.ts';
import { FrameBoundary } from '../src/surfaces/native/frame-boundary.ts';
import { readFixtureBytes } from './helpers/read-fixture.ts';

/*
 * Property: the stream parsers see the same thing however the bytes are split: the SSE parser
 * yields the same events, and the frame-boundary scanner (SSE and JSON-array streams) gives the
 * same verdict at every byte, whether the stream came whole or in arbitrary pieces (mid-line,
 * mid-`\r\n`, mid-UTF-8 character, mid-escape).
 */

const sseFixtures = [
  'stream-alt-sse.txt',
  'stream-alt-sse-basic.txt',
  'stream-alt-sse-thinking.txt',
  'stream-alt-sse-thinking-function-call.txt',
  'stream-alt-sse-error-mid-stream-vertex.txt',
  'stream-alt-sse-function-call-gemini3.txt',
];
const jsonArrayFixtures = ['stream-json-array.txt', 'stream-json-array-function-call.txt'];

/** Cut points (sorted, distinct) inside a buffer of `length` bytes. */
const cuts = (length: number) =>
  fc
    .uniqueArray(fc.integer({ min: 1, max: Math.max(1, length - 1) }), { maxLength: 40 })
    .map((points) => points.sort((a, b) => a - b));

function split(bytes: Buffer, points: number[]): Buffer[] {
  const pieces: Buffer[] = [];
  let start = 0;
  for (const point of [...points, bytes.length]) {
    pieces.push(bytes.subarray(start, point));
    start = point;
  }
  return pieces;
}

function parseAll(pieces: Buffer[]): unknown {
  const parser = new SseParser();
  const events = pieces.flatMap((piece) => parser.feed(piece));
  return { events: [...events, ...parser.end()], unframed: parser.unframedText };
}

describe('stream parsers are independent of chunk boundaries', () => {
  for (const name of sseFixtures) {
    test(`SseParser: ${name}`, () => {
      const bytes = readFixtureBytes(name);
      const whole = parseAll([bytes]);
      // CRLF variant too: the recorded fixtures use one line ending, upstreams may use the other.
      const crlf = Buffer.from(bytes.toString('utf8').replace(/\r?\n/g, '\r\n'));
      const wholeCrlf = parseAll([crlf]);
      fc.assert(
        fc.property(cuts(bytes.length), cuts(crlf.length), (points, crlfPoints) => {
          assert.deepEqual(parseAll(split(bytes, points)), whole);
          assert.deepEqual(parseAll(split(crlf, crlfPoints)), wholeCrlf);
        }),
        { numRuns: 100, seed: 1201 },
      );
    });
  }

  for (const [framing, names] of [
    ['sse', sseFixtures],
    ['json-array', jsonArrayFixtures],
  ] as const) {
    for (const name of names) {
      test(`FrameBoundary (${framing}): ${name}`, () => {
        const bytes = readFixtureBytes(name);
        fc.assert(
          fc.property(cuts(bytes.length), (points) => {
            const pieces = new FrameBoundary(framing);
            let offset = 0;
            for (const piece of split(bytes, points)) {
              pieces.add(piece);
              offset += piece.length;
              const whole = new FrameBoundary(framing);
              whole.add(bytes.subarray(0, offset));
              assert.equal(pieces.atBoundary, whole.atBoundary, `at byte ${offset}`);
            }
          }),
          { numRuns: 50, seed: 1201 },
        );
      });
    }
  }
});
