import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readFixtureBytes } from '../../../../test/helpers/read-fixture.ts';
import { SseParser } from '../../../gemini/sse-parser.ts';
import { parseResponsesRequest } from '../schema/request-schema.ts';
import type { StreamEvent } from '../schema/response-types.ts';
import { convertInputItems } from './convert-input-items.ts';
import { outputToInput } from './output-to-input.ts';
import { responseShell } from './response-shell.ts';
import { ResponseStreamTranslator } from './response-stream-translator.ts';
import { decodeSignatures } from './thought-signature-envelope.ts';

const responseId = `resp_${'a'.repeat(32)}`;

function translate(fixture: string, includeSummary: boolean) {
  const request = parseResponsesRequest({ model: 'gemini-2.5-flash', input: 'Days until New Year?' });
  const translator = new ResponseStreamTranslator(
    responseShell(request, { id: responseId, createdAt: 1, store: true }),
    { model: 'gemini-2.5-flash', includeSummary },
  );
  const events: StreamEvent[] = [...translator.start()];
  const parser = new SseParser();
  for (const event of [...parser.feed(readFixtureBytes(fixture)), ...parser.end()]) {
    const pushed = translator.push(JSON.parse(event.data));
    assert.equal(pushed.error, undefined);
    events.push(...pushed.events);
  }
  assert.ok(translator.complete);
  events.push(...translator.finish());
  return { events, response: translator.response };
}

