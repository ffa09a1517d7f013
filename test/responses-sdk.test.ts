import assert from 'node:assert/strict';
import { before, beforeEach, describe, test } from 'node:test';
import OpenAI from 'openai';
import { clientToken, otherClientToken } from './helpers/secrets.ts';
import { useMockAndService } from './helpers/with-service.ts';
import { fixtureBytes } from './mock-upstream/fixtures.ts';
import { bypass, type GeminiRequestBody, ScriptedGemini } from './mock-upstream/scripted-gemini.ts';

const weatherTool: OpenAI.Responses.FunctionTool = {
  type: 'function',
  name: 'get_weather',
  description: 'Current weather in a city',
  strict: true,
  parameters: {
    type: 'object',
    properties: { city: { type: 'string' } },
    required: ['city'],
    additionalProperties: false,
  },
};

/** The signatures on the function calls of the model turns Gemini was sent. */
function callSignatures(body: GeminiRequestBody | undefined): Array<string | undefined> {
  return (body?.contents ?? [])
    .filter((content) => content.role === 'model')
    .flatMap((content) => content.parts ?? [])
    .filter((part) => part.functionCall !== undefined)
    .map((part) => part.thoughtSignature);
}

describe('the Responses API with the official openai SDK', () => {
  const bed = useMockAndService();
  let scripted: ScriptedGemini;
  let client: OpenAI;

  before(() => {
    client = new OpenAI({ apiKey: clientToken, baseURL: `${bed.service.url}/v1`, maxRetries: 0 });
  });
  beforeEach(() => {
    scripted = new ScriptedGemini();
    bed.mock.override = scripted.override;
  });

  test('a plain response carries the recorded answer, instructions and usage', async () => {
    const response = await client.responses.create({
      model: 'gemini-2.5-flash',
      instructions: 'Answer briefly.',
      input: 'Where is Google based?',
    });
    const recorded = JSON.parse(fixtureBytes('generate-content-response.json').toString('utf8')) as {
      candidates: Array<{ content: { parts: Array<{ text: string }> } }>;
      usageMetadata: { promptTokenCount: number; totalTokenCount: number };
    };
    assert.equal(response.object, 'response');
    assert.equal(response.status, 'completed');
    assert.match(response.id, /^resp_/);
    assert.equal(response.output_text, recorded.candidates[0]?.content.parts[0]?.text);
    assert.equal(response.usage?.input_tokens, recorded.usageMetadata.promptTokenCount);
    assert.equal(response.usage?.total_tokens, recorded.usageMetadata.totalTokenCount);
    const upstream = JSON.parse(
      bed.mock.requestsTo(':generateContent').at(-1)?.body.toString('utf8') ?? '{}',
    );
    assert.deepEqual(upstream.systemInstruction, { parts: [{ text: 'Answer briefly.' }] });
    assert.deepEqual(upstream.contents, [{ role: 'user', parts: [{ text: 'Where is Google based?' }] }]);
  });

  test('a streamed response follows OpenAI event order and the SDK assembles it', async () => {
    const stream = client.responses.stream({ model: 'gemini-3-pro-preview', input: 'Capital of Mexico?' });
    const events: Array<{ type: string; sequence_number: number }> = [];
    for await (const event of stream) events.push(event);
    const final = await stream.finalResponse();
    assert.equal(final.output_text, 'The capital of Mexico is Mexico City.');
    assert.equal(final.status, 'completed');
    assert.deepEqual(
      events.map((event) => event.sequence_number),
      events.map((_event, index) => index),
    );
    const types = [...new Set(events.map((event) => event.type))];
    assert.deepEqual(types, [
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
  });

  test('a Gemini 3 tool loop with thinking continues through previous_response_id', async () => {
    scripted.script(
      { parts: [{ thought: 'I need the weather.' }, { call: 'get_weather', args: { city: 'Paris' } }] },
      { parts: [{ call: 'get_weather', args: { city: 'Lyon' } }] },
      { parts: [{ text: 'Paris is sunny, Lyon is rainy.' }] },
    );
    const reasoning = { effort: 'low', summary: 'auto' } as const;
    let response = await client.responses.create({
      model: 'gemini-3-pro-preview',
      input: 'Weather in Paris and Lyon?',
      tools: [weatherTool],
      reasoning,
    });
    const summary = response.output.find((item) => item.type === 'reasoning');
    assert.equal(summary?.type === 'reasoning' && summary.summary[0]?.text, 'I need the weather.');
    for (let step = 0; step < 2; step++) {
      const call = response.output.find((item) => item.type === 'function_call');
      assert.ok(call?.type === 'function_call', `step ${step} asks for a function call`);
      response = await client.responses.create({
        model: 'gemini-3-pro-preview',
        previous_response_id: response.id,
        input: [{ type: 'function_call_output', call_id: call.call_id, output: '{"sky":"sunny"}' }],
        tools: [weatherTool],
        reasoning,
      });
    }
    assert.equal(response.output_text, 'Paris is sunny, Lyon is rainy.');
    assert.equal(scripted.remaining, 0);
    const signatures = callSignatures(scripted.bodies.at(-1));
    assert.equal(signatures.length, 2);
    for (const signature of signatures) assert.ok(signature !== undefined && scripted.minted.has(signature));
    assert.deepEqual(scripted.bodies.at(-1)?.generationConfig?.thinkingConfig, {
      thinkingLevel: 'low',
      includeThoughts: true,
    });
  });

  test('a Gemini 3 tool loop with store: false works from the items sent back', async () => {
    scripted.script(
      { parts: [{ thought: 'Look it up.' }, { call: 'get_weather', args: { city: 'Oslo' } }] },
      { parts: [{ call: 'get_weather', args: { city: 'Bergen' } }] },
      { parts: [{ text: 'Both are cold.' }] },
    );
    const input: OpenAI.Responses.ResponseInput = [{ role: 'user', content: 'Weather in Oslo and Bergen?' }];
    let final: OpenAI.Responses.Response | undefined;
    for (let step = 0; step < 3; step++) {
      const stream = client.responses.stream({
        model: 'gemini-3-flash-preview',
        input,
        tools: [weatherTool],
        store: false,
        include: ['reasoning.encrypted_content'],
        reasoning: { summary: 'auto' },
      });
      final = await stream.finalResponse();
      input.push(...(final.output as OpenAI.Responses.ResponseInputItem[]));
      const call = final.output.find((item) => item.type === 'function_call');
      if (call?.type === 'function_call')
        input.push({ type: 'function_call_output', call_id: call.call_id, output: 'cold' });
    }
    assert.equal(final?.output_text, 'Both are cold.');
    const signatures = callSignatures(scripted.bodies.at(-1));
    assert.equal(signatures.length, 2);
    for (const signature of signatures) assert.ok(signature !== undefined && scripted.minted.has(signature));
    await assert.rejects(client.responses.retrieve(final?.id ?? ''), { status: 404 });
  });

  test('function calls sent back without their reasoning items get the bypass signature', async () => {
    scripted.script({ parts: [{ text: 'Done.' }] });
    const response = await client.responses.create({
      model: 'gemini-3-pro-preview',
      store: false,
      tools: [weatherTool],
      input: [
        { role: 'user', content: 'Weather?' },
        { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Rome"}' },
        { type: 'function_call_output', call_id: 'call_1', output: 'warm' },
      ],
    });
    assert.equal(response.output_text, 'Done.');
    assert.deepEqual(callSignatures(scripted.bodies[0]), [bypass]);
  });

  test('a client that drops reasoning items gets the signature back from the signature store', async () => {
    scripted.script(
      { parts: [{ call: 'get_weather', args: { city: 'Nice' } }] },
      { parts: [{ text: 'Warm.' }] },
    );
    const first = await client.responses.create({
      model: 'gemini-3-pro-preview',
      input: 'Weather in Nice?',
      tools: [weatherTool],
      store: false,
    });
    const call = first.output.find((item) => item.type === 'function_call');
    assert.ok(call?.type === 'function_call');
    const second = await client.responses.create({
      model: 'gemini-3-pro-preview',
      tools: [weatherTool],
      store: false,
      input: [
        { role: 'user', content: 'Weather in Nice?' },
        { type: 'function_call', call_id: call.call_id, name: call.name, arguments: call.arguments },
        { type: 'function_call_output', call_id: call.call_id, output: 'warm' },
      ],
    });
    assert.equal(second.output_text, 'Warm.');
    const [signature] = callSignatures(scripted.bodies[1]);
    assert.ok(signature !== undefined && scripted.minted.has(signature));
  });

  test('a model suffix applies: -search adds Google Search, the response names the model asked for', async () => {
    scripted.script({ fixture: 'generate-content-response-grounding.json' });
    const response = await client.responses.create({
      model: 'gemini-2.5-flash-search',
      input: 'Weather in London?',
    });
    assert.equal(response.model, 'gemini-2.5-flash-search');
    assert.deepEqual(scripted.bodies[0]?.tools, [{ googleSearch: {} }]);
    assert.ok(bed.mock.requestsTo('/v1beta/models/gemini-2.5-flash:generateContent').length > 0);
  });

  test('a signature Gemini refuses as corrupted is retried once with the bypass value', async () => {
    scripted.script(
      { parts: [{ call: 'get_weather', args: { city: 'Nice' } }] },
      { parts: [{ text: 'Warm.' }] },
    );
    const first = await client.responses.create({
      model: 'gemini-3-pro-preview',
      input: 'Weather in Nice?',
      tools: [weatherTool],
      store: false,
    });
    const call = first.output.find((item) => item.type === 'function_call');
    assert.ok(call?.type === 'function_call');
    // The mock forgets what it minted: the signature now looks like one from another key or project.
    scripted.minted.clear();
    const second = await client.responses.create({
      model: 'gemini-3-pro-preview',
      tools: [weatherTool],
      store: false,
      input: [
        { role: 'user', content: 'Weather in Nice?' },
        ...(first.output as OpenAI.Responses.ResponseInputItem[]),
        { type: 'function_call_output', call_id: call.call_id, output: 'warm' },
      ],
    });
    assert.equal(second.output_text, 'Warm.');
    assert.equal(scripted.bodies.length, 3);
    assert.ok(callSignatures(scripted.bodies[1])[0]?.startsWith('mock-signature-'));
    assert.deepEqual(callSignatures(scripted.bodies[2]), [bypass]);
  });

  test('an item_reference names an item of a stored response, with its signatures', async () => {
    scripted.script(
      { parts: [{ call: 'get_weather', args: { city: 'Nice' } }] },
      { parts: [{ text: 'Warm.' }] },
    );
    const first = await client.responses.create({
      model: 'gemini-3-pro-preview',
      input: 'Weather in Nice?',
      tools: [weatherTool],
    });
    const call = first.output.find((item) => item.type === 'function_call');
    assert.ok(call?.type === 'function_call');
    await client.responses.create({
      model: 'gemini-3-pro-preview',
      tools: [weatherTool],
      input: [
        { role: 'user', content: 'Weather in Nice?' },
        ...first.output.map((item) => ({ type: 'item_reference' as const, id: item.id ?? '' })),
        { type: 'function_call_output', call_id: call.call_id, output: 'warm' },
      ],
    });
    const [signature] = callSignatures(scripted.bodies[1]);
    assert.ok(signature !== undefined && scripted.minted.has(signature));
  });

  test('structured output with text.format json_schema', async () => {
    scripted.script({ parts: [{ text: '{"city":"Paris","celsius":21}' }] });
    const response = await client.responses.create({
      model: 'gemini-2.5-flash',
      input: 'Weather as JSON',
      text: {
        format: {
          type: 'json_schema',
          name: 'weather',
          strict: true,
          schema: {
            type: 'object',
            properties: { city: { type: 'string' }, celsius: { type: 'number' } },
            required: ['city', 'celsius'],
            additionalProperties: false,
          },
        },
      },
    });
    assert.deepEqual(JSON.parse(response.output_text), { city: 'Paris', celsius: 21 });
    const config = scripted.bodies[0]?.generationConfig;
    assert.equal(config?.responseMimeType, 'application/json');
    assert.deepEqual(config?.responseSchema, {
      type: 'object',
      properties: { city: { type: 'string' }, celsius: { type: 'number' } },
      required: ['city', 'celsius'],
      propertyOrdering: ['city', 'celsius'],
    });
  });

  test('web search becomes Google Search, with url_citation annotations on the answer', async () => {
    for (const stream of [false, true]) {
      scripted.script({ fixture: 'generate-content-response-grounding.json' });
      const request = {
        model: 'gemini-2.0-flash',
        input: 'Weather in London?',
        tools: [{ type: 'web_search' as const }],
      };
      const response = stream
        ? await client.responses.stream(request).finalResponse()
        : await client.responses.create(request);
      assert.deepEqual(scripted.bodies[0]?.tools, [{ googleSearch: {} }]);
      const message = response.output.find((item) => item.type === 'message');
      const text = message?.type === 'message' ? message.content[0] : undefined;
      assert.ok(text?.type === 'output_text');
      const citations = text.annotations.filter((annotation) => annotation.type === 'url_citation');
      assert.equal(citations.length, 3);
      assert.equal(
        text.text.slice(citations[1]?.start_index, citations[1]?.end_index),
        'The temperature is 67°F (19°C), but it feels like 75°F (24°C).',
      );
      assert.equal(citations[0]?.title, 'accuweather.com');
      const search = response.output.find((item) => item.type === 'web_search_call');
      assert.deepEqual(search?.type === 'web_search_call' && search.action, {
        type: 'search',
        query: 'current weather in London',
      });
      scripted = new ScriptedGemini();
      bed.mock.override = scripted.override;
    }
  });

  test('stored responses can be read and deleted by their own client only', async () => {
    const created = await client.responses.create({ model: 'gemini-2.5-flash', input: 'Hi' });
    const other = new OpenAI({ apiKey: otherClientToken, baseURL: `${bed.service.url}/v1`, maxRetries: 0 });
    assert.equal((await client.responses.retrieve(created.id)).output_text, created.output_text);
    await assert.rejects(other.responses.retrieve(created.id), { status: 404 });
    await assert.rejects(other.responses.delete(created.id), { status: 404 });
    await assert.rejects(client.responses.cancel(created.id), { status: 400 });
    // Each stored response links to the one it continued: a deleted earlier turn breaks the chain.
    const next = await client.responses.create({
      model: 'gemini-2.5-flash',
      input: 'And?',
      previous_response_id: created.id,
    });
    await client.responses.delete(created.id);
    await assert.rejects(client.responses.retrieve(created.id), { status: 404 });
    await assert.rejects(
      client.responses.create({ model: 'gemini-2.5-flash', input: 'More', previous_response_id: next.id }),
      (error: unknown) =>
        error instanceof OpenAI.BadRequestError && /an earlier turn of this conversation/.test(error.message),
    );
    const again = await fetch(`${bed.service.url}/openai/v1/responses/${created.id}`, {
      headers: { authorization: `Bearer ${clientToken}` },
    });
    assert.equal(again.status, 404);
    assert.equal(((await again.json()) as { error: { type: string } }).error.type, 'not_found_error');
  });
});
