import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppError } from '../../../errors/app-error.ts';
import { parseResponsesRequest } from './request-schema.ts';

describe('parseResponsesRequest', () => {
  test('a string input is one user message', () => {
    assert.deepEqual(parseResponsesRequest({ model: 'm', input: 'Hi' }).input, [
      { kind: 'message', role: 'user', content: 'Hi' },
    ]);
  });

  test("Codex's namespace tools are opened into functions; tools Gemini cannot serve are left out", () => {
    const request = parseResponsesRequest({
      model: 'm',
      tools: [
        { type: 'function', name: 'exec_command', parameters: { type: 'object' } },
        {
          type: 'namespace',
          name: 'multi_agent_v1',
          description: 'Sub-agents',
          tools: [{ type: 'function', name: 'spawn_agent', strict: false, parameters: { type: 'object' } }],
        },
        { type: 'local_shell' },
        { type: 'custom', name: 'apply_patch', format: { type: 'grammar' } },
        { type: 'web_search', external_web_access: true },
      ],
    });
    assert.deepEqual(
      request.tools.map((tool) =>
        tool.kind === 'function' ? `${tool.namespace ?? ''}/${tool.tool.name}` : tool.kind,
      ),
      ['/exec_command', 'multi_agent_v1/spawn_agent', 'web_search'],
    );
  });

  test('items are read by type, by role, or as a bare reference; unknown item types are kept as other', () => {
    const request = parseResponsesRequest({
      model: 'm',
      input: [
        { role: 'user', content: [{ type: 'input_text', text: 'Hi' }] },
        { id: 'rs_1' },
        { type: 'web_search_call', id: 'ws_1', status: 'completed' },
      ],
    });
    assert.deepEqual(
      request.input.map((item) => item.kind),
      ['message', 'item_reference', 'other'],
    );
  });

  test('a bad field is a 400 naming it, in OpenAI notation', () => {
    assert.throws(
      () =>
        parseResponsesRequest({ model: 'm', input: [{ role: 'user', content: [{ type: 'input_text' }] }] }),
      (error: unknown) =>
        error instanceof AppError && error.param === 'input[0].content[0].text' && error.status === 400,
    );
    assert.throws(
      () => parseResponsesRequest({ model: 'm', input: [42] }),
      (error: unknown) => error instanceof AppError && error.param === 'input[0]',
    );
  });
});
