import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFixtureJson } from '../../../../test/helpers/read-fixture.ts';
import { convertChatResponse } from './convert-chat-response.ts';

const options = { model: 'gemini-2.5-flash', includeThoughts: false, created: 1_700_000_000 };

describe('convertChatResponse', () => {
  it('turns a plain answer into a chat.completion', () => {
    const completion = convertChatResponse(readFixtureJson('generate-content-response.json'), options);
    assert.match(completion.id, /^chatcmpl-[\w-]{24}$/);
    assert.equal(completion.object, 'chat.completion');
    assert.equal(completion.created, 1_700_000_000);
    assert.equal(completion.model, 'gemini-2.5-flash');
    assert.deepEqual(completion.choices, [
      {
        index: 0,
        message: {
          role: 'assistant',
          content:
            "Google's headquarters, also known as the Googleplex, is located in **Mountain View, California**.\n",
          refusal: null,
        },
        logprobs: null,
        finish_reason: 'stop',
      },
    ]);
    assert.deepEqual(completion.usage, {
      prompt_tokens: 7,
      completion_tokens: 22,
      total_tokens: 29,
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0 },
    });
  });

  it('turns a thought + function call into tool_calls with the signature, like Google’s compat endpoint', () => {
    const gemini = readFixtureJson('generate-content-response-thinking-function-call.json') as {
      candidates: Array<{ content: { parts: Array<{ text?: string; thoughtSignature?: string }> } }>;
    };
    const parts = gemini.candidates[0]?.content.parts ?? [];
    const compat = readFixtureJson('openai-compat-chat-completion-tool-call.json') as {
      choices: Array<{
        finish_reason: string;
        message: { tool_calls: Array<{ type: string; function: unknown }> };
      }>;
    };
    const completion = convertChatResponse(gemini, options);
    const choice = completion.choices[0];
    assert.equal(completion.id, 'chatcmpl-38CHaLjMG6TujrEPtvTiuQk');
    assert.equal(choice?.finish_reason, compat.choices[0]?.finish_reason);
    assert.equal(choice?.message.content, null);
    assert.equal(choice?.message.reasoning_content, undefined, 'thoughts stay hidden unless asked for');
    const call = choice?.message.tool_calls?.[0];
    assert.match(call?.id ?? '', /^call_[\w-]{24}$/);
    assert.deepEqual(call?.function, { name: 'now', arguments: '{}' });
    assert.equal(call?.type, compat.choices[0]?.message.tool_calls[0]?.type);
    assert.deepEqual(call?.extra_content, { google: { thought_signature: parts[1]?.thoughtSignature } });
    assert.deepEqual(completion.usage?.completion_tokens_details, { reasoning_tokens: 501 });
    assert.equal(completion.usage?.completion_tokens, 8 + 501);
    assert.equal(completion.usage?.total_tokens, 547);

    const withThoughts = convertChatResponse(gemini, { ...options, includeThoughts: true });
    assert.equal(withThoughts.choices[0]?.message.reasoning_content, parts[0]?.text);
  });

  it('maps a SAFETY finish to content_filter and keeps the partial text', () => {
    const completion = convertChatResponse(
      readFixtureJson('generate-content-response-finish-safety.json'),
      options,
    );
    assert.equal(completion.choices[0]?.finish_reason, 'content_filter');
    assert.equal(completion.choices[0]?.message.content, 'Safety error incoming in 5, 4, 3, 2...');
  });

  it('answers a blocked prompt with one content_filter choice instead of crashing', () => {
    const completion = convertChatResponse(
      readFixtureJson('generate-content-response-prompt-blocked-vertex.json'),
      options,
    );
    assert.equal(completion.choices.length, 1);
    assert.equal(completion.choices[0]?.finish_reason, 'content_filter');
    assert.equal(completion.choices[0]?.message.content, '');
    assert.equal(completion.usage?.total_tokens, 0);
  });

  it('keeps grounded text as is', () => {
    const gemini = readFixtureJson('generate-content-response-grounding.json') as {
      candidates: Array<{ content: { parts: Array<{ text: string }> } }>;
    };
    const completion = convertChatResponse(gemini, options);
    assert.equal(completion.choices[0]?.message.content, gemini.candidates[0]?.content.parts[0]?.text);
  });

  it('refuses a body that is not a Gemini response with a 502', () => {
    assert.throws(() => convertChatResponse({ candidates: 'nope' }, options), { status: 502 });
  });

  it('returns code execution as fenced text around the answer', () => {
    const completion = convertChatResponse(
      readFixtureJson('generate-content-response-code-execution.json'),
      options,
    );
    const content = completion.choices[0]?.message.content ?? '';
    assert.match(content, /```python\nprime_numbers = \[2, 3, 5, 7, 11\]\n[\s\S]*\n```\n/);
    assert.match(content, /```\nsum_of_primes=28\n```\n/);
    assert.ok(content.endsWith('2 + 3 + 5 + 7 + 11 = 28'));
  });

  it('returns grounding as url_citation annotations', () => {
    const completion = convertChatResponse(
      readFixtureJson('generate-content-response-grounding.json'),
      options,
    );
    const message = completion.choices[0]?.message;
    const annotations = message?.annotations ?? [];
    assert.deepEqual(
      annotations.map((annotation) =>
        message?.content?.slice(annotation.url_citation.start_index, annotation.url_citation.end_index),
      ),
      [
        'The current weather in London, United Kingdom is cloudy.',
        'The temperature is 67°F (19°C), but it feels like 75°F (24°C).',
        'There is a 0% chance of rain, and the humidity is around 41%.',
      ],
    );
    assert.equal(annotations[1]?.url_citation.url, 'https://www.google.com/search?q=weather+in+London');
  });

  it('converts logprobs with their top alternatives', () => {
    const completion = convertChatResponse(
      {
        candidates: [
          {
            content: { role: 'model', parts: [{ text: 'Hi' }] },
            finishReason: 'STOP',
            logprobsResult: {
              topCandidates: [
                {
                  candidates: [
                    { token: 'Hi', logProbability: -0.1 },
                    { token: 'Hé', logProbability: -2.5 },
                  ],
                },
              ],
              chosenCandidates: [{ token: 'Hi', logProbability: -0.1 }],
            },
          },
        ],
      },
      options,
    );
    assert.deepEqual(completion.choices[0]?.logprobs, {
      content: [
        {
          token: 'Hi',
          logprob: -0.1,
          bytes: [72, 105],
          top_logprobs: [
            { token: 'Hi', logprob: -0.1, bytes: [72, 105] },
            { token: 'Hé', logprob: -2.5, bytes: [72, 195, 169] },
          ],
        },
      ],
      refusal: null,
    });
  });
});
