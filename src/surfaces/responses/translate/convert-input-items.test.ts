import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bypassSignature, restoreSignatures } from '../../../translate/thought-signatures.ts';
import { parseResponsesRequest } from '../schema/request-schema.ts';
import { convertInputItems } from './convert-input-items.ts';
import { encodeSignatures } from './thought-signature-envelope.ts';

/** Converted, then unsigned calls restored as the route does when the signature store knows none. */
function convert(input: unknown[], model = 'gemini-3-pro-preview') {
  const request = parseResponsesRequest({ model, input });
  const converted = convertInputItems(
    request.input.map((item, index) => ({ item, param: `input[${index}]` })),
    model,
    new Map(),
  );
  return {
    ...converted,
    contents: restoreSignatures(converted.contents, converted.unsigned, new Map(), model),
  };
}

const call = (id: string, city: string) => ({
  type: 'function_call',
  call_id: id,
  name: 'weather',
  arguments: JSON.stringify({ city }),
});

describe('convertInputItems', () => {
  test('groups items into turns: system instruction, model turn of calls, one user turn of results', () => {
    const converted = convert([
      { role: 'developer', content: 'Be brief.' },
      { role: 'user', content: [{ type: 'input_text', text: 'Weather?' }] },
      {
        type: 'reasoning',
        id: 'rs_1',
        summary: [],
        encrypted_content: encodeSignatures('gemini-3-pro-preview', [
          { callId: 'call_a', signature: 'sig-a' },
        ]),
      },
      call('call_a', 'Paris'),
      call('call_b', 'Lyon'),
      { type: 'function_call_output', call_id: 'call_a', output: '{"sky":"sun"}' },
      { type: 'function_call_output', call_id: 'call_b', output: 'rain' },
      { type: 'web_search_call', id: 'ws_1', status: 'completed' },
    ]);
    assert.deepEqual(converted.systemInstruction, { parts: [{ text: 'Be brief.' }] });
    assert.deepEqual(converted.contents, [
      { role: 'user', parts: [{ text: 'Weather?' }] },
      {
        role: 'model',
        parts: [
          { functionCall: { name: 'weather', args: { city: 'Paris' } }, thoughtSignature: 'sig-a' },
          { functionCall: { name: 'weather', args: { city: 'Lyon' } } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'weather', response: { sky: 'sun' } } },
          { functionResponse: { name: 'weather', response: { result: 'rain' } } },
        ],
      },
    ]);
  });

  test('a signature minted by another model is dropped: the call is unsigned, and gets the bypass value', () => {
    const { contents, unsigned } = convert([
      { role: 'user', content: 'Weather?' },
      {
        type: 'reasoning',
        id: 'rs_1',
        summary: [],
        encrypted_content: encodeSignatures('gemini-2.5-pro', [{ callId: 'call_a', signature: 'sig-a' }]),
      },
      call('call_a', 'Paris'),
      { type: 'function_call_output', call_id: 'call_a', output: 'sun' },
    ]);
    assert.deepEqual(unsigned, [{ content: 1, part: 0, id: 'call_a' }]);
    const part = contents[1]?.parts[0];
    assert.ok(part !== undefined && 'functionCall' in part);
    assert.equal(part.thoughtSignature, bypassSignature);
  });

  test('models before Gemini 3 get no bypass value; a text signature goes back on the text', () => {
    const { contents } = convert(
      [
        { role: 'user', content: 'Hi' },
        {
          type: 'reasoning',
          id: 'rs_1',
          summary: [],
          encrypted_content: encodeSignatures('gemini-2.5-flash', [{ signature: 'sig-text' }]),
        },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hello.' }] },
        call('call_a', 'Rome'),
        { type: 'function_call_output', call_id: 'call_a', output: 'warm' },
      ],
      'gemini-2.5-flash',
    );
    assert.deepEqual(contents[1], {
      role: 'model',
      parts: [
        { text: 'Hello.', thoughtSignature: 'sig-text' },
        { functionCall: { name: 'weather', args: { city: 'Rome' } } },
      ],
    });
  });
});
