import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { createImageFetcher, type ImageFetcher } from '../src/media/fetch-remote-image.ts';
import type { StreamEvent } from '../src/surfaces/anthropic/translate/anthropic-types.ts';
import { accumulateMessage } from '../src/surfaces/anthropic/translate/convert-message-response.ts';
import { bypassSignature } from '../src/translate/thought-signatures.ts';
import { nativeCall } from './helpers/native-call.ts';
import { clientToken } from './helpers/secrets.ts';
import { type RunningService, startService } from './helpers/start-service.ts';
import { fixtureBytes } from './mock-upstream/fixtures.ts';
import { scriptedAnswers } from './mock-upstream/gemini3-rules.ts';
import { MockGemini } from './mock-upstream/mock-gemini.ts';

type UpstreamBody = {
  contents: Array<{ role: string; parts: Array<Record<string, unknown>> }>;
  systemInstruction?: { parts: Array<{ text: string }> };
  tools?: Array<Record<string, unknown>>;
  generationConfig?: Record<string, unknown>;
  generateContentRequest?: UpstreamBody & { model: string };
};

/** A 1×1 PNG. */
const pixel = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';
/** The first bytes of a PDF, enough for the upstream to be sent a document. */
const pdf = Buffer.from('%PDF-1.4\n%%EOF\n').toString('base64');
const countryTool: Anthropic.Tool = {
  name: 'get_country',
  description: 'The country the user is in',
  input_schema: { type: 'object', properties: {} },
};
const recordedSignature = (name: string) =>
  /"thoughtSignature": "([^"]+)"/.exec(fixtureBytes(name).toString('utf8'))?.[1];

