import assert from 'node:assert/strict';
import { before, beforeEach, describe, test } from 'node:test';
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, isStepCount, streamText, tool } from 'ai';
import { z } from 'zod';
import { clientToken } from './helpers/secrets.ts';
import { useMockAndService } from './helpers/with-service.ts';
import { ScriptedGemini } from './mock-upstream/scripted-gemini.ts';

// The SDK logs feature warnings for non-OpenAI models to stderr; they are expected here.
(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;

type SentBody = { input?: Array<{ type?: string; id?: string }> };

/** Gemini models are not in the SDK's list of reasoning models: it sends reasoning settings only when told. */
const reasoning = { openai: { forceReasoning: true, reasoningSummary: 'auto' } };

describe("the Responses API with Vercel's ai and @ai-sdk/openai (its default Responses model)", () => {
  const bed = useMockAndService();
  let scripted: ScriptedGemini;
  let openai: ReturnType<typeof createOpenAI>;
  const sent: SentBody[] = [];

  before(() => {
    // Records what the SDK sends, to see the item references it uses for reasoning with `store` on.
    const recording: typeof fetch = async (input, init) => {
      if (typeof init?.body === 'string') sent.push(JSON.parse(init.body) as SentBody);
      return fetch(input, init);
    };
    openai = createOpenAI({ apiKey: clientToken, baseURL: `${bed.service.url}/v1`, fetch: recording });
  });
  beforeEach(() => {
    scripted = new ScriptedGemini();
    bed.mock.override = scripted.override;
  });

  test('generateText', async () => {
    scripted.script({ parts: [{ text: 'Hello from Gemini.' }] });
    const result = await generateText({ model: openai('gemini-2.5-flash'), prompt: 'Say hello' });
    assert.equal(result.text, 'Hello from Gemini.');
    assert.equal(result.finishReason, 'stop');
    assert.equal(result.usage.inputTokens, 21);
    assert.ok(bed.mock.requestsTo('/v1beta/models/gemini-2.5-flash:generateContent').length > 0);
  });

  test('streamText', async () => {
    scripted.script({ parts: [{ thought: 'Thinking it over.' }, { text: 'First. ' }, { text: 'Second.' }] });
    const result = streamText({
      model: openai('gemini-3-flash-preview'),
      prompt: 'Two words',
      providerOptions: reasoning,
    });
    let text = '';
    for await (const delta of result.textStream) text += delta;
    assert.equal(text, 'First. Second.');
    assert.equal(await result.reasoningText, 'Thinking it over.');
    assert.equal(await result.finishReason, 'stop');
  });

  test('a Gemini 3 tool loop with thinking keeps its signatures through item references', async () => {
    scripted.script(
      { parts: [{ thought: 'Need the weather.' }, { call: 'weather', args: { city: 'Rome' } }] },
      { parts: [{ text: 'Rome is warm.' }] },
    );
    const cities: string[] = [];
    const result = await generateText({
      model: openai('gemini-3-pro-preview'),
      prompt: 'Weather in Rome?',
      providerOptions: reasoning,
      tools: {
        weather: tool({
          description: 'Weather in a city',
          inputSchema: z.object({ city: z.string() }),
          execute: async ({ city }) => {
            cities.push(city);
            return { city, sky: 'warm' };
          },
        }),
      },
      stopWhen: isStepCount(3),
    });
    assert.deepEqual(cities, ['Rome']);
    assert.equal(result.text, 'Rome is warm.');
    assert.equal(result.steps.length, 2);
    assert.equal(result.steps[0]?.reasoningText, 'Need the weather.');
    const references = sent.at(-1)?.input?.filter((item) => item.type === 'item_reference') ?? [];
    assert.ok(references.length > 0, 'the SDK named the stored reasoning item instead of resending it');
    const followUp = scripted.bodies[1];
    const call = followUp?.contents
      ?.flatMap((content) => content.parts ?? [])
      .find((part) => part.functionCall);
    assert.ok(call?.thoughtSignature !== undefined && scripted.minted.has(call.thoughtSignature));
    const answer = followUp?.contents
      ?.flatMap((content) => content.parts ?? [])
      .find((part) => part.functionResponse);
    assert.deepEqual(answer?.functionResponse, { name: 'weather', response: { city: 'Rome', sky: 'warm' } });
  });
});
