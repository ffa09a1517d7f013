import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFixtureJson } from '../../../../test/helpers/read-fixture.ts';
import { AppError } from '../../../errors/app-error.ts';
import { parseChatRequest } from '../schema/chat-request-schema.ts';
import { collectRemoteImageUrls } from './collect-remote-image-urls.ts';
import { convertChatRequest } from './convert-chat-request.ts';

function convert(
  body: Record<string, unknown>,
  images = new Map<string, { mimeType: string; data: string }>(),
) {
  return convertChatRequest(parseChatRequest({ model: 'gemini-2.5-flash', ...body }), images);
}

function rejection(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof AppError);
    return error;
  }
  assert.fail('expected a 400');
}

const recordedFunctionRound = readFixtureJson('generate-content-request-function-response.json') as {
  contents: Array<{ parts: Array<Record<string, unknown>> }>;
  safetySettings: unknown;
};
const signature = recordedFunctionRound.contents[1]?.parts[0]?.thoughtSignature;

describe('convertChatRequest against recorded Gemini requests', () => {
  it('builds the body js-genai sent for candidateCount, maxOutputTokens and a thinking budget', () => {
    const recording = readFixtureJson('recording-js-genai-stream-thinking-budget.json') as {
      interactions: Array<{ request: { bodySegments: unknown[] } }>;
    };
    const converted = convert({
      messages: [{ role: 'user', content: 'why is the sky blue?' }],
      n: 1,
      max_tokens: 200,
      stream: true,
      google: { thinking_config: { thinking_budget: 50 } },
    });
    assert.deepEqual(converted.body, recording.interactions[0]?.request.bodySegments[0]);
    assert.equal(converted.model, 'gemini-2.5-flash');
    assert.equal(converted.stream, true);
    assert.equal(converted.includeThoughts, false);
  });

  it('rebuilds the recorded function-call round trip, thought signature included', () => {
    const converted = convert({
      model: 'models/gemini-2.5-flash',
      messages: [
        { role: 'user', content: 'Two names for a pet pelican' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'call_1',
              type: 'function',
              function: { name: 'pelican_name_generator', arguments: '{}' },
              extra_content: { google: { thought_signature: signature } },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '{"output":"Charles"}' },
      ],
      tools: [
        {
          type: 'function',
          function: { name: 'pelican_name_generator', parameters: { type: 'object', properties: {} } },
        },
      ],
      extra_body: {
        google: {
          thinking_config: { include_thoughts: true },
          safety_settings: recordedFunctionRound.safetySettings,
        },
      },
    });
    assert.equal(converted.model, 'gemini-2.5-flash');
    assert.deepEqual(converted.body.contents, [
      { role: 'user', parts: [{ text: 'Two names for a pet pelican' }] },
      {
        role: 'model',
        parts: [{ functionCall: { name: 'pelican_name_generator', args: {} }, thoughtSignature: signature }],
      },
      {
        role: 'user',
        parts: [{ functionResponse: { name: 'pelican_name_generator', response: { output: 'Charles' } } }],
      },
    ]);
    assert.deepEqual(converted.body.safetySettings, recordedFunctionRound.safetySettings);
    assert.deepEqual(converted.body.tools, [{ functionDeclarations: [{ name: 'pelican_name_generator' }] }]);
    assert.deepEqual(converted.body.generationConfig, { thinkingConfig: { includeThoughts: true } });
    assert.equal(converted.includeThoughts, true);
  });

  it('translates the compat request fixture without inventing settings', () => {
    const converted = convertChatRequest(
      parseChatRequest(readFixtureJson('openai-compat-chat-request-tools.json')),
    );
    assert.deepEqual(converted.body, {
      contents: [{ role: 'user', parts: [{ text: 'What is the current time?' }] }],
      tools: [{ functionDeclarations: [{ name: 'get_current_time', description: 'Get the current time.' }] }],
      toolConfig: { functionCallingConfig: { mode: 'AUTO' } },
    });
  });
});

