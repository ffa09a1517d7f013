import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFixtureBytes } from '../../../../test/helpers/read-fixture.ts';
import { SseParser } from '../../../gemini/sse-parser.ts';
import type { ChatCompletionChunk } from '../schema/openai-types.ts';
import { type ChatStreamItem, ChatStreamTranslator } from './convert-chat-stream.ts';
import { streamDoneEvent, toStreamErrorEvent, toStreamEvent } from './to-stream-event.ts';

interface GeminiChunk {
  candidates?: Array<{
    content?: { parts?: Array<{ text?: string; thought?: boolean; thoughtSignature?: string }> };
  }>;
}

const options = {
  id: 'chatcmpl-test',
  model: 'gemini-3-pro-preview',
  created: 1_782_955_818,
  includeThoughts: false,
};

function geminiEvents(name: string): GeminiChunk[] {
  const parser = new SseParser();
  const events = [...parser.feed(readFixtureBytes(name)), ...parser.end()];
  return events.map((event) => JSON.parse(event.data));
}

function translate(pieces: Uint8Array[], settings: { includeUsage: boolean; includeThoughts?: boolean }) {
  const translator = new ChatStreamTranslator({ ...options, ...settings });
  const parser = new SseParser();
  const items: ChatStreamItem[] = [];
  for (const piece of pieces)
    for (const event of parser.feed(piece)) items.push(...translator.push(JSON.parse(event.data)));
  for (const event of parser.end()) items.push(...translator.push(JSON.parse(event.data)));
  const chunks = items.flatMap((item) => (item.type === 'chunk' ? [item.chunk] : []));
  return { items, chunks: [...chunks, ...translator.finish()] };
}

interface ReferenceChunk {
  choices: Array<{ delta: { tool_calls?: unknown[] } }>;
  usage: unknown;
}

function referenceChunks(name: string): ReferenceChunk[] {
  const parser = new SseParser();
  const events = [...parser.feed(readFixtureBytes(name)), ...parser.end()];
  assert.equal(events.at(-1)?.data, '[DONE]');
  return events.slice(0, -1).map((event) => JSON.parse(event.data));
}

/** OpenAI-only decorations we have no equivalent for. */
const openAIOnly = new Set(['service_tier', 'system_fingerprint', 'obfuscation']);
const keysOf = (value: unknown) =>
  Object.keys(value as object)
    .filter((key) => !openAIOnly.has(key))
    .toSorted();

const contentOf = (chunks: ChatCompletionChunk[]) =>
  chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
const geminiText = (events: GeminiChunk[], thought: boolean) =>
  events
    .flatMap((event) => event.candidates?.[0]?.content?.parts ?? [])
    .filter((part) => (part.thought === true) === thought)
    .map((part) => part.text ?? '')
    .join('');
const withoutCallIds = (chunks: ChatCompletionChunk[]) =>
  JSON.parse(JSON.stringify(chunks).replaceAll(/"call_[\w-]{24}"/g, '"call_"'));

