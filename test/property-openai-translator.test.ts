import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { AppError } from '../src/errors/app-error.ts';
import { parseChatRequest } from '../src/surfaces/openai/schema/chat-request-schema.ts';
import { convertChatRequest } from '../src/surfaces/openai/translate/convert-chat-request.ts';
import { name, schema, text } from './helpers/json-schema-arbitrary.ts';

/*
 * Property: for any schema-valid OpenAI chat request, translation either succeeds or refuses with a
 * 400 (never another exception), and the Gemini body is at most a fixed factor larger than the
 * request (plus a small constant): no client input makes us build something disproportionate.
 */

const maximumFactor = 16;
const constantBytes = 16 * 1024 + 4096;

const toolCall = fc.record({
  id: name,
  type: fc.constant('function'),
  function: fc.record({
    name,
    arguments: fc.dictionary(name, fc.jsonValue({ maxDepth: 2 })).map((value) => JSON.stringify(value)),
  }),
});

const message = fc.oneof(
  fc.record({ role: fc.constantFrom('system', 'developer'), content: text }),
  fc.record({
    role: fc.constant('user'),
    content: fc.oneof(
      text,
      fc.array(fc.record({ type: fc.constant('text'), text }), { minLength: 1, maxLength: 3 }),
    ),
  }),
  fc.record(
    {
      role: fc.constant('assistant'),
      content: fc.option(text, { nil: null }),
      tool_calls: fc.array(toolCall, { maxLength: 2 }),
    },
    { requiredKeys: ['role', 'content'] },
  ),
  fc.record({ role: fc.constant('tool'), content: text, tool_call_id: name }),
);

const chatRequest = fc.record(
  {
    model: fc.constantFrom('gemini-2.5-flash', 'models/gemini-2.5-pro', 'gemini-3-pro-preview'),
    messages: fc.array(message, { minLength: 1, maxLength: 6 }),
    temperature: fc.double({ min: 0, max: 2, noNaN: true }),
    max_tokens: fc.integer({ min: 1, max: 100_000 }),
    stream: fc.boolean(),
    reasoning_effort: fc.constantFrom('none', 'minimal', 'low', 'medium', 'high'),
    tools: fc.array(
      fc.record({
        type: fc.constant('function'),
        function: fc.record({ name, description: text, parameters: schema }, { requiredKeys: ['name'] }),
      }),
      { maxLength: 4 },
    ),
    tool_choice: fc.constantFrom('none', 'auto', 'required'),
    response_format: fc.oneof(
      fc.record({ type: fc.constantFrom('text', 'json_object') }),
      fc.record({ type: fc.constant('json_schema'), json_schema: fc.record({ name, schema }) }),
    ),
    google: fc.record(
      {
        thinking_config: fc.record({
          include_thoughts: fc.boolean(),
          thinking_budget: fc.integer({ min: 0, max: 4096 }),
        }),
        safety_settings: fc.array(fc.record({ category: text, threshold: text }), { maxLength: 3 }),
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: ['model', 'messages'] },
);

test('the OpenAI translator never throws on schema-valid input and stays within a fixed factor of the request', () => {
  fc.assert(
    fc.property(chatRequest, (body) => {
      const requestBytes = JSON.stringify(body).length;
      const parsed = parseChatRequest(body);
      let upstream: string;
      try {
        upstream = JSON.stringify(convertChatRequest(parsed).body);
      } catch (error) {
        assert.ok(error instanceof AppError && error.status === 400, String(error));
        return;
      }
      assert.ok(
        upstream.length <= maximumFactor * requestBytes + constantBytes,
        `${requestBytes} bytes became ${upstream.length}`,
      );
    }),
    { numRuns: 300, seed: 20261201 },
  );
});
