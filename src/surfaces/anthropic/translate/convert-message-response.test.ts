import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { convertMessageResponse } from './convert-message-response.ts';

const fixtures = new URL('../../../../test/fixtures/gemini/', import.meta.url);
const recorded = (name: string): unknown => JSON.parse(readFileSync(new URL(name, fixtures), 'utf8'));
const options = { id: 'msg_test', model: 'claude-sonnet-4-5', newToolUseId: () => 'toolu_test' };

function message(name: string) {
  const converted = convertMessageResponse(recorded(name), options);
  assert.ok('message' in converted, `${name} converts`);
  return converted.message;
}

describe('convertMessageResponse on recorded generateContent answers', () => {
  test('a plain answer: one text block, end_turn, usage, the requested model', () => {
    const answer = message('generate-content-response.json');
    assert.equal(answer.id, 'msg_test');
    assert.equal(answer.model, 'claude-sonnet-4-5');
    assert.equal(answer.content.length, 1);
    assert.equal(answer.content[0]?.type, 'text');
    assert.equal(answer.stop_reason, 'end_turn');
    assert.equal(answer.stop_sequence, null);
    assert.ok(answer.usage.input_tokens > 0 && answer.usage.output_tokens > 0);
  });

  test('a grounded answer keeps its text and counts', () => {
    const answer = message('generate-content-response-grounding.json');
    assert.equal(answer.content[0]?.type, 'text');
    assert.deepEqual(answer.usage, {
      input_tokens: 8,
      output_tokens: 60,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    });
  });

  test('a SAFETY finish and a blocked prompt are refusals; usage is still there', () => {
    assert.equal(message('generate-content-response-finish-safety.json').stop_reason, 'refusal');
    const blocked = message('generate-content-response-prompt-blocked-vertex.json');
    assert.equal(blocked.stop_reason, 'refusal');
    assert.deepEqual(blocked.content, []);
    assert.equal(blocked.usage.output_tokens, 0);
  });

  test('thinking with a tool call: the signature is on the thinking block and listed for the store', () => {
    const converted = convertMessageResponse(
      recorded('generate-content-response-thinking-function-call.json'),
      options,
    );
    assert.ok('message' in converted);
    const [thinking, toolUse] = converted.message.content;
    assert.ok(thinking?.type === 'thinking' && thinking.thinking.startsWith('**Thinking Through'));
    assert.deepEqual(toolUse, { type: 'tool_use', id: 'toolu_test', name: 'now', input: {} });
    assert.equal(converted.message.stop_reason, 'tool_use');
    assert.deepEqual(converted.signatures, [{ id: 'toolu_test', signature: thinking.signature }]);
    assert.equal(converted.message.usage.output_tokens, 8 + 501);
  });

  test('an error body is an error, not an empty message', () => {
    const converted = convertMessageResponse(recorded('error-500-internal.json'), options);
    assert.ok('error' in converted);
    assert.equal(converted.error.error.type, 'api_error');
  });
});
