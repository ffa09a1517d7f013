import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { AppError } from '../src/errors/app-error.ts';
import { parseResponsesRequest } from '../src/surfaces/responses/schema/request-schema.ts';
import { convertResponsesRequest } from '../src/surfaces/responses/translate/convert-request.ts';
import { encodeSignatures } from '../src/surfaces/responses/translate/thought-signature-envelope.ts';
import { name, schema, text } from './helpers/json-schema-arbitrary.ts';

/*
 * Property: for any schema-valid Responses request, translation either succeeds or refuses with a
 * 400 (never another exception), and the Gemini body is at most a fixed factor larger than the
 * request (plus a small constant): no client input makes us build something disproportionate.
 */

const maximumFactor = 16;
const constantBytes = 16 * 1024 + 4096;

const callId = fc.constantFrom('call_a', 'call_b', 'call_c');

const item = fc.oneof(
  fc.record({ role: fc.constantFrom('system', 'developer', 'user', 'assistant'), content: text }),
  fc.record({
    type: fc.constant('message'),
    role: fc.constant('user'),
    content: fc.array(fc.record({ type: fc.constant('input_text'), text }), { minLength: 1, maxLength: 3 }),
  }),
  fc.record({
    type: fc.constant('function_call'),
    call_id: callId,
    name,
    arguments: fc.dictionary(name, fc.jsonValue({ maxDepth: 2 })).map((value) => JSON.stringify(value)),
  }),
  fc.record({ type: fc.constant('function_call_output'), call_id: callId, output: text }),
  fc.record({
    type: fc.constant('reasoning'),
    summary: fc.array(fc.record({ type: fc.constant('summary_text'), text }), { maxLength: 2 }),
    encrypted_content: fc.oneof(
      text,
      fc
        .record({ callId, signature: name })
        .map((entry) => encodeSignatures('gemini-3-pro-preview', [entry])),
    ),
  }),
  fc.record({ type: fc.constantFrom('web_search_call', 'compaction'), id: name }),
);

const responsesRequest = fc.record(
  {
    model: fc.constantFrom('gemini-2.5-flash', 'models/gemini-2.5-pro', 'gemini-3-pro-preview'),
    input: fc.oneof(text, fc.array(item, { minLength: 1, maxLength: 8 })),
    instructions: text,
    temperature: fc.double({ min: 0, max: 2, noNaN: true }),
    max_output_tokens: fc.integer({ min: 1, max: 100_000 }),
    reasoning: fc.record(
      {
        effort: fc.constantFrom('none', 'minimal', 'low', 'medium', 'high'),
        summary: fc.constantFrom('auto', 'concise', 'detailed'),
      },
      { requiredKeys: [] },
    ),
    tools: fc.array(
      fc.oneof(
        fc.record(
          { type: fc.constant('function'), name, description: text, parameters: schema },
          { requiredKeys: ['type', 'name'] },
        ),
        fc.record({ type: fc.constantFrom('web_search', 'local_shell') }),
      ),
      { maxLength: 4 },
    ),
    tool_choice: fc.constantFrom('none', 'auto', 'required'),
    text: fc.record({
      format: fc.oneof(
        fc.record({ type: fc.constantFrom('text', 'json_object') }),
        fc.record({ type: fc.constant('json_schema'), name, schema }),
      ),
    }),
  },
  { requiredKeys: ['model', 'input'] },
);

test('the Responses translator never throws on schema-valid input and stays within a fixed factor of the request', () => {
  fc.assert(
    fc.property(responsesRequest, (body) => {
      const requestBytes = JSON.stringify(body).length;
      let upstream: string;
      try {
        const parsed = parseResponsesRequest(body);
        const conversation = parsed.input.map((entry, index) => ({ item: entry, param: `input[${index}]` }));
        upstream = JSON.stringify(convertResponsesRequest(parsed, conversation).body);
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
