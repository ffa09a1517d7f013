import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { type SseEvent, SseParser } from './sse-parser.ts';

const fixtureDirectory = new URL('../../test/fixtures/gemini/', import.meta.url);
const streamFixtures = readdirSync(fixtureDirectory).filter((name) => /^stream-alt-sse.*\.txt$/.test(name));

function parseAll(pieces: Uint8Array[]): { events: SseEvent[]; unframedText: string } {
  const parser = new SseParser();
  const events = pieces.flatMap((piece) => parser.feed(piece));
  events.push(...parser.end());
  return { events, unframedText: parser.unframedText };
}

/** The events counted by hand from the fixture files, so the whole-file parse is itself checked. */
const expectedEventCounts: Record<string, number> = {
  'stream-alt-sse.txt': 3,
  'stream-alt-sse-basic.txt': 3,
  'stream-alt-sse-error-mid-stream-vertex.txt': 2,
  'stream-alt-sse-function-call-gemini3.txt': 2,
  'stream-alt-sse-image-empty-parts.txt': 7,
  'stream-alt-sse-prompt-blocked.txt': 1,
  'stream-alt-sse-thinking-function-call.txt': 3,
  'stream-alt-sse-thinking.txt': 5,
};

describe('SseParser on recorded Gemini streams', () => {
  it('finds every fixture stream', () => {
    assert.deepEqual(streamFixtures.toSorted(), Object.keys(expectedEventCounts).toSorted());
  });

  for (const name of streamFixtures) {
    const bytes = readFileSync(new URL(name, fixtureDirectory));

    it(`${name}: whole file gives the expected JSON events`, () => {
      const { events } = parseAll([bytes]);
      assert.equal(events.length, expectedEventCounts[name]);
      for (const event of events) {
        assert.equal(event.event, undefined);
        assert.equal(typeof JSON.parse(event.data), 'object');
        assert.ok(!event.data.includes('\r'), 'line terminators must not leak into data');
      }
    });

    it(`${name}: split in two at every byte boundary gives identical events`, () => {
      const whole = parseAll([bytes]);
      for (let cut = 0; cut <= bytes.length; cut++) {
        const split = parseAll([bytes.subarray(0, cut), bytes.subarray(cut)]);
        assert.deepEqual(split, whole, `cut at byte ${cut}`);
      }
    });
  }

  it('keeps the bare JSON error Gemini appends without SSE framing', () => {
    const bytes = readFileSync(new URL('stream-alt-sse-error-mid-stream-vertex.txt', fixtureDirectory));
    const { unframedText } = parseAll([bytes]);
    assert.deepEqual(JSON.parse(unframedText).error.code, 499);
  });

  it('dispatches the last event of a stream truncated before its blank line', () => {
    const bytes = readFileSync(new URL('stream-alt-sse-prompt-blocked.txt', fixtureDirectory));
    const { events } = parseAll([bytes]);
    assert.equal(JSON.parse(events[0]?.data ?? '').promptFeedback.blockReason, 'SAFETY');
  });
});

describe('SseParser framing rules', () => {
  const grounding = readFileSync(
    new URL('generate-content-response-grounding.json', fixtureDirectory),
    'utf8',
  );
  // The grounding fixture holds multi-byte characters (°); framed as SSE they test UTF-8 splitting.
  const payload = JSON.stringify(JSON.parse(grounding));
  const framed = Buffer.from(`data: ${payload}\r\n\r\n`, 'utf8');

  it('reassembles a UTF-8 character split across chunks', () => {
    const degree = framed.indexOf(Buffer.from('°', 'utf8'));
    assert.ok(degree > 0, 'fixture must contain a multi-byte character');
    for (let cut = 0; cut <= framed.length; cut++) {
      const { events } = parseAll([framed.subarray(0, cut), framed.subarray(cut)]);
      assert.equal(events[0]?.data, payload, `cut at byte ${cut}`);
    }
  });

  it('accepts \\n, \\r and \\r\\n line ends, comments, event names and multi-line data', () => {
    const text = ': keep-alive\rdata: one\r\ndata: two\r\n\r\nevent: custom\rid: 7\rdata: three\r\r';
    const bytes = Buffer.from(text, 'utf8');
    for (let size = 1; size <= bytes.length; size++) {
      const pieces: Uint8Array[] = [];
      for (let offset = 0; offset < bytes.length; offset += size)
        pieces.push(bytes.subarray(offset, offset + size));
      assert.deepEqual(parseAll(pieces).events, [
        { data: 'one\ntwo' },
        { event: 'custom', id: '7', data: 'three' },
      ]);
    }
  });

  it('does not dispatch an event that has no data lines', () => {
    assert.deepEqual(parseAll([Buffer.from('event: ping\n\n: comment\n\n')]).events, []);
  });

  it('removes only one leading space from a value', () => {
    assert.deepEqual(parseAll([Buffer.from('data:  two spaces\ndata:none\n\n')]).events, [
      { data: ' two spaces\nnone' },
    ]);
  });
});