describe('the Anthropic surface with the official @anthropic-ai/sdk', () => {
  let mock: MockGemini;
  let service: RunningService;
  let client: Anthropic;
  let images: Server;
  let fetcher: ImageFetcher;

  before(async () => {
    mock = await MockGemini.start();
    images = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'image/png' });
      response.end(Buffer.from(pixel, 'base64'));
    });
    await new Promise<void>((resolve) => images.listen(0, '127.0.0.1', resolve));
    // Loopback stands in for the internet here.
    fetcher = createImageFetcher({ isAllowed: (address) => address === '127.0.0.1' });
    service = await startService(mock.url, { ANTHROPIC_PING_INTERVAL_MS: '20' }, { images: fetcher });
    client = new Anthropic({ apiKey: clientToken, baseURL: service.url, maxRetries: 0 });
  });
  after(async () => {
    await service.close();
    await fetcher.close();
    images.close();
    await mock.close();
  });

  function lastUpstreamBody(pathPart: string): UpstreamBody {
    const request = mock.requestsTo(pathPart).at(-1);
    assert.ok(request, `the upstream saw a request to ${pathPart}`);
    return JSON.parse(request.body.toString('utf8')) as UpstreamBody;
  }

  test('messages.create: the recorded answer, end_turn, usage; x-api-key accepted', async () => {
    const message = await client.messages.create({
      model: 'gemini-2.5-flash',
      max_tokens: 256,
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'Where is Google based?' }],
    });
    const recorded = JSON.parse(fixtureBytes('generate-content-response.json').toString('utf8')) as {
      candidates: Array<{ content: { parts: Array<{ text: string }> } }>;
      usageMetadata: { promptTokenCount: number; candidatesTokenCount: number };
    };
    assert.equal(message.type, 'message');
    assert.equal(message.model, 'gemini-2.5-flash');
    assert.deepEqual(message.content, [
      { type: 'text', text: recorded.candidates[0]?.content.parts[0]?.text },
    ]);
    assert.equal(message.stop_reason, 'end_turn');
    assert.equal(message.usage.input_tokens, recorded.usageMetadata.promptTokenCount);
    assert.equal(message.usage.output_tokens, recorded.usageMetadata.candidatesTokenCount);
    assert.equal(message.usage.cache_read_input_tokens, 0);
    const body = lastUpstreamBody('gemini-2.5-flash:generateContent');
    assert.deepEqual(body.systemInstruction, { parts: [{ text: 'Be brief.' }] });
    assert.deepEqual(body.contents, [{ role: 'user', parts: [{ text: 'Where is Google based?' }] }]);
  });

  test('a bearer token works too (ANTHROPIC_AUTH_TOKEN)', async () => {
    const bearer = new Anthropic({
      authToken: clientToken,
      apiKey: null,
      baseURL: service.url,
      maxRetries: 0,
    });
    const message = await bearer.messages.create({
      model: 'gemini-2.5-flash',
      max_tokens: 16,
      messages: [{ role: 'user', content: 'hi' }],
    });
    assert.equal(message.role, 'assistant');
  });

  test("a stream: every event matches the SDK accumulator's snapshot, event by event", async () => {
    const stream = client.messages.stream({
      model: 'gemini-3-pro-preview',
      max_tokens: 256,
      messages: [{ role: 'user', content: 'Capital of Mexico?' }],
    });
    const events: StreamEvent[] = [];
    stream.on('streamEvent', (event, snapshot) => {
      // Copied as it arrives: the SDK goes on to mutate message_start's message as its snapshot.
      events.push(JSON.parse(JSON.stringify(event)) as StreamEvent);
      if (event.type === 'message_stop') return;
      assert.deepEqual(
        JSON.parse(JSON.stringify(snapshot)),
        accumulateMessage(events),
        `after ${event.type}`,
      );
    });
    const final = await stream.finalMessage();
    assert.deepEqual(
      events.map((event) => event.type),
      [
        'message_start',
        'content_block_start',
        'content_block_delta',
        'content_block_delta',
        'content_block_stop',
        'message_delta',
        'message_stop',
      ],
    );
    assert.deepEqual(final.content, [{ type: 'text', text: 'The capital of Mexico is Mexico City.' }]);
    assert.equal(final.stop_reason, 'end_turn');
    assert.equal(final.usage.input_tokens, 257);
    assert.equal(final.usage.output_tokens, 8);
  });

  for (const model of ['mock-thinking', 'mock-function-call']) {
    test(`${model}: thinking, signature and tool_use events match the SDK's snapshots too`, async () => {
      const stream = client.messages.stream({
        model,
        max_tokens: 256,
        thinking: { type: 'enabled', budget_tokens: 1024 },
        tools: [countryTool],
        messages: [{ role: 'user', content: 'Think, then answer.' }],
      });
      const events: StreamEvent[] = [];
      stream.on('streamEvent', (event, snapshot) => {
        events.push(JSON.parse(JSON.stringify(event)) as StreamEvent);
        if (event.type !== 'message_stop')
          assert.deepEqual(
            JSON.parse(JSON.stringify(snapshot)),
            accumulateMessage(events),
            `after ${event.type}`,
          );
      });
      const final = await stream.finalMessage();
      const kinds = final.content.map((block) => block.type);
      assert.deepEqual(kinds, model === 'mock-thinking' ? ['thinking', 'text'] : ['thinking', 'tool_use']);
      assert.equal(events.at(-1)?.type, 'message_stop');
    });
  }

  test('the mock enforces Gemini 3: an unsigned functionCall sent back is the recorded 400', async () => {
    const body = JSON.stringify({
      contents: [
        { role: 'user', parts: [{ text: 'Which country?' }] },
        { role: 'model', parts: [{ functionCall: { name: 'get_country', args: {} } }] },
        { role: 'user', parts: [{ functionResponse: { name: 'get_country', response: { output: 'MX' } } }] },
      ],
    });
    const response = await nativeCall(service.url, 'gemini-3-pro-preview:generateContent', body);
    assert.equal(response.status, 400);
    assert.match(
      await response.text(),
      /missing a thought_signature.*default_api:get_country` , position 2\./,
    );
  });

  test('a tool loop on Gemini 3 with thinking: the signature goes back, the image result arrives', async () => {
    const script = scriptedAnswers([
      { sse: 'stream-alt-sse-function-call-gemini3.txt' },
      { sse: 'stream-alt-sse.txt' },
    ]);
    mock.override = script;
    try {
      const question: Anthropic.MessageParam = {
        role: 'user',
        content: 'Which country am I in, and its capital?',
      };
      const request = {
        model: 'gemini-3-pro-preview',
        max_tokens: 2048,
        thinking: { type: 'enabled' as const, budget_tokens: 1024 },
        tools: [countryTool],
      };
      const first = await client.messages.stream({ ...request, messages: [question] }).finalMessage();
      assert.equal(first.stop_reason, 'tool_use');
      const toolUse = first.content.find((block) => block.type === 'tool_use');
      assert.ok(toolUse?.type === 'tool_use' && toolUse.name === 'get_country');
      const signature = recordedSignature('stream-alt-sse-function-call-gemini3.txt');
      assert.deepEqual(first.content[0], { type: 'thinking', thinking: '', signature });
      assert.deepEqual(lastUpstreamBody(':streamGenerateContent').generationConfig, {
        maxOutputTokens: 2048,
        thinkingConfig: { thinkingLevel: 'low', includeThoughts: true },
      });

      const result: Anthropic.ToolResultBlockParam = {
        type: 'tool_result',
        tool_use_id: toolUse.id,
        content: [
          { type: 'text', text: 'Mexico' },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: pixel } },
        ],
      };
      const second = await client.messages
        .stream({
          ...request,
          messages: [
            question,
            { role: 'assistant', content: first.content },
            { role: 'user', content: [result] },
          ],
        })
        .finalMessage();
      assert.equal(second.stop_reason, 'end_turn');
      assert.deepEqual(second.content, [{ type: 'text', text: 'The capital of Mexico is Mexico City.' }]);
      assert.equal(script.served(), 2);
      const sent = lastUpstreamBody(':streamGenerateContent').contents;
      assert.deepEqual(sent[1], {
        role: 'model',
        parts: [{ functionCall: { name: 'get_country', args: {} }, thoughtSignature: signature }],
      });
      assert.deepEqual(sent[2]?.parts, [
        { functionResponse: { name: 'get_country', response: { output: 'Mexico' } } },
        { inlineData: { mimeType: 'image/png', data: pixel } },
      ]);

      // A client that drops the thinking block: the service remembers the signature by tool-use id.
      const dropped = first.content.filter((block) => block.type !== 'thinking');
      await client.messages.create({
        ...request,
        messages: [question, { role: 'assistant', content: dropped }, { role: 'user', content: [result] }],
      });
      assert.equal(lastUpstreamBody(':generateContent').contents[1]?.parts[0]?.thoughtSignature, signature);

      // A history the service never saw (another proxy, another model): Google's bypass value.
      const foreign = await client.messages.create({
        ...request,
        messages: [
          question,
          {
            role: 'assistant',
            content: [{ type: 'tool_use', id: 'toolu_elsewhere', name: 'get_country', input: {} }],
          },
          {
            role: 'user',
            content: [{ type: 'tool_result', tool_use_id: 'toolu_elsewhere', content: 'Mexico' }],
          },
        ],
      });
      assert.equal(foreign.type, 'message');
      assert.equal(
        lastUpstreamBody(':generateContent').contents[1]?.parts[0]?.thoughtSignature,
        bypassSignature,
      );
    } finally {
      mock.override = undefined;
    }
  });

  test("count_tokens is Gemini's own count of the whole request", async () => {
    const count = await client.messages.countTokens({
      model: 'claude-sonnet-4-5',
      system: 'Be brief.',
      tools: [countryTool],
      messages: [{ role: 'user', content: 'The quick brown fox jumps over the lazy dog.' }],
    });
    assert.deepEqual(count, { input_tokens: 10 });
    const body = lastUpstreamBody('gemini-2.5-pro:countTokens').generateContentRequest;
    assert.equal(body?.model, 'models/gemini-2.5-pro');
    assert.deepEqual(body?.systemInstruction, { parts: [{ text: 'Be brief.' }] });
    assert.deepEqual(body?.tools, [
      { functionDeclarations: [{ name: 'get_country', description: 'The country the user is in' }] },
    ]);
  });

  test('images (base64 and URL) and a PDF go up as inline data', async () => {
    const url = `http://127.0.0.1:${(images.address() as AddressInfo).port}/pixel.png`;
    await client.messages.create({
      model: 'gemini-2.5-flash',
      max_tokens: 64,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: pixel } },
            { type: 'image', source: { type: 'url', url } },
            { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: pdf } },
            { type: 'text', text: 'Describe these.' },
          ],
        },
      ],
    });
    assert.deepEqual(lastUpstreamBody('gemini-2.5-flash:generateContent').contents[0]?.parts, [
      { inlineData: { mimeType: 'image/png', data: pixel } },
      { inlineData: { mimeType: 'image/png', data: pixel } },
      { inlineData: { mimeType: 'application/pdf', data: pdf } },
      { text: 'Describe these.' },
    ]);
  });

  test('a silent upstream gets pings; the stream then completes', async () => {
    const response = await fetch(`${service.url}/v1/messages`, {
      method: 'POST',
      headers: {
        'x-api-key': clientToken,
        'anthropic-version': '2023-06-01',
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        model: 'mock-held-stream',
        max_tokens: 64,
        stream: true,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    });
    assert.equal(response.status, 200);
    assert.ok(response.body);
    const decoder = new TextDecoder();
    let text = '';
    let released = false;
    for await (const chunk of response.body) {
      text += decoder.decode(chunk, { stream: true });
      if (!released && text.includes('event: ping')) {
        released = true;
        mock.releaseHeldStream();
      }
    }
    assert.ok(released, 'a ping came while the upstream was silent');
    const types = [...text.matchAll(/^event: (\w+)$/gm)].map((match) => match[1]);
    assert.equal(types[0], 'message_start');
    assert.equal(types.at(-1), 'message_stop');
    assert.match(text, /"text":"The capital of Mexico"/);
  });

  test('a stream failing midway ends in an error event the SDK raises', async () => {
    const stream = client.messages.stream({
      model: 'mock-midstream-error',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'hi' }],
    });
    await assert.rejects(stream.finalMessage(), (error: unknown) => {
      assert.ok(error instanceof Anthropic.APIError, String(error));
      assert.match(error.message, /The operation was cancelled\./);
      return true;
    });
  });
});
