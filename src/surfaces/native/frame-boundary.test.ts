import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FrameBoundary } from './frame-boundary.ts';

const fixture = (name: string) =>
  readFileSync(join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'gemini', name));

test('SSE: a boundary only after an event’s blank line', () => {
  const bytes = fixture('stream-alt-sse.txt');
  const ends = new Set<number>();
  for (let index = bytes.indexOf('\r\n\r\n'); index !== -1; index = bytes.indexOf('\r\n\r\n', index + 1))
    ends.add(index + 4);
  for (let cut = 1; cut <= bytes.length; cut++) {
    const boundary = new FrameBoundary('sse');
    boundary.add(bytes.subarray(0, cut));
    assert.equal(boundary.atBoundary, ends.has(cut), `cut at ${cut}`);
  }
});

test('JSON array: a boundary only between elements, whatever the strings contain', () => {
  const bytes = fixture('stream-json-array.txt');
  const elementEnds = new Set<number>();
  let depth = 0;
  const text = bytes.toString('latin1');
  let inString = false;
  let escaped = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (inString) {
      if (escaped) escaped = false;
      else if (char === '\\') escaped = true;
      else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') inString = true;
    else if (char === '{' || char === '[') depth++;
    else if (char === '}' || char === ']') {
      depth--;
      if (depth === 1) elementEnds.add(index + 1);
    }
  }
  assert.ok(elementEnds.size >= 2);
  for (const cut of [...elementEnds, 5, 100, bytes.length - 1]) {
    const whole = new FrameBoundary('json-array');
    whole.add(bytes.subarray(0, cut));
    const byteByByte = new FrameBoundary('json-array');
    for (let index = 0; index < cut; index++) byteByByte.add(bytes.subarray(index, index + 1));
    assert.equal(whole.atBoundary, byteByByte.atBoundary);
    if (elementEnds.has(cut)) assert.equal(whole.atBoundary, true, `after an element at ${cut}`);
  }
  const inside = new FrameBoundary('json-array');
  inside.add(Buffer.from('[{"text": "a } ] \\" {"'));
  assert.equal(inside.atBoundary, false, 'braces inside a string do not count');
});
