import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mapReasoningEffort } from '../../../translate/map-reasoning-effort.ts';
import { parseChatRequest } from '../schema/chat-request-schema.ts';
import { convertChatRequest } from './convert-chat-request.ts';

describe('mapReasoningEffort', () => {
  it('gives Gemini 2.5 a thinking budget', () => {
    assert.deepEqual(mapReasoningEffort('none', 'gemini-2.5-flash'), { thinkingBudget: 0 });
    assert.deepEqual(mapReasoningEffort('low', 'gemini-2.5-flash'), { thinkingBudget: 1024 });
    assert.deepEqual(mapReasoningEffort('medium', 'gemini-2.5-pro'), { thinkingBudget: 8192 });
    assert.deepEqual(mapReasoningEffort('high', 'gemini-2.5-flash'), { thinkingBudget: 24576 });
  });

  it('gives Gemini 3 a thinking level the model supports', () => {
    assert.deepEqual(mapReasoningEffort('minimal', 'gemini-3-flash-preview'), { thinkingLevel: 'minimal' });
    assert.deepEqual(mapReasoningEffort('minimal', 'gemini-3-pro-preview'), { thinkingLevel: 'low' });
    assert.deepEqual(mapReasoningEffort('medium', 'gemini-3-pro-preview'), { thinkingLevel: 'high' });
    assert.deepEqual(mapReasoningEffort('medium', 'gemini-3.1-pro-preview'), { thinkingLevel: 'medium' });
    assert.deepEqual(mapReasoningEffort('high', 'gemini-3-flash-preview'), { thinkingLevel: 'high' });
  });
});

describe('generation settings in convertChatRequest', () => {
  const base = { messages: [{ role: 'user', content: 'Hi' }] };

  it('lets an explicit google.thinking_config win over reasoning_effort', () => {
    const { body, includeThoughts } = convertChatRequest(
      parseChatRequest({
        ...base,
        model: 'gemini-3-flash-preview',
        reasoning_effort: 'low',
        google: { thinking_config: { thinking_budget: 128, include_thoughts: true } },
      }),
    );
    assert.deepEqual(body.generationConfig, {
      thinkingConfig: { thinkingBudget: 128, includeThoughts: true },
    });
    assert.equal(includeThoughts, true);
  });

  it('adds include_thoughts to the level from reasoning_effort', () => {
    const { body } = convertChatRequest(
      parseChatRequest({
        ...base,
        model: 'gemini-3-flash-preview',
        reasoning_effort: 'low',
        extra_body: { google: { thinking_config: { include_thoughts: true } } },
      }),
    );
    assert.deepEqual(body.generationConfig, {
      thinkingConfig: { thinkingLevel: 'low', includeThoughts: true },
    });
  });

  it('maps sampling, stop, json_schema and tool_choice', () => {
    const { body, includeUsage } = convertChatRequest(
      parseChatRequest({
        ...base,
        model: 'gemini-2.5-flash',
        temperature: 0.2,
        top_p: 0.9,
        max_tokens: 10,
        max_completion_tokens: 20,
        stop: 'END',
        seed: 7,
        presence_penalty: 0.5,
        frequency_penalty: -0.5,
        stream_options: { include_usage: true },
        response_format: {
          type: 'json_schema',
          json_schema: {
            name: 'r',
            schema: { type: 'object', properties: { b: { type: 'string' }, a: { type: 'number' } } },
          },
        },
        tools: [
          {
            type: 'function',
            function: { name: 'f', parameters: { type: 'object', properties: { q: { type: 'string' } } } },
          },
        ],
        tool_choice: { type: 'function', function: { name: 'f' } },
      }),
    );
    assert.deepEqual(body.generationConfig, {
      temperature: 0.2,
      topP: 0.9,
      maxOutputTokens: 20,
      stopSequences: ['END'],
      seed: 7,
      presencePenalty: 0.5,
      frequencyPenalty: -0.5,
      responseMimeType: 'application/json',
      responseSchema: {
        type: 'object',
        properties: { b: { type: 'string' }, a: { type: 'number' } },
        propertyOrdering: ['b', 'a'],
      },
    });
    assert.deepEqual(body.tools, [
      {
        functionDeclarations: [
          { name: 'f', parameters: { type: 'object', properties: { q: { type: 'string' } } } },
        ],
      },
    ]);
    assert.deepEqual(body.toolConfig, {
      functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['f'] },
    });
    assert.equal(includeUsage, false, 'include_usage only matters for streams the client asked for');
  });
});
