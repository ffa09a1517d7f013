import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { AppError } from '../src/errors/app-error.ts';
import { parseMessageRequest } from '../src/surfaces/anthropic/schema/message-request-schema.ts';
import { convertMessageRequest } from '../src/surfaces/anthropic/translate/convert-message-request.ts';
import { ModelResolver } from '../src/translate/model-aliases.ts';
import { name, schema, text } from './helpers/json-schema-arbitrary.ts';

/*
 * Property: for any schema-valid Anthropic Messages request, translation succeeds or is a 400, and
 * the Gemini body is at most a fixed factor larger than the request (plus a small constant).
 */

const maximumFactor = 16;
const constantBytes = 16 * 1024 + 4096;
const resolver = new ModelResolver();

const block = fc.oneof(
  fc.record({ type: fc.constant('text'), text }),
  fc.record({ type: fc.constant('thinking'), thinking: text, signature: text }),
  fc.record({
    type: fc.constant('tool_use'),
    id: name,
    name,
    input: fc.dictionary(name, fc.jsonValue({ maxDepth: 2 })),
  }),
  fc.record({
    type: fc.constant('tool_result'),
    tool_use_id: name,
    content: fc.oneof(text, fc.array(fc.record({ type: fc.constant('text'), text }), { maxLength: 2 })),
    is_error: fc.boolean(),
  }),
  fc.record({ type: fc.constant('redacted_thinking'), data: text }),
);

const message = fc.record({
  role: fc.constantFrom('user', 'assistant'),
  content: fc.oneof(text, fc.array(block, { minLength: 1, maxLength: 4 })),
});

const messageRequest = fc.record(
  {
    model: fc.constantFrom('gemini-2.5-flash', 'gemini-2.5-pro', 'claude-sonnet-4-5'),
    max_tokens: fc.integer({ min: 1, max: 64_000 }),
    messages: fc.array(message, { minLength: 1, maxLength: 6 }),
    system: fc.oneof(text, fc.array(fc.record({ type: fc.constant('text'), text }), { maxLength: 2 })),
    tools: fc.array(
      fc.oneof(
        fc.record(
          { name, description: text, input_schema: schema },
          { requiredKeys: ['name', 'input_schema'] },
        ),
        fc.record({ type: fc.constantFrom('web_search_20250305', 'code_execution_20250522'), name }),
      ),
      { maxLength: 4 },
    ),
    tool_choice: fc.oneof(
      fc.record({ type: fc.constantFrom('auto', 'any', 'none') }),
      fc.record({ type: fc.constant('tool'), name }),
    ),
    thinking: fc.oneof(
      fc.record({ type: fc.constant('enabled'), budget_tokens: fc.integer({ min: 0, max: 32_000 }) }),
      fc.record({ type: fc.constant('disabled') }),
    ),
    temperature: fc.double({ min: 0, max: 1, noNaN: true }),
    stop_sequences: fc.array(text, { maxLength: 3 }),
    stream: fc.boolean(),
  },
  { requiredKeys: ['model', 'max_tokens', 'messages'] },
);

test('the Anthropic translator never throws on schema-valid input and stays within a fixed factor of the request', () => {
  fc.assert(
    fc.property(messageRequest, (body) => {
      const requestBytes = JSON.stringify(body).length;
      const parsed = parseMessageRequest(body);
      let upstream: string;
      try {
        upstream = JSON.stringify(convertMessageRequest(parsed, resolver.resolve(parsed.model)).body);
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
