import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { clientToken, poolKeys } from './helpers/secrets.ts';
import { useMockAndService } from './helpers/with-service.ts';
import { fixtureBytes } from './mock-upstream/fixtures.ts';

type UpstreamBody = {
  contents: Array<{ role: string; parts: Array<Record<string, unknown>> }>;
  generationConfig?: Record<string, unknown>;
};

/** A 1×1 PNG. */
const pixel = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

describe('the OpenAI surface with the official openai SDK', () => {
  let client: OpenAI;

  const bed = useMockAndService();

  before(async () => {
    client = new OpenAI({ apiKey: clientToken, baseURL: `${bed.service.url}/v1`, maxRetries: 0 });
  });

  function lastUpstreamBody(pathPart: string): UpstreamBody {
    const request = bed.mock.requestsTo(pathPart).at(-1);
    assert.ok(request, `the upstream saw a request to ${pathPart}`);
    return JSON.parse(request.body.toString('utf8')) as UpstreamBody;
  }

  test('a plain chat completion carries the recorded answer', async () => {
    const completion = await client.chat.completions.create({
      model: 'gemini-2.5-flash',
      messages: [{ role: 'user', content: 'Where is Google based?' }],
    });
    const recorded = JSON.parse(fixtureBytes('generate-content-response.json').toString('utf8')) as {
      candidates: Array<{ content: { parts: Array<{ text: string }> } }>;
    };
    assert.equal(completion.object, 'chat.completion');
    assert.equal(completion.choices[0]?.message.content, recorded.candidates[0]?.content.parts[0]?.text);
    assert.equal(completion.choices[0]?.finish_reason, 'stop');
    const upstream = bed.mock.requestsTo('/v1beta/models/gemini-2.5-flash:generateContent').at(-1);
    assert.ok(
      poolKeys.some((key) => key === upstream?.key),
      'a pool key went upstream',
    );
    assert.deepEqual(lastUpstreamBody(':generateContent').contents, [
      { role: 'user', parts: [{ text: 'Where is Google based?' }] },
    ]);
  });

  test('a streamed completion arrives in chunks, with finish_reason and a usage chunk', async () => {
    const stream = await client.chat.completions.create({
      model: 'gemini-3-pro-preview',
      messages: [{ role: 'user', content: 'Capital of Mexico?' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let content = '';
    const finishReasons: string[] = [];
    const usages: OpenAI.CompletionUsage[] = [];
    for await (const chunk of stream) {
      content += chunk.choices[0]?.delta.content ?? '';
      for (const choice of chunk.choices) if (choice.finish_reason) finishReasons.push(choice.finish_reason);
      if (chunk.usage) usages.push(chunk.usage);
    }
    assert.equal(content, 'The capital of Mexico is Mexico City.');
    assert.deepEqual(finishReasons, ['stop']);
    const events = fixtureBytes('stream-alt-sse.txt')
      .toString('utf8')
      .trim()
      .split(/\r?\n\r?\n/);
    const last = JSON.parse(events.at(-1)?.replace(/^data: /, '') ?? '{}') as {
      usageMetadata: { promptTokenCount: number; totalTokenCount: number };
    };
    assert.equal(usages.length, 1);
    assert.equal(usages[0]?.prompt_tokens, last.usageMetadata.promptTokenCount);
    assert.equal(usages[0]?.total_tokens, last.usageMetadata.totalTokenCount);
    assert.ok(bed.mock.requestsTo(':streamGenerateContent?alt=sse').length > 0);
  });

  test('a full tool round trip keeps the thought signature', async () => {
    const tools: OpenAI.ChatCompletionTool[] = [
      {
        type: 'function',
        function: { name: 'now', description: 'The time', parameters: { type: 'object' } },
      },
    ];
    const question: OpenAI.ChatCompletionMessageParam = { role: 'user', content: 'Days until New Year?' };
    const first = await client.chat.completions.create({
      model: 'mock-function-call',
      messages: [question],
      tools,
    });
    const choice = first.choices[0];
    assert.equal(choice?.finish_reason, 'tool_calls');
    const call = choice?.message.tool_calls?.[0] as
      | (OpenAI.ChatCompletionMessageFunctionToolCall & {
          extra_content?: { google?: { thought_signature?: string } };
        })
      | undefined;
    assert.equal(call?.function.name, 'now');
    const recorded = fixtureBytes('generate-content-response-thinking-function-call.json').toString('utf8');
    const signature = /"thoughtSignature": "([^"]+)"/.exec(recorded)?.[1];
    assert.ok(signature !== undefined && call?.extra_content?.google?.thought_signature === signature);

    await client.chat.completions.create({
      model: 'gemini-2.5-flash',
      tools,
      messages: [
        question,
        choice.message,
        { role: 'tool', tool_call_id: call.id, content: '{"date":"2026-11-26"}' },
      ],
    });
    const body = lastUpstreamBody('gemini-2.5-flash:generateContent');
    assert.deepEqual(body.contents.slice(1), [
      { role: 'model', parts: [{ functionCall: { name: 'now', args: {} }, thoughtSignature: signature }] },
      { role: 'user', parts: [{ functionResponse: { name: 'now', response: { date: '2026-11-26' } } }] },
    ]);
  });

  test('a streamed tool call comes as tool_calls with its signature', async () => {
    const stream = await client.chat.completions.create({
      model: 'mock-function-call',
      messages: [{ role: 'user', content: 'Which country?' }],
      tools: [{ type: 'function', function: { name: 'get_country' } }],
      stream: true,
    });
    const calls: Array<{ name: string | undefined; signature: string | undefined }> = [];
    const finishReasons: string[] = [];
    for await (const chunk of stream) {
      for (const choice of chunk.choices) {
        if (choice.finish_reason) finishReasons.push(choice.finish_reason);
        for (const call of choice.delta.tool_calls ?? []) {
          const extra = (call as { extra_content?: { google?: { thought_signature?: string } } })
            .extra_content;
          calls.push({ name: call.function?.name, signature: extra?.google?.thought_signature });
        }
      }
    }
    assert.equal(calls.length, 1);
    assert.equal(calls[0]?.name, 'get_country');
    assert.match(calls[0]?.signature ?? '', /^EpwICpkIAXLI2nx/);
    assert.deepEqual(finishReasons, ['tool_calls']);
  });

  test('response_format, an image data URL and reasoning_effort reach the upstream translated', async () => {
    await client.chat.completions.create({
      model: 'gemini-2.5-flash',
      reasoning_effort: 'low',
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'city',
          schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        },
      },
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Which city is this?' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${pixel}` } },
          ],
        },
      ],
    });
    const body = lastUpstreamBody('gemini-2.5-flash:generateContent');
    assert.deepEqual(body.contents[0]?.parts[1], { inlineData: { mimeType: 'image/png', data: pixel } });
    assert.equal(body.generationConfig?.responseMimeType, 'application/json');
    assert.deepEqual(body.generationConfig?.responseSchema, {
      type: 'object',
      properties: { city: { type: 'string' } },
      required: ['city'],
      propertyOrdering: ['city'],
    });
    assert.deepEqual(body.generationConfig?.thinkingConfig, { thinkingBudget: 1024 });
  });

  test('models.list follows every page and drops the models/ prefix; models.retrieve finds one', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    const recorded = JSON.parse(fixtureBytes('list-models.json').toString('utf8')) as {
      models: Array<{ name: string }>;
    };
    assert.deepEqual(ids, [...recorded.models.map((model) => model.name.slice(7)), 'mock-second-page-model']);
    assert.ok(bed.mock.requestsTo('pageToken=').length > 0, 'the next page was asked for');
    const model = await client.models.retrieve('gemini-2.5-flash');
    assert.deepEqual(model, { id: 'gemini-2.5-flash', object: 'model', created: 0, owned_by: 'google' });
  });

  test('embeddings.create: float as recorded, base64 decoded by the SDK', async () => {
    const recorded = JSON.parse(fixtureBytes('batch-embed-contents-response.json').toString('utf8')) as {
      embeddings: Array<{ values: number[] }>;
    };
    const expected = recorded.embeddings[0]?.values ?? [];
    const floats = await client.embeddings.create({
      model: 'gemini-embedding-001',
      input: 'hello',
      encoding_format: 'float',
    });
    assert.deepEqual(floats.data[0]?.embedding, expected);
    const upstream = lastUpstreamBody('gemini-embedding-001:batchEmbedContents') as unknown as {
      requests: Array<{ model: string; content: unknown }>;
    };
    assert.deepEqual(upstream.requests, [
      { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'hello' }] } },
    ]);
    const decoded = await client.embeddings.create({ model: 'gemini-embedding-001', input: 'hello' });
    assert.deepEqual(decoded.data[0]?.embedding, expected.map(Math.fround));
  });

  test('the /openai/v1 alias answers in OpenAI form whatever the credential', async () => {
    const alias = new OpenAI({ apiKey: clientToken, baseURL: `${bed.service.url}/openai/v1`, maxRetries: 0 });
    const completion = await alias.chat.completions.create({
      model: 'gemini-2.5-flash',
      messages: [{ role: 'user', content: 'hi' }],
    });
    assert.equal(completion.object, 'chat.completion');
    const response = await fetch(`${bed.service.url}/openai/v1/models`, {
      headers: { 'x-goog-api-key': clientToken },
    });
    const list = (await response.json()) as { object: string; data: Array<{ id: string }> };
    assert.equal(list.object, 'list');
    assert.ok(list.data.some((model) => model.id === 'gemini-2.5-flash'));
  });

  test('GET /v1/models with x-goog-api-key is still the native list, byte for byte', async () => {
    for (const init of [
      { headers: { 'x-goog-api-key': clientToken }, query: '' },
      { headers: {}, query: `?key=${clientToken}` },
    ]) {
      const response = await fetch(`${bed.service.url}/v1/models${init.query}`, { headers: init.headers });
      assert.equal(response.status, 200);
      assert.deepEqual(Buffer.from(await response.arrayBuffer()), fixtureBytes('list-models.json'));
    }
    const one = await fetch(`${bed.service.url}/v1/models/gemini-2.5-flash`, {
      headers: { 'x-goog-api-key': clientToken },
    });
    assert.match(await one.text(), /"name": "models\/gemini-2.5-flash"/);
  });

  test("Google's own OpenAI-compatible endpoint passes through with the pool key as bearer", async () => {
    const google = new OpenAI({
      apiKey: clientToken,
      baseURL: `${bed.service.url}/v1beta/openai/`,
      maxRetries: 0,
    });
    const completion = await google.chat.completions.create({
      model: 'gemini-2.5-flash',
      messages: [{ role: 'user', content: 'What time is it?' }],
    });
    assert.equal(completion.choices[0]?.message.content, 'The current time is Noon.');
    const upstream = bed.mock.requestsTo('/v1beta/openai/chat/completions').at(-1);
    const bearer = /^Bearer (.+)$/.exec(String(upstream?.headers.authorization))?.[1];
    assert.ok(
      poolKeys.some((key) => key === bearer),
      'a pool key went upstream as bearer',
    );
    assert.equal(upstream?.headers['x-goog-api-key'], undefined);
  });
});