describe('convertChatRequest messages', () => {
  it('gathers system and developer messages into systemInstruction', () => {
    const { body } = convert({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
        { role: 'user', content: 'Hi' },
      ],
    });
    assert.deepEqual(body.systemInstruction, {
      parts: [{ text: 'Be brief.' }, { text: 'Answer in French.' }],
    });
    assert.deepEqual(body.contents, [{ role: 'user', parts: [{ text: 'Hi' }] }]);
  });

  it('groups consecutive tool results into one user turn and wraps non-object results', () => {
    const call = (id: string, name: string) => ({
      id,
      type: 'function',
      function: { name, arguments: '{"x":1}' },
    });
    const { body } = convert({
      messages: [
        { role: 'user', content: 'Go' },
        { role: 'assistant', content: 'Calling.', tool_calls: [call('a', 'first'), call('b', 'second')] },
        { role: 'tool', tool_call_id: 'b', content: 'plain text' },
        { role: 'tool', tool_call_id: 'a', content: [{ type: 'text', text: '[1,2]' }] },
        { role: 'user', content: 'Thanks' },
      ],
    });
    assert.deepEqual(body.contents[1], {
      role: 'model',
      parts: [
        { text: 'Calling.' },
        { functionCall: { name: 'first', args: { x: 1 } } },
        { functionCall: { name: 'second', args: { x: 1 } } },
      ],
    });
    assert.deepEqual(body.contents[2], {
      role: 'user',
      parts: [
        { functionResponse: { name: 'second', response: { result: 'plain text' } } },
        { functionResponse: { name: 'first', response: { result: '[1,2]' } } },
      ],
    });
    assert.equal(body.contents.length, 4);
  });

  it('names the tool_call_id that matches no earlier call', () => {
    const error = rejection(() =>
      convert({
        messages: [
          { role: 'user', content: 'Go' },
          { role: 'tool', tool_call_id: 'nope', content: 'x' },
        ],
      }),
    );
    assert.equal(error.status, 400);
    assert.equal(error.param, 'messages[1].tool_call_id');
  });

  it('names tool call arguments that are not a JSON object', () => {
    const bad = { id: 'a', type: 'function', function: { name: 'f', arguments: '[1]' } };
    const error = rejection(() => convert({ messages: [{ role: 'assistant', tool_calls: [bad] }] }));
    assert.equal(error.param, 'messages[0].tool_calls[0].function.arguments');
  });

  it('puts a message-level signature (Google compat text answer) back on the first part', () => {
    const text = readFixtureJson('openai-compat-chat-completion-text.json') as {
      choices: Array<{ message: Record<string, unknown> }>;
    };
    const message = text.choices[0]?.message;
    const { body } = convert({
      messages: [{ role: 'user', content: 'Time?' }, message, { role: 'user', content: 'Ok' }],
    });
    const expected = (message?.extra_content as { google: { thought_signature: string } } | undefined)?.google
      .thought_signature;
    assert.deepEqual(body.contents[1], {
      role: 'model',
      parts: [{ text: 'The current time is Noon.', thoughtSignature: expected }],
    });
  });
});

describe('convertChatRequest content parts', () => {
  const pixel =
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVQImWNwav0CAALIAbzDqqRyAAAAAElFTkSuQmCC';
  const content = [
    { type: 'text', text: 'Describe' },
    { type: 'image_url', image_url: { url: `data:image/png;base64,${pixel}` } },
    { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
    { type: 'image_url', image_url: { url: 'https://www.youtube.com/watch?v=abc' } },
    { type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } },
    { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=' } },
    { type: 'file', file: { file_id: 'files/abc123' } },
  ];

  it('lists only the http(s) images the route must fetch', () => {
    const request = parseChatRequest({ model: 'm', messages: [{ role: 'user', content }] });
    assert.deepEqual(collectRemoteImageUrls(request), ['https://example.com/cat.jpg']);
  });

  it('maps each part type to inlineData or fileData', () => {
    const images = new Map([['https://example.com/cat.jpg', { mimeType: 'image/jpeg', data: '/9j/' }]]);
    const { body } = convert({ messages: [{ role: 'user', content }] }, images);
    assert.deepEqual(body.contents[0]?.parts, [
      { text: 'Describe' },
      { inlineData: { mimeType: 'image/png', data: pixel } },
      { inlineData: { mimeType: 'image/jpeg', data: '/9j/' } },
      { fileData: { fileUri: 'https://www.youtube.com/watch?v=abc' } },
      { inlineData: { mimeType: 'audio/wav', data: 'UklGRg==' } },
      { inlineData: { mimeType: 'application/pdf', data: 'JVBERi0=' } },
      { fileData: { fileUri: 'https://generativelanguage.googleapis.com/v1beta/files/abc123' } },
    ]);
  });

  it('names an image that was not fetched', () => {
    const error = rejection(() => convert({ messages: [{ role: 'user', content }] }));
    assert.equal(error.param, 'messages[0].content[2].image_url.url');
  });
});
