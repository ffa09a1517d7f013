import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { describe, test } from 'node:test';
import OpenAI from 'openai';
import { clientToken } from './helpers/secrets.ts';
import { useMockAndService } from './helpers/with-service.ts';
import { fixtureBytes } from './mock-upstream/fixtures.ts';
import type { ReceivedRequest } from './mock-upstream/mock-gemini.ts';

/*
 * Chat completions, round two, with the official openai SDK: Google's tools and grounding
 * citations, code execution, logprobs, images and audio in answers, service_tier, n > 1 streams,
 * parallel_tool_calls, and embeddings usage. Grounding and code execution replay recorded answers;
 * the logprob, multi-candidate, image and audio answers are written after Google's documented shapes.
 */

const pixel = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';
const pcm = Buffer.from([1, 0, 2, 0, 3, 0, 4, 0]);

const logprobsResult = {
  topCandidates: [
    {
      candidates: [
        { token: 'Yes', logProbability: -0.01 },
        { token: 'No', logProbability: -4.6 },
      ],
    },
    { candidates: [{ token: '.', logProbability: -0.2 }] },
  ],
  chosenCandidates: [
    { token: 'Yes', logProbability: -0.01 },
    { token: '.', logProbability: -0.2 },
  ],
};

function sse(response: ServerResponse, events: unknown[]): true {
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  for (const event of events) response.write(`data: ${JSON.stringify(event)}\r\n\r\n`);
  response.end();
  return true;
}

function json(response: ServerResponse, body: unknown | Buffer): true {
  response.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
  response.end(Buffer.isBuffer(body) ? body : JSON.stringify(body));
  return true;
}

const stop = (parts: unknown[], extra: Record<string, unknown> = {}) => ({
  candidates: [{ content: { role: 'model', parts }, finishReason: 'STOP', index: 0, ...extra }],
});

function answers(request: ReceivedRequest, response: ServerResponse): boolean {
  const model = /\/models\/([^/:]+):/.exec(request.url)?.[1] ?? '';
  const streamed = request.url.includes(':streamGenerateContent');
  if (model === 'mock-grounded') {
    const recorded = fixtureBytes('generate-content-response-grounding.json');
    if (!streamed) return json(response, recorded);
    const whole = JSON.parse(recorded.toString('utf8'));
    const text: string = whole.candidates[0].content.parts[0].text;
    const head = {
      candidates: [{ content: { role: 'model', parts: [{ text: text.slice(0, 30) }] }, index: 0 }],
    };
    whole.candidates[0].content.parts[0].text = text.slice(30);
    return sse(response, [head, whole]);
  }
  if (model === 'mock-url-context')
    return json(response, fixtureBytes('generate-content-response-url-context.json'));
  if (model === 'mock-code-execution')
    return json(response, fixtureBytes('generate-content-response-code-execution.json'));
  if (model === 'mock-logprobs') {
    const answer = stop([{ text: 'Yes.' }], { logprobsResult });
    return streamed ? sse(response, [answer]) : json(response, answer);
  }
  if (model === 'mock-two-candidates') {
    const choice = (index: number, text: string, finishReason?: string) => ({
      content: { role: 'model', parts: [{ text }] },
      index,
      ...(finishReason === undefined ? {} : { finishReason }),
    });
    return sse(response, [
      { candidates: [choice(0, 'One'), choice(1, 'Uno')] },
      { candidates: [choice(1, ' dos', 'STOP')] },
      { candidates: [choice(0, ' two', 'STOP')] },
    ]);
  }
  if (model === 'mock-two-calls') {
    const call = (name: string) => ({ functionCall: { name, args: { city: name } } });
    return json(response, stop([call('first'), call('second')]));
  }
  if (model === 'gemini-2.5-flash-image')
    return json(response, stop([{ text: 'Here.' }, { inlineData: { mimeType: 'image/png', data: pixel } }]));
  if (model === 'gemini-2.5-flash-preview-tts') {
    const audio = {
      inlineData: { mimeType: 'audio/L16;codec=pcm;rate=24000', data: pcm.toString('base64') },
    };
    return streamed ? sse(response, [stop([audio])]) : json(response, stop([audio]));
  }
  return false;
}

type Body = { tools?: unknown[]; generationConfig?: Record<string, unknown>; serviceTier?: string };

