import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import type { FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';
import { readFixtureBytes } from '../../../../test/helpers/read-fixture.ts';
import { parseResponsesRequest } from '../schema/request-schema.ts';
import { responseShell } from '../translate/response-shell.ts';
import { ResponseStreamTranslator } from '../translate/response-stream-translator.ts';
import { streamResponse } from './stream-response.ts';

const log = pino({ level: 'silent' }) as unknown as FastifyBaseLogger;

/** The SSE text our stream writes for these upstream chunks, with the random call ids made stable. */
async function run(chunks: Buffer[]): Promise<{ text: string; completed: number }> {
  const request = parseResponsesRequest({ model: 'gemini-2.5-flash', input: 'hi' });
  const translator = new ResponseStreamTranslator(
    responseShell(request, { id: `resp_${'b'.repeat(32)}`, createdAt: 1, store: true }),
    { model: 'gemini-2.5-flash', includeSummary: true },
  );
  let completed = 0;
  const stream = streamResponse(Readable.from(chunks), translator, {
    log,
    signal: new AbortController().signal,
    onComplete: async () => {
      completed++;
    },
  });
  let text = '';
  for await (const piece of stream) text += (piece as Buffer).toString('utf8');
  return {
    text: text.replaceAll(/call_[\w-]{24}/g, 'call_X').replaceAll(/gbsig1\.[\w-]+/g, 'gbsig1.X'),
    completed,
  };
}

describe('streamResponse', () => {
  test('the same events however the upstream bytes are split (mid-line, mid-UTF-8 character)', async () => {
    const bytes = readFixtureBytes('stream-alt-sse-thinking-function-call.txt');
    const whole = await run([bytes]);
    assert.match(whole.text, /event: response\.completed\n/);
    assert.equal(whole.completed, 1);
    for (const size of [1, 2, 3, 7, 64, 1000]) {
      const pieces: Buffer[] = [];
      for (let start = 0; start < bytes.length; start += size)
        pieces.push(bytes.subarray(start, start + size));
      assert.equal((await run(pieces)).text, whole.text, `split every ${size} bytes`);
    }
  });

  test('an upstream error appended after the events ends with one error event, nothing stored', async () => {
    const { text, completed } = await run([readFixtureBytes('stream-alt-sse-error-mid-stream-vertex.txt')]);
    const events = text.trim().split('\n\n');
    assert.match(events.at(-1) ?? '', /^event: error\ndata: \{"type":"error","sequence_number":\d+,"code":/);
    assert.ok(!text.includes('response.completed'));
    assert.equal(completed, 0);
  });
});