describe('ResponseStreamTranslator on recorded Gemini streams', () => {
  test('thoughts, then a signed function call: a reasoning item carrying the signature, then the call', () => {
    const { events, response } = translate('stream-alt-sse-thinking-function-call.txt', true);
    assert.deepEqual(
      response.output.map((item) => item.type),
      ['reasoning', 'function_call'],
    );
    const [reasoning, call] = response.output;
    assert.ok(reasoning?.type === 'reasoning' && call?.type === 'function_call');
    assert.match(reasoning.summary[0]?.text ?? '', /^\*\*Calculating the Days\*\*/);
    assert.match(reasoning.summary[0]?.text ?? '', /\*\*Determining the Approach\*\*/);
    const recorded = /"thoughtSignature": "([^"]+)"/.exec(
      readFixtureBytes('stream-alt-sse-thinking-function-call.txt').toString('utf8'),
    )?.[1];
    assert.deepEqual(decodeSignatures(reasoning.encrypted_content, 'gemini-2.5-flash'), [
      { callId: call.call_id, signature: recorded },
    ]);
    assert.equal(call.name, 'now');
    assert.equal(call.arguments, '{}');
    assert.equal(response.status, 'completed');
    assert.deepEqual(response.usage, {
      input_tokens: 38,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: 174,
      output_tokens_details: { reasoning_tokens: 168 },
      total_tokens: 212,
    });
    assert.deepEqual(
      events.map((event) => event.sequence_number),
      events.map((_event, index) => index),
    );
    assert.deepEqual(
      events.map((event) => event.type),
      [
        'response.created',
        'response.in_progress',
        'response.output_item.added',
        'response.reasoning_summary_part.added',
        'response.reasoning_summary_text.delta',
        'response.reasoning_summary_text.delta',
        'response.reasoning_summary_text.done',
        'response.reasoning_summary_part.done',
        'response.output_item.done',
        'response.output_item.added',
        'response.function_call_arguments.delta',
        'response.function_call_arguments.done',
        'response.output_item.done',
        'response.completed',
      ],
    );
  });

  test('without summaries asked for, the signature still travels in a reasoning item', () => {
    const { response } = translate('stream-alt-sse-thinking-function-call.txt', false);
    const [reasoning, call] = response.output;
    assert.ok(reasoning?.type === 'reasoning' && call?.type === 'function_call');
    assert.deepEqual(reasoning.summary, []);
    assert.equal(decodeSignatures(reasoning.encrypted_content, 'gemini-2.5-flash')[0]?.callId, call.call_id);
  });

  test('the items sent back become the model turn Gemini minted, signature on its function call', () => {
    const { response } = translate('stream-alt-sse-thinking-function-call.txt', true);
    const items = response.output.map((item, index) => ({
      item: outputToInput(item),
      param: `input[${index}]`,
    }));
    const { contents } = convertInputItems(items, 'gemini-2.5-flash', new Map());
    const recorded = /"thoughtSignature": "([^"]+)"/.exec(
      readFixtureBytes('stream-alt-sse-thinking-function-call.txt').toString('utf8'),
    )?.[1];
    assert.deepEqual(contents, [
      { role: 'model', parts: [{ functionCall: { name: 'now', args: {} }, thoughtSignature: recorded }] },
    ]);
  });

  test('a text answer streams as one message', () => {
    const { response, events } = translate('stream-alt-sse.txt', false);
    assert.deepEqual(
      response.output.map((item) => item.type),
      ['message'],
    );
    const message = response.output[0];
    assert.ok(message?.type === 'message');
    assert.equal(message.content[0]?.text, 'The capital of Mexico is Mexico City.');
    const deltas = events.filter((event) => event.type === 'response.output_text.delta');
    assert.ok(deltas.length >= 1);
  });

  test('a generated image becomes an image_generation_call item after the text, and goes back as inlineData', () => {
    const { response } = translate('stream-alt-sse-image-empty-parts.txt', false);
    assert.deepEqual(
      response.output.map((item) => item.type),
      ['message', 'image_generation_call'],
    );
    const [message, image] = response.output;
    assert.ok(message?.type === 'message' && image?.type === 'image_generation_call');
    assert.equal(
      message.content[0]?.text,
      "Here's a cute cartoon kitten playing with a ball of yarn for you! ",
    );
    assert.equal(image.output_format, 'png');
    assert.match(image.result, /^iVBORw0KGgo/);
    const { contents } = convertInputItems(
      response.output.map((item) => ({ item: outputToInput(item), param: 'input' })),
      'gemini-2.5-flash-image',
      new Map(),
    );
    assert.deepEqual(contents[0]?.parts[1], { inlineData: { mimeType: 'image/png', data: image.result } });
  });

  test('a call to a function of a namespace tool names its namespace', () => {
    const request = parseResponsesRequest({ model: 'gemini-3-pro-preview', input: 'hi' });
    const translator = new ResponseStreamTranslator(
      responseShell(request, { id: responseId, createdAt: 1, store: false }),
      {
        model: 'gemini-3-pro-preview',
        includeSummary: false,
        namespaces: new Map([['spawn_agent', 'multi_agent_v1']]),
      },
    );
    translator.push({
      candidates: [
        { content: { parts: [{ functionCall: { name: 'spawn_agent', args: {} } }] }, finishReason: 'STOP' },
      ],
    });
    translator.finish();
    const [call] = translator.response.output;
    assert.ok(call?.type === 'function_call');
    assert.equal(call.namespace, 'multi_agent_v1');
  });

  test('MAX_TOKENS ends incomplete, an upstream error chunk is reported', () => {
    const request = parseResponsesRequest({ model: 'gemini-2.5-flash', input: 'hi' });
    const translator = new ResponseStreamTranslator(
      responseShell(request, { id: responseId, createdAt: 1, store: false }),
      { model: 'gemini-2.5-flash', includeSummary: false },
    );
    translator.push({ candidates: [{ content: { parts: [{ text: 'Cut' }] }, finishReason: 'MAX_TOKENS' }] });
    assert.equal(translator.finish().at(-1)?.type, 'response.incomplete');
    assert.deepEqual(translator.response.incomplete_details, { reason: 'max_output_tokens' });
    const failed = translator.push({ error: { code: 503, message: 'Overloaded', status: 'UNAVAILABLE' } });
    assert.deepEqual(failed.error, { code: 'unavailable', message: 'Overloaded' });
  });
});
