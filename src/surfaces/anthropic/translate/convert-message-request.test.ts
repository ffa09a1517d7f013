import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { AppError } from '../../../errors/app-error.ts';
import { ModelResolver } from '../../../translate/model-aliases.ts';
import { restoreSignatures } from '../../../translate/thought-signatures.ts';
import { parseMessageRequest } from '../schema/message-request-schema.ts';
import { convertMessageRequest } from './convert-message-request.ts';
import { convertMessageResponse } from './convert-message-response.ts';

const resolver = new ModelResolver();
const pixel = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';
const fixtures = new URL('../../../../test/fixtures/gemini/', import.meta.url);

function convert(body: Record<string, unknown>, model = 'gemini-2.5-pro') {
  return convertMessageRequest(
    parseMessageRequest({ model, max_tokens: 1024, ...body }),
    resolver.resolve(model),
  );
}

/** A tool as Claude Code declares it: zod-generated JSON Schema with the keywords Gemini refuses. */
const readTool = {
  name: 'Read',
  description: 'Reads a file',
  input_schema: {
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    properties: {
      file_path: { type: 'string', description: 'Absolute path' },
      offset: { type: 'number', exclusiveMinimum: 0 },
      limit: { type: ['integer', 'null'], exclusiveMaximum: 2000 },
      tags: {
        type: 'object',
        propertyNames: { pattern: '^[a-z]+$' },
        additionalProperties: { type: 'string' },
      },
    },
    required: ['file_path'],
    additionalProperties: false,
  },
  cache_control: { type: 'ephemeral' },
  defer_loading: true,
};

