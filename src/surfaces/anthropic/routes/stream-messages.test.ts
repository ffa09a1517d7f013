import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import pino from 'pino';
import type { StreamEvent } from '../translate/anthropic-types.ts';
import { accumulateMessage } from '../translate/convert-message-response.ts';
import { MessageSseTranscoder } from '../translate/message-sse-transcoder.ts';
import { MessageStreamTranslator } from '../translate/message-stream-translator.ts';
import { streamMessages } from './stream-messages.ts';

const fixtures = new URL('../../../../test/fixtures/gemini/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, fixtures));
const log = pino({ level: 'silent' });

function newTranslator(): MessageStreamTranslator {
  let counter = 0;
  return new MessageStreamTranslator({
    id: 'msg_test',
    model: 'claude-sonnet-4-5',
    newToolUseId: () => `toolu_test${++counter}`,
  });
}

/** The pure part, fed piece by piece as the route feeds it. */
function transcode(pieces: Buffer[]): string {
  const transcoder = new MessageSseTranscoder(newTranslator());
  let text = '';
  for (const piece of pieces) {
    text += transcoder.feed(piece);
    if (transcoder.failed) return text;
  }
  return text + transcoder.end().text;
}

/** The whole route stream, pings and upstream failures included. */
async function run(pieces: Buffer[]): Promise<string> {
  const translator = newTranslator();
  const output = streamMessages(Readable.from(pieces), translator, {
    log,
    signal: new AbortController().signal,
    pingIntervalMs: 60_000,
    onEnd: () => {},
  });
  let text = '';
  for await (const chunk of output) text += String(chunk);
  return text;
}

function parseSse(text: string): StreamEvent[] {
  return text
    .trim()
    .split('\n\n')
    .map((block) => {
      const [eventLine, dataLine] = block.split('\n');
      const event = JSON.parse(dataLine?.replace(/^data: /, '') ?? '{}') as StreamEvent;
      assert.equal(eventLine, `event: ${event.type}`, 'the SSE event name is the data type');
      return event;
    });
}

const streams = [
  'stream-alt-sse.txt',
  'stream-alt-sse-basic.txt',
  'stream-alt-sse-thinking.txt',
  'stream-alt-sse-thinking-function-call.txt',
  'stream-alt-sse-function-call-gemini3.txt',
  'stream-alt-sse-image-empty-parts.txt',
  'stream-alt-sse-prompt-blocked.txt',
  'stream-alt-sse-error-mid-stream-vertex.txt',
];

describe('Anthropic stream of recorded Gemini streams', () => {
  for (const name of streams) {
    test(`${name}: the same events whichever byte the upstream splits at`, async () => {
      const bytes = fixture(name);
      const whole = await run([bytes]);
      assert.equal(transcode([bytes]), whole, 'the route adds nothing to a prompt upstream');
      for (let cut = 1; cut < bytes.length; cut++) {
        const split = transcode([bytes.subarray(0, cut), bytes.subarray(cut)]);
        if (split !== whole) assert.equal(split, whole, `split at byte ${cut}`);
      }
      const bytewise = [...bytes].map((byte) => Buffer.from([byte]));
      assert.equal(await run(bytewise), whole, 'one byte per chunk through the route');
      const events = parseSse(whole);
      assert.equal(events[0]?.type, 'message_start');
    });
  }

  test('a text stream: one text block, end_turn, usage from the last chunk', async () => {
    const events = parseSse(await run([fixture('stream-alt-sse.txt')]));
    assert.deepEqual(
      events.map((event) => event.type),
      [
        'message_start',
        'content_block_start',
        'content_block_delta',
        'content_block_delta',
        'content_block_stop',
        'message_delta',
        'message_stop',
      ],
    );
    const message = accumulateMessage(events);
    assert.deepEqual(message.content, [{ type: 'text', text: 'The capital of Mexico is Mexico City.' }]);
    assert.equal(message.stop_reason, 'end_turn');
    assert.deepEqual(message.usage, {
      input_tokens: 257,
      output_tokens: 8,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    });
    const start = events[0];
    assert.equal(start?.type === 'message_start' && start.message.usage.input_tokens, 55);
  });

  test("Gemini 3's tool call: a signed thinking block before the tool_use, stop_reason tool_use", async () => {
    const recorded = fixture('stream-alt-sse-function-call-gemini3.txt').toString('utf8');
    const signature = /"thoughtSignature": "([^"]+)"/.exec(recorded)?.[1];
    const message = accumulateMessage(
      parseSse(await run([fixture('stream-alt-sse-function-call-gemini3.txt')])),
    );
    assert.deepEqual(message.content, [
      { type: 'thinking', thinking: '', signature },
      { type: 'tool_use', id: 'toolu_test1', name: 'get_country', input: {} },
    ]);
    assert.equal(message.stop_reason, 'tool_use');
    assert.equal(message.usage.output_tokens, 10 + 202, 'thinking counts as output');
  });

  test('thought summaries become a thinking block, then the answer a text block', async () => {
    const message = accumulateMessage(parseSse(await run([fixture('stream-alt-sse-thinking.txt')])));
    assert.deepEqual(
      message.content.map((block) => block.type),
      ['thinking', 'text'],
    );
    const thinking = message.content[0];
    assert.ok(thinking?.type === 'thinking' && thinking.thinking.startsWith('**Exploring Sky Color**'));
  });

  test('a blocked prompt ends as a refusal', async () => {
    const message = accumulateMessage(parseSse(await run([fixture('stream-alt-sse-prompt-blocked.txt')])));
    assert.equal(message.stop_reason, 'refusal');
  });

  test('an error after some events ends the stream with an error event and no message_stop', async () => {
    const events = parseSse(await run([fixture('stream-alt-sse-error-mid-stream-vertex.txt')]));
    assert.deepEqual(events.at(-1), {
      type: 'error',
      error: { type: 'api_error', message: 'The operation was cancelled.' },
    });
    assert.ok(!events.some((event) => event.type === 'message_stop'));
  });

  test('a stream cut before any finish reason ends with an error event', async () => {
    const first = fixture('stream-alt-sse.txt').toString('utf8').split('\r\n\r\n')[0] ?? '';
    const events = parseSse(await run([Buffer.from(`${first}\r\n\r\n`)]));
    assert.equal(events.at(-1)?.type, 'error');
    assert.ok(!events.some((event) => event.type === 'message_stop'));
  });
});