describe('ChatStreamTranslator on recorded Gemini streams', () => {
  const reference = referenceChunks('openai-chat-stream-reference-text.txt');

  for (const name of ['stream-alt-sse.txt', 'stream-alt-sse-basic.txt', 'stream-alt-sse-thinking.txt']) {
    it(`${name}: same text, OpenAI chunk shape, identical at every split`, () => {
      const bytes = readFixtureBytes(name);
      const { chunks } = translate([bytes], { includeUsage: true });
      assert.equal(contentOf(chunks), geminiText(geminiEvents(name), false));
      assert.ok(contentOf(chunks).length > 0);
      for (const [position, chunk] of chunks.entries()) {
        assert.deepEqual(keysOf(chunk), keysOf(reference[0]), `chunk ${position}`);
        if (chunk.choices[0] !== undefined)
          assert.deepEqual(keysOf(chunk.choices[0]), keysOf(reference[0]?.choices[0]));
      }
      const [first, last, beforeLast] = [chunks[0], chunks.at(-1), chunks.at(-2)];
      const referenceFirst = reference[0]?.choices[0]?.delta;
      assert.deepEqual(first?.choices[0]?.delta, referenceFirst);
      assert.deepEqual(beforeLast?.choices, [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]);
      assert.deepEqual(last?.choices, []);
      assert.deepEqual(keysOf(last?.usage), keysOf(reference.at(-1)?.usage));
      for (let cut = 0; cut <= bytes.length; cut += 1) {
        const split = translate([bytes.subarray(0, cut), bytes.subarray(cut)], { includeUsage: true });
        assert.deepEqual(split.chunks, chunks, `cut at byte ${cut}`);
      }
    });
  }

  it('streams thoughts as reasoning_content only when asked for', () => {
    const bytes = readFixtureBytes('stream-alt-sse-thinking.txt');
    const thoughts = geminiText(geminiEvents('stream-alt-sse-thinking.txt'), true);
    const hidden = translate([bytes], { includeUsage: false }).chunks;
    const shown = translate([bytes], { includeUsage: false, includeThoughts: true }).chunks;
    const reasoningOf = (chunks: ChatCompletionChunk[]) =>
      chunks.map((chunk) => chunk.choices[0]?.delta.reasoning_content ?? '').join('');
    assert.equal(reasoningOf(hidden), '');
    assert.equal(reasoningOf(shown), thoughts);
    assert.ok(thoughts.length > 0);
    assert.ok(
      hidden.every((chunk) => !('usage' in chunk)),
      'no usage key without include_usage',
    );
  });

  it('reports usage like OpenAI: thoughts inside completion_tokens', () => {
    const { chunks } = translate([readFixtureBytes('stream-alt-sse-thinking.txt')], { includeUsage: true });
    assert.deepEqual(chunks.at(-1)?.usage, {
      prompt_tokens: 10,
      completion_tokens: 48 + 540,
      total_tokens: 598,
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 540 },
    });
  });

  for (const name of [
    'stream-alt-sse-function-call-gemini3.txt',
    'stream-alt-sse-thinking-function-call.txt',
  ]) {
    it(`${name}: a tool call with its signature, finish_reason tool_calls, identical at every split`, () => {
      const bytes = readFixtureBytes(name);
      const signature = geminiEvents(name)
        .flatMap((event) => event.candidates?.[0]?.content?.parts ?? [])
        .find((part) => part.thoughtSignature !== undefined)?.thoughtSignature;
      const { chunks } = translate([bytes], { includeUsage: false });
      const calls = chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
      assert.equal(calls.length, 1);
      const call = calls[0];
      const referenceCall = referenceChunks('openai-chat-stream-reference-tool-calls.txt')[0];
      const referenceShape = referenceCall?.choices[0]?.delta.tool_calls?.[0];
      assert.deepEqual(keysOf(call), [...keysOf(referenceShape), 'extra_content'].toSorted());
      assert.equal(call?.index, 0);
      assert.deepEqual(JSON.parse(call?.function.arguments ?? ''), {});
      assert.deepEqual(call?.extra_content, { google: { thought_signature: signature } });
      assert.ok(signature !== undefined && signature.length > 100);
      assert.equal(chunks.at(-1)?.choices[0]?.finish_reason, 'tool_calls');
      for (let cut = 0; cut <= bytes.length; cut += 1) {
        const split = translate([bytes.subarray(0, cut), bytes.subarray(cut)], { includeUsage: false });
        assert.deepEqual(withoutCallIds(split.chunks), withoutCallIds(chunks), `cut at byte ${cut}`);
      }
    });
  }

  it('ends a blocked prompt with content_filter instead of an empty success', () => {
    const { chunks } = translate([readFixtureBytes('stream-alt-sse-prompt-blocked.txt')], {
      includeUsage: false,
    });
    assert.equal(chunks.length, 2);
    assert.equal(chunks[0]?.choices[0]?.delta.role, 'assistant');
    assert.equal(chunks[1]?.choices[0]?.finish_reason, 'content_filter');
  });

  it('sends the image stream’s picture as an image part, not as content, and skips the part-less chunk', () => {
    const { chunks } = translate([readFixtureBytes('stream-alt-sse-image-empty-parts.txt')], {
      includeUsage: false,
    });
    const content = contentOf(chunks);
    assert.equal(content, "Here's a cute cartoon kitten playing with a ball of yarn for you! ");
    const images = chunks.flatMap((chunk) => chunk.choices.flatMap((choice) => choice.delta.images ?? []));
    assert.equal(images.length, 1);
    assert.match(images[0]?.image_url.url ?? '', /^data:image\/png;base64,iVBORw0KGgo/);
  });

  it('sends grounding as url_citation annotations with offsets into the streamed text', () => {
    const grounded = JSON.parse(
      readFixtureBytes('generate-content-response-grounding.json').toString('utf8'),
    );
    const text: string = grounded.candidates[0].content.parts[0].text;
    const translator = new ChatStreamTranslator({ ...options, includeUsage: false });
    const first = { candidates: [{ content: { role: 'model', parts: [{ text: text.slice(0, 40) }] } }] };
    const second = {
      ...grounded,
      candidates: [
        { ...grounded.candidates[0], content: { role: 'model', parts: [{ text: text.slice(40) }] } },
      ],
    };
    const chunks = [...translator.push(first), ...translator.push(second)].flatMap((item) =>
      item.type === 'chunk' ? [item.chunk] : [],
    );
    const annotations = chunks.flatMap((chunk) =>
      chunk.choices.flatMap((choice) => choice.delta.annotations ?? []),
    );
    assert.equal(annotations.length, 3);
    assert.equal(annotations[0]?.url_citation.title, 'accuweather.com');
    const second_ = annotations[1]?.url_citation;
    // "°" is two bytes in UTF-8 but one UTF-16 unit: Gemini's byte offsets are converted.
    assert.equal(
      text.slice(second_?.start_index, second_?.end_index),
      'The temperature is 67°F (19°C), but it feels like 75°F (24°C).',
    );
  });

  it('keeps the first tool call only when parallel tool calls are off', () => {
    const translator = new ChatStreamTranslator({ ...options, includeUsage: false, singleToolCall: true });
    const call = (name: string) => ({ functionCall: { name, args: {} } });
    const items = translator.push({
      candidates: [
        { content: { role: 'model', parts: [call('first'), call('second')] }, finishReason: 'STOP' },
      ],
    });
    const calls = items.flatMap((item) =>
      item.type === 'chunk' ? item.chunk.choices.flatMap((choice) => choice.delta.tool_calls ?? []) : [],
    );
    assert.deepEqual(
      calls.map((toolCall) => toolCall.function.name),
      ['first'],
    );
  });

  it('returns an error marker for an upstream error object mid-stream', () => {
    const translator = new ChatStreamTranslator({ ...options, includeUsage: false });
    const parser = new SseParser();
    const events = [
      ...parser.feed(readFixtureBytes('stream-alt-sse-error-mid-stream-vertex.txt')),
      ...parser.end(),
    ];
    const before = events.flatMap((event) => translator.push(JSON.parse(event.data)));
    assert.ok(before.every((item) => item.type === 'chunk'));
    const [marker] = translator.push(JSON.parse(parser.unframedText));
    assert.deepEqual(marker, {
      type: 'error',
      error: { message: 'The operation was cancelled.', type: 'api_error', param: null, code: 'cancelled' },
    });
    assert.equal(
      marker?.type === 'error' ? toStreamErrorEvent(marker.error) : '',
      `data: ${JSON.stringify({ error: marker?.type === 'error' ? marker.error : null })}\n\n`,
    );
  });
});