describe('convertMessageRequest', () => {
  test('system blocks, settings, and fields Gemini does not know are dropped', () => {
    const { body } = convert({
      system: [{ type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: 'hi' }],
      temperature: 0.5,
      top_p: 0.9,
      top_k: 40,
      stop_sequences: ['END'],
      metadata: { user_id: 'someone' },
      context_management: { edits: [] },
    });
    assert.deepEqual(body, {
      contents: [{ role: 'user', parts: [{ text: 'hi' }] }],
      systemInstruction: { parts: [{ text: 'You are Claude Code.' }] },
      generationConfig: {
        maxOutputTokens: 1024,
        stopSequences: ['END'],
        temperature: 0.5,
        topP: 0.9,
        topK: 40,
      },
    });
  });

  test("Claude Code's tool schemas are cleaned: no $schema, propertyNames, exclusive bounds, defer_loading", () => {
    const { body } = convert({ messages: [{ role: 'user', content: 'read it' }], tools: [readTool] });
    assert.deepEqual(body.tools, [
      {
        functionDeclarations: [
          {
            name: 'Read',
            description: 'Reads a file',
            parameters: {
              type: 'object',
              properties: {
                file_path: { type: 'string', description: 'Absolute path' },
                offset: { type: 'number' },
                limit: { type: 'integer', nullable: true },
                tags: { type: 'object' },
              },
              required: ['file_path'],
            },
          },
        ],
      },
    ]);
    assert.doesNotMatch(
      JSON.stringify(body),
      /\$schema|propertyNames|exclusiveM|defer_loading|cache_control|additionalProperties/,
    );
  });

  test('tool_choice and server tools: web_search becomes googleSearch', () => {
    const { body } = convert({
      messages: [{ role: 'user', content: 'search' }],
      tools: [readTool, { type: 'web_search_20250305', name: 'web_search', max_uses: 5 }],
      tool_choice: { type: 'tool', name: 'Read', disable_parallel_tool_use: true },
    });
    assert.deepEqual(body.tools?.[1], { googleSearch: {} });
    assert.deepEqual(body.toolConfig, {
      functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['Read'] },
    });
    assert.throws(
      () =>
        convert({
          messages: [{ role: 'user', content: 'x' }],
          tools: [{ type: 'bash_20250124', name: 'bash' }],
        }),
      (error: unknown) => error instanceof AppError && error.status === 400 && error.param === 'tools.0.type',
    );
  });

  test('thinking: a budget on 2.5, a level on Gemini 3, thoughts shown', () => {
    const thinking = { type: 'enabled', budget_tokens: 8000 };
    const messages = [{ role: 'user', content: 'think' }];
    assert.deepEqual(convert({ messages, thinking }).body.generationConfig?.thinkingConfig, {
      thinkingBudget: 8000,
      includeThoughts: true,
    });
    assert.deepEqual(
      convert({ messages, thinking }, 'gemini-3-pro-preview').body.generationConfig?.thinkingConfig,
      {
        thinkingLevel: 'high',
        includeThoughts: true,
      },
    );
    assert.deepEqual(
      convert({ messages, thinking: { type: 'adaptive' } }).body.generationConfig?.thinkingConfig,
      {
        includeThoughts: true,
      },
    );
    assert.deepEqual(
      convert({ messages, thinking: { type: 'disabled' } }, 'gemini-2.5-flash').body.generationConfig
        ?.thinkingConfig,
      { thinkingBudget: 0 },
    );
  });

  test('a tool loop: signature back on the functionCall, tool result with an image, turns merged, empty text skipped', () => {
    const recorded = JSON.parse(
      readFileSync(new URL('generate-content-response-thinking-function-call.json', fixtures), 'utf8'),
    );
    const answer = convertMessageResponse(recorded, {
      id: 'msg_1',
      model: 'gemini-2.5-pro',
      newToolUseId: () => 'toolu_1',
    });
    assert.ok('message' in answer);
    const signature = /"thoughtSignature": "([^"]+)"/.exec(JSON.stringify(recorded, null, 1))?.[1];
    assert.deepEqual(
      answer.message.content.map((block) => block.type),
      ['thinking', 'tool_use'],
    );
    assert.deepEqual(answer.signatures, [{ id: 'toolu_1', signature }]);
    const { body, unsigned } = convert({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: '' },
            { type: 'text', text: 'Days until New Year?' },
          ],
        },
        { role: 'user', content: 'Please.' },
        { role: 'assistant', content: answer.message.content },
        {
          role: 'user',
          content: [
            {
              type: 'tool_result',
              tool_use_id: 'toolu_1',
              content: [
                { type: 'text', text: '2026-11-26' },
                { type: 'image', source: { type: 'base64', media_type: 'image/png', data: pixel } },
              ],
            },
          ],
        },
      ],
    });
    assert.deepEqual(unsigned, []);
    assert.deepEqual(body.contents, [
      { role: 'user', parts: [{ text: 'Days until New Year?' }, { text: 'Please.' }] },
      { role: 'model', parts: [{ functionCall: { name: 'now', args: {} }, thoughtSignature: signature }] },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'now', response: { output: '2026-11-26' } } },
          { inlineData: { mimeType: 'image/png', data: pixel } },
        ],
      },
    ]);
  });

  test('a tool_use sent back without its thinking block is listed for the store, then gets its signature', () => {
    const converted = convert(
      {
        messages: [
          { role: 'user', content: 'Which country?' },
          {
            role: 'assistant',
            content: [{ type: 'tool_use', id: 'toolu_9', name: 'get_country', input: {} }],
          },
          {
            role: 'user',
            content: [{ type: 'tool_result', tool_use_id: 'toolu_9', content: 'Mexico', is_error: true }],
          },
        ],
      },
      'gemini-3-pro-preview',
    );
    assert.deepEqual(converted.unsigned, [{ content: 1, part: 0, id: 'toolu_9' }]);
    assert.deepEqual(converted.body.contents[2]?.parts[0], {
      functionResponse: { name: 'get_country', response: { error: 'Mexico' } },
    });
    const restored = restoreSignatures(
      converted.body.contents,
      converted.unsigned,
      new Map([['toolu_9', 'sig']]),
      'gemini-3-pro-preview',
    );
    assert.deepEqual(restored[1]?.parts[0], {
      functionCall: { name: 'get_country', args: {} },
      thoughtSignature: 'sig',
    });
  });

  test('documents: PDF as inline data, plain text as text; a tool_result for an unknown id is a 400', () => {
    const { body } = convert({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' } },
            { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'notes' } },
            { type: 'redacted_thinking', data: 'opaque' },
          ],
        },
      ],
    });
    assert.deepEqual(body.contents[0]?.parts, [
      { inlineData: { mimeType: 'application/pdf', data: 'JVBERi0=' } },
      { text: 'notes' },
    ]);
    assert.throws(
      () =>
        convert({
          messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'nope', content: 'x' }] }],
        }),
      (error: unknown) => error instanceof AppError && error.status === 400,
    );
  });

  test('a malformed request is a 400 naming the field', () => {
    assert.throws(
      () =>
        parseMessageRequest({
          model: 'x',
          messages: [{ role: 'user', content: [{ type: 'tool_use', id: 'a' }] }],
          max_tokens: 5,
        }),
      (error: unknown) =>
        error instanceof AppError && error.status === 400 && /messages\.0\.content/.test(error.message),
    );
    assert.throws(
      () => parseMessageRequest({ model: 'x', messages: [] }),
      (error: unknown) => error instanceof AppError && error.message === 'max_tokens: Field required',
    );
  });

  test("Claude Code's own shapes: system turns join the system instruction, effort sets adaptive thinking", () => {
    const { body } = convert(
      {
        system: [{ type: 'text', text: 'You are Claude Code.' }],
        messages: [
          { role: 'user', content: 'hi' },
          { role: 'system', content: [{ type: 'text', text: '# Environment' }] },
        ],
        thinking: { type: 'adaptive', display: 'omitted' },
        output_config: { effort: 'high' },
        context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] },
      },
      'gemini-3-pro-preview',
    );
    assert.deepEqual(body.systemInstruction, {
      parts: [{ text: 'You are Claude Code.' }, { text: '# Environment' }],
    });
    assert.deepEqual(body.contents, [{ role: 'user', parts: [{ text: 'hi' }] }]);
    assert.deepEqual(body.generationConfig?.thinkingConfig, { thinkingLevel: 'high' });
  });
});
