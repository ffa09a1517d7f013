import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { nativeCall } from './helpers/native-call.ts';
import { clientToken } from './helpers/secrets.ts';
import { withService } from './helpers/with-service.ts';

type UpstreamBody = { tools?: Array<Record<string, unknown>>; generationConfig?: Record<string, unknown> };

describe('model aliases and suffixes on every surface', () => {
  test('Anthropic: claude-sonnet-4-5 reaches the mock as the mapped model; the answer names the requested one', async () => {
    await withService({}, async ({ mock, service }) => {
      const client = new Anthropic({ apiKey: clientToken, baseURL: service.url, maxRetries: 0 });
      const message = await client.messages.create({
        model: 'claude-sonnet-4-5',
        max_tokens: 32,
        messages: [{ role: 'user', content: 'hi' }],
      });
      assert.equal(message.model, 'claude-sonnet-4-5');
      assert.equal(mock.requestsTo('/v1beta/models/gemini-2.5-pro:generateContent').length, 1);
      assert.equal(mock.requestsTo('claude').length, 0, 'the alias never reaches Google');
    });
  });

  test('Anthropic: gemini-2.5-flash-search arrives with the Google Search tool; MODEL_ALIASES overrides a default', async () => {
    await withService(
      { env: { MODEL_ALIASES: 'claude-haiku-*=gemini-2.5-flash-lite' } },
      async ({ mock, service }) => {
        const client = new Anthropic({ apiKey: clientToken, baseURL: service.url, maxRetries: 0 });
        await client.messages.create({
          model: 'gemini-2.5-flash-search',
          max_tokens: 32,
          messages: [{ role: 'user', content: 'news?' }],
        });
        const request = mock.requestsTo('/v1beta/models/gemini-2.5-flash:generateContent').at(-1);
        assert.deepEqual((JSON.parse(String(request?.body)) as UpstreamBody).tools, [{ googleSearch: {} }]);
        await client.messages.create({
          model: 'claude-haiku-4-5',
          max_tokens: 32,
          messages: [{ role: 'user', content: 'hi' }],
        });
        assert.equal(mock.requestsTo('/v1beta/models/gemini-2.5-flash-lite:generateContent').length, 1);
      },
    );
  });

  test('OpenAI: an alias with a thinking suffix', async () => {
    await withService({}, async ({ mock, service }) => {
      const client = new OpenAI({ apiKey: clientToken, baseURL: `${service.url}/v1`, maxRetries: 0 });
      const completion = await client.chat.completions.create({
        model: 'claude-haiku-4-5-thinking-2048',
        messages: [{ role: 'user', content: 'hi' }],
      });
      assert.equal(completion.model, 'claude-haiku-4-5-thinking-2048');
      const request = mock.requestsTo('/v1beta/models/gemini-2.5-flash:generateContent').at(-1);
      assert.deepEqual((JSON.parse(String(request?.body)) as UpstreamBody).generationConfig, {
        thinkingConfig: { thinkingBudget: 2048, includeThoughts: true },
      });
    });
  });

  test('native: only the model in the path changes, and the suffix adds its tool', async () => {
    await withService({}, async ({ mock, service }) => {
      const body = '{"contents":[{"parts":[{"text":"hi"}]}]}';
      const plain = await nativeCall(service.url, 'claude-haiku-4-5:generateContent', body);
      assert.equal(plain.status, 200);
      const forwarded = mock.requestsTo('/v1beta/models/gemini-2.5-flash:generateContent').at(-1);
      assert.equal(String(forwarded?.body), body, 'the body is untouched byte for byte');
      const search = await nativeCall(
        service.url,
        'gemini-2.5-flash-search:streamGenerateContent?alt=sse',
        body,
      );
      assert.equal(search.status, 200);
      await search.text();
      const searched = mock
        .requestsTo('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse')
        .at(-1);
      assert.deepEqual(JSON.parse(String(searched?.body)), {
        contents: [{ parts: [{ text: 'hi' }] }],
        tools: [{ googleSearch: {} }],
      });
    });
  });
});