describe('stream serialisation', () => {
  it('frames chunks as api.openai.com does and ends with [DONE]', () => {
    const { chunks } = translate([readFixtureBytes('stream-alt-sse.txt')], { includeUsage: true });
    const wire = chunks.map(toStreamEvent).join('') + streamDoneEvent;
    const parser = new SseParser();
    const events = [...parser.feed(Buffer.from(wire)), ...parser.end()];
    assert.equal(events.at(-1)?.data, '[DONE]');
    assert.deepEqual(
      events.slice(0, -1).map((event) => JSON.parse(event.data)),
      chunks,
    );
    assert.ok(wire.endsWith('\n\ndata: [DONE]\n\n'));
  });
});

describe('every recorded stream, split at every byte', () => {
  /** Items and the trailing unframed text, for the bytes fed in the given pieces. */
  function run(pieces: Uint8Array[]) {
    const translator = new ChatStreamTranslator({ ...options, includeUsage: true });
    const parser = new SseParser();
    const items: ChatStreamItem[] = [];
    for (const piece of pieces)
      for (const event of parser.feed(piece)) items.push(...translator.push(JSON.parse(event.data)));
    for (const event of parser.end()) items.push(...translator.push(JSON.parse(event.data)));
    return { items, unframed: parser.unframedText, finish: translator.finish() };
  }

  for (const name of [
    'stream-alt-sse-prompt-blocked.txt',
    'stream-alt-sse-image-empty-parts.txt',
    'stream-alt-sse-error-mid-stream-vertex.txt',
  ]) {
    it(`${name}: the same items and the same trailing text at every split`, () => {
      const bytes = readFixtureBytes(name);
      const whole = run([bytes]);
      assert.ok(whole.items.length + whole.finish.length > 0);
      for (let cut = 1; cut < bytes.length; cut++) {
        assert.deepEqual(run([bytes.subarray(0, cut), bytes.subarray(cut)]), whole, `cut at byte ${cut}`);
      }
    });
  }
});

describe('knowing whether a stream finished', () => {
  it('every recorded stream says how it ended; the same stream without its last event does not', () => {
    for (const name of [
      'stream-alt-sse.txt',
      'stream-alt-sse-basic.txt',
      'stream-alt-sse-thinking.txt',
      'stream-alt-sse-prompt-blocked.txt',
    ]) {
      const events = geminiEvents(name);
      const whole = new ChatStreamTranslator({ ...options, includeUsage: false });
      for (const event of events) whole.push(event);
      assert.equal(whole.complete, true, name);
      const cut = new ChatStreamTranslator({ ...options, includeUsage: false });
      for (const event of events.slice(0, -1)) cut.push(event);
      assert.equal(cut.complete, false, `${name} without its last event`);
    }
  });
});
