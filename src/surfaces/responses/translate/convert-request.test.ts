import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppError } from '../../../errors/app-error.ts';
import { parseResponsesRequest } from '../schema/request-schema.ts';
import { convertResponsesRequest } from './convert-request.ts';

function convert(body: Record<string, unknown>) {
  const request = parseResponsesRequest({ input: 'Hi', ...body });
  return convertResponsesRequest(
    request,
    request.input.map((item, index) => ({ item, param: `input[${index}]` })),
  );
}

const weather = {
  type: 'function',
  name: 'weather',
  parameters: {
    type: 'object',
    properties: { city: { type: ['string', 'null'] } },
    additionalProperties: false,
  },
};

describe('convertResponsesRequest', () => {
  test('only what the client sent: no generation config, tools or system instruction of our own', () => {
    assert.deepEqual(convert({ model: 'models/gemini-2.5-flash' }), {
      model: 'gemini-2.5-flash',
      body: { contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] },
      includeSummary: false,
      namespaces: new Map(),
      unsigned: [],
    });
  });

  test('settings, instructions before system messages, json_object, reasoning', () => {
    const { body, includeSummary } = convert({
      model: 'gemini-3-flash-preview',
      instructions: 'First.',
      input: [
        { role: 'system', content: 'Second.' },
        { role: 'user', content: 'Hi' },
      ],
      temperature: 0.2,
      top_p: 0.9,
      max_output_tokens: 100,
      text: { format: { type: 'json_object' } },
      reasoning: { effort: 'high', summary: 'detailed' },
    });
    assert.deepEqual(body.systemInstruction, { parts: [{ text: 'First.' }, { text: 'Second.' }] });
    assert.deepEqual(body.generationConfig, {
      temperature: 0.2,
      topP: 0.9,
      maxOutputTokens: 100,
      responseMimeType: 'application/json',
      thinkingConfig: { thinkingLevel: 'high', includeThoughts: true },
    });
    assert.equal(includeSummary, true);
  });

  test('functions are cleaned for Gemini; tool_choice becomes a function-calling mode', () => {
    const cases: Array<[unknown, unknown]> = [
      ['none', { functionCallingConfig: { mode: 'NONE' } }],
      ['required', { functionCallingConfig: { mode: 'ANY' } }],
      [
        { type: 'function', name: 'weather' },
        { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['weather'] } },
      ],
      [
        { type: 'allowed_tools', mode: 'auto', tools: [{ type: 'function', name: 'weather' }] },
        { functionCallingConfig: { mode: 'AUTO', allowedFunctionNames: ['weather'] } },
      ],
    ];
    for (const [choice, expected] of cases) {
      const { body } = convert({ model: 'gemini-2.5-flash', tools: [weather], tool_choice: choice });
      assert.deepEqual(body.toolConfig, expected);
      assert.deepEqual(body.tools, [
        {
          functionDeclarations: [
            {
              name: 'weather',
              parameters: { type: 'object', properties: { city: { type: 'string', nullable: true } } },
            },
          ],
        },
      ]);
    }
  });

  test('web search is Google Search; beside functions (as Codex sends it) the functions win', () => {
    const search = { type: 'web_search' };
    assert.deepEqual(convert({ model: 'gemini-3-pro-preview', tools: [search] }).body.tools, [
      { googleSearch: {} },
    ]);
    const both = convert({ model: 'gemini-3-pro-preview', tools: [weather, search] }).body.tools;
    assert.deepEqual(
      both?.map((tool) => Object.keys(tool)[0]),
      ['functionDeclarations'],
    );
  });

  test('schemas share one budget: $defs that double per level are a 400, not a huge request', () => {
    const defs: Record<string, unknown> = { d0: { type: 'string' } };
    for (let level = 1; level <= 26; level++)
      defs[`d${level}`] = {
        type: 'object',
        properties: { a: { $ref: `#/$defs/d${level - 1}` }, b: { $ref: `#/$defs/d${level - 1}` } },
      };
    const tool = { type: 'function', name: 'deep', parameters: { $ref: '#/$defs/d26', $defs: defs } };
    assert.throws(
      () => convert({ model: 'gemini-2.5-flash', tools: [tool] }),
      (error: unknown) => error instanceof AppError && error.status === 400,
    );
  });
});