describe('chat completions, round two, with the openai SDK', () => {
  const bed = useMockAndService({ override: answers });
  const client = () => new OpenAI({ apiKey: clientToken, baseURL: `${bed.service.url}/v1`, maxRetries: 0 });
  const lastBody = (pathPart: string): Body => {
    const request = bed.mock.requestsTo(pathPart).at(-1);
    assert.ok(request, `the upstream saw ${pathPart}`);
    return JSON.parse(request.body.toString('utf8')) as Body;
  };
  const user = [{ role: 'user' as const, content: 'Weather in London?' }];

  test('web_search_options asks for Google Search; citations come back as url_citation annotations', async () => {
    const completion = await client().chat.completions.create({
      model: 'mock-grounded',
      messages: user,
      web_search_options: {},
    });
    assert.deepEqual(lastBody('mock-grounded:generateContent').tools, [{ googleSearch: {} }]);
    const message = completion.choices[0]?.message;
    const annotations = message?.annotations ?? [];
    assert.equal(annotations.length, 3);
    assert.equal(annotations[0]?.type, 'url_citation');
    assert.equal(annotations[0]?.url_citation.title, 'accuweather.com');
    const { start_index, end_index } = annotations[2]?.url_citation ?? { start_index: 0, end_index: 0 };
    assert.equal(
      message?.content?.slice(start_index, end_index),
      'There is a 0% chance of rain, and the humidity is around 41%.',
    );
  });

  test('streamed grounding: the SDK’s stream helper puts the annotations on the final message', async () => {
    const stream = client().chat.completions.stream({
      model: 'mock-grounded',
      messages: user,
      web_search_options: {},
    });
    const final = await stream.finalChatCompletion();
    const message = final.choices[0]?.message;
    assert.equal(message?.annotations?.length, 3);
    const second = message?.annotations?.[1]?.url_citation;
    assert.equal(
      message?.content?.slice(second?.start_index, second?.end_index),
      'The temperature is 67°F (19°C), but it feels like 75°F (24°C).',
    );
  });

  test('url_context: the page read comes back as citations of the sentences it supports', async () => {
    const completion = await client().chat.completions.create({
      model: 'mock-url-context',
      messages: [{ role: 'user', content: 'Summarise https://berkshirehathaway.com' }],
      tools: [{ type: 'url_context' } as unknown as OpenAI.ChatCompletionTool],
    });
    assert.deepEqual(lastBody('mock-url-context:generateContent').tools, [{ urlContext: {} }]);
    const message = completion.choices[0]?.message;
    const cited = (message?.annotations ?? []).map((annotation) => [
      annotation.url_citation.url,
      message?.content?.slice(annotation.url_citation.start_index, annotation.url_citation.end_index),
    ]);
    assert.equal(cited.length, 4);
    assert.deepEqual(cited[0], [
      'https://berkshirehathaway.com',
      'Buffett, annual and interim reports, and news releases.',
    ]);
  });

  test('Google tool types and extra_body.google.tools become Gemini tools beside the functions', async () => {
    await client().chat.completions.create({
      model: 'gemini-2.5-flash',
      messages: user,
      tools: [
        {
          type: 'function',
          function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } },
        },
        { type: 'url_context' } as unknown as OpenAI.ChatCompletionTool,
        { type: 'code_execution' } as unknown as OpenAI.ChatCompletionTool,
      ],
      // @ts-expect-error Google's extension field
      extra_body: { google: { tools: [{ google_search: {} }] } },
    });
    const tools = lastBody('gemini-2.5-flash:generateContent').tools as Array<Record<string, unknown>>;
    const functions = tools[0]?.functionDeclarations as Array<{ name: string }>;
    assert.deepEqual(
      functions.map((declaration) => declaration.name),
      ['lookup'],
    );
    assert.deepEqual(tools.slice(1), [{ urlContext: {} }, { codeExecution: {} }, { googleSearch: {} }]);
  });

  test('code execution comes back as fenced code and output in the content', async () => {
    const completion = await client().chat.completions.create({
      model: 'mock-code-execution',
      messages: user,
    });
    const content = completion.choices[0]?.message.content ?? '';
    assert.match(content, /```python\nprime_numbers = \[2, 3, 5, 7, 11\]/);
    assert.match(content, /```\nsum_of_primes=28\n```/);
  });

  test('logprobs are asked for and come back parsed by the SDK, plain and streamed', async () => {
    const completion = await client().chat.completions.create({
      model: 'mock-logprobs',
      messages: user,
      logprobs: true,
      top_logprobs: 2,
    });
    assert.deepEqual(lastBody('mock-logprobs:generateContent').generationConfig, {
      responseLogprobs: true,
      logprobs: 2,
    });
    const content = completion.choices[0]?.logprobs?.content ?? [];
    assert.deepEqual(
      content.map((entry) => [entry.token, entry.logprob, entry.top_logprobs.map((top) => top.token)]),
      [
        ['Yes', -0.01, ['Yes', 'No']],
        ['.', -0.2, ['.']],
      ],
    );
    const stream = client().chat.completions.stream({
      model: 'mock-logprobs',
      messages: user,
      logprobs: true,
    });
    const final = await stream.finalChatCompletion();
    assert.deepEqual(
      final.choices[0]?.logprobs?.content?.map((entry) => entry.token),
      ['Yes', '.'],
    );
  });

  test('n > 1 in a stream: each candidate is its own choice, each with its finish reason', async () => {
    const stream = await client().chat.completions.create({
      model: 'mock-two-candidates',
      messages: user,
      n: 2,
      stream: true,
    });
    const texts = ['', ''];
    const finishes: Array<[number, string]> = [];
    for await (const chunk of stream) {
      for (const choice of chunk.choices) {
        texts[choice.index] += choice.delta.content ?? '';
        if (choice.finish_reason) finishes.push([choice.index, choice.finish_reason]);
      }
    }
    assert.deepEqual(texts, ['One two', 'Uno dos']);
    assert.deepEqual(finishes, [
      [0, 'stop'],
      [1, 'stop'],
    ]);
    assert.equal(lastBody('mock-two-candidates:streamGenerateContent').generationConfig?.candidateCount, 2);
  });

  test('parallel_tool_calls: false keeps only the first call; service_tier goes up and is echoed', async () => {
    const tools: OpenAI.ChatCompletionTool[] = [
      { type: 'function', function: { name: 'first' } },
      { type: 'function', function: { name: 'second' } },
    ];
    const serial = await client().chat.completions.create({
      model: 'mock-two-calls',
      messages: user,
      tools,
      parallel_tool_calls: false,
      service_tier: 'flex',
    });
    assert.deepEqual(
      serial.choices[0]?.message.tool_calls?.map((call) => call.type === 'function' && call.function.name),
      ['first'],
    );
    assert.equal(serial.service_tier, 'flex');
    assert.equal(lastBody('mock-two-calls:generateContent').serviceTier, 'flex');
    const parallel = await client().chat.completions.create({
      model: 'mock-two-calls',
      messages: user,
      tools,
    });
    assert.equal(parallel.choices[0]?.message.tool_calls?.length, 2);
  });

  test('an image in a chat answer is an image part, not markdown in the content', async () => {
    const completion = await client().chat.completions.create({
      model: 'gemini-2.5-flash-image',
      messages: user,
      modalities: ['text', 'image'] as unknown as ['text'],
    });
    const message = completion.choices[0]?.message as OpenAI.ChatCompletionMessage & {
      images?: Array<{ image_url: { url: string } }>;
    };
    assert.equal(message.content, 'Here.');
    assert.equal(message.images?.[0]?.image_url.url, `data:image/png;base64,${pixel}`);
    assert.deepEqual(lastBody('gemini-2.5-flash-image:generateContent').generationConfig, {
      responseModalities: ['TEXT', 'IMAGE'],
    });
  });

  test('modalities ["audio"]: a WAV in message.audio, pcm16 deltas in a stream, mp3 a clear 400', async () => {
    const completion = await client().chat.completions.create({
      model: 'gemini-2.5-flash-preview-tts',
      messages: [{ role: 'user', content: 'Say hi' }],
      modalities: ['audio'],
      audio: { voice: 'alloy', format: 'wav' },
    });
    const wav = Buffer.from(completion.choices[0]?.message.audio?.data ?? '', 'base64');
    assert.equal(wav.subarray(0, 4).toString('latin1'), 'RIFF');
    assert.ok(wav.subarray(44).equals(pcm));
    assert.deepEqual(lastBody('gemini-2.5-flash-preview-tts:generateContent').generationConfig, {
      responseModalities: ['AUDIO'],
      speechConfig: { voiceConfig: { prebuiltVoiceConfig: { voiceName: 'Kore' } } },
    });
    const stream = await client().chat.completions.create({
      model: 'gemini-2.5-flash-preview-tts',
      messages: [{ role: 'user', content: 'Say hi' }],
      modalities: ['audio'],
      audio: { voice: 'alloy', format: 'pcm16' },
      stream: true,
    });
    let streamed = '';
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta as { audio?: { data?: string } } | undefined;
      streamed += delta?.audio?.data ?? '';
    }
    assert.ok(Buffer.from(streamed, 'base64').equals(pcm));
    await assert.rejects(
      client().chat.completions.create({
        model: 'gemini-2.5-flash-preview-tts',
        messages: user,
        modalities: ['audio'],
        audio: { voice: 'alloy', format: 'mp3' },
      }),
      (error: unknown) => error instanceof OpenAI.BadRequestError && error.param === 'audio.format',
    );
  });

  test('embeddings report the token count from countTokens; an unknown model names the embedding models', async () => {
    const result = await client().embeddings.create({
      model: 'gemini-embedding-001',
      input: ['hello', 'world'],
    });
    const counted = JSON.parse(fixtureBytes('count-tokens-response.json').toString('utf8')) as {
      totalTokens: number;
    };
    assert.equal(result.usage.prompt_tokens, counted.totalTokens);
    assert.equal(result.usage.total_tokens, counted.totalTokens);
    assert.ok(bed.mock.requestsTo('gemini-embedding-001:countTokens').length > 0);
    await assert.rejects(
      client().embeddings.create({ model: 'mock-error-404-model-not-found-v1beta', input: 'hello' }),
      (error: unknown) =>
        error instanceof OpenAI.NotFoundError &&
        error.param === 'model' &&
        /Models that can: .*gemini-embedding-001/.test(error.message),
    );
  });
});
