import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { clientToken, poolKeys, wrongToken } from './helpers/secrets.ts';
import { startService } from './helpers/start-service.ts';
import { waitFor } from './helpers/wait-for.ts';
import { useMockAndService } from './helpers/with-service.ts';
import { fixtureBytes } from './mock-upstream/fixtures.ts';
import { MockGemini } from './mock-upstream/mock-gemini.ts';

const user = { role: 'user', content: 'hi' } as const;

describe('OpenAI-surface errors come out the way the openai SDK expects', () => {
  let client: OpenAI;

  const bed = useMockAndService();

  before(async () => {
    client = new OpenAI({ apiKey: clientToken, baseURL: `${bed.service.url}/v1`, maxRetries: 0 });
  });

  async function rejection(promise: Promise<unknown>): Promise<unknown> {
    try {
      await promise;
    } catch (error) {
      return error;
    }
    assert.fail('expected the call to fail');
  }

  test('a wrong token → AuthenticationError', async () => {
    const wrong = new OpenAI({ apiKey: wrongToken, baseURL: `${bed.service.url}/v1`, maxRetries: 0 });
    const before = bed.mock.received.length;
    const error = await rejection(
      wrong.chat.completions.create({ model: 'gemini-2.5-flash', messages: [user] }),
    );
    assert.ok(error instanceof OpenAI.AuthenticationError);
    assert.equal(error.type, 'authentication_error');
    assert.equal(bed.mock.received.length, before);
  });

  test('an upstream 404 → NotFoundError with Gemini’s message', async () => {
    const error = await rejection(
      client.chat.completions.create({ model: 'mock-error-404-model-not-found-v1beta', messages: [user] }),
    );
    assert.ok(error instanceof OpenAI.NotFoundError);
    const recorded = JSON.parse(fixtureBytes('error-404-model-not-found-v1beta.json').toString('utf8')) as {
      error: { message: string };
    };
    assert.match(error.message, new RegExp(`^404 ${recorded.error.message.slice(0, 40)}`));
    assert.equal(error.code, 'not_found');
  });

  // This recording names no model in its QuotaFailure, so only its own model cools (not gemini-2.5-flash).
  test('a 429 from every key → RateLimitError with retry-after', async () => {
    const before = bed.mock.requestsTo('mock-error-429-no-details').length;
    const error = await rejection(
      client.chat.completions.create({ model: 'mock-error-429-no-details', messages: [user] }),
    );
    assert.ok(error instanceof OpenAI.RateLimitError);
    assert.match(error.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
    assert.equal(bed.mock.requestsTo('mock-error-429-no-details').length - before, 3, 'every key was tried');
  });

  for (const [name, body, param] of [
    ['missing messages', { model: 'gemini-2.5-flash' }, 'messages'],
    ['a wrong type', { model: 'gemini-2.5-flash', messages: [user], temperature: 'hot' }, 'temperature'],
    [
      'an unknown role',
      { model: 'gemini-2.5-flash', messages: [{ role: 'wizard', content: 'x' }] },
      'messages[0].role',
    ],
    [
      'a tool message without its call',
      { model: 'gemini-2.5-flash', messages: [user, { role: 'tool', tool_call_id: 'call_1', content: '1' }] },
      'messages[1].tool_call_id',
    ],
  ] as const) {
    test(`${name} → BadRequestError naming ${param}, nothing sent upstream`, async () => {
      const before = bed.mock.received.length;
      const error = await rejection(
        client.chat.completions.create(body as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming),
      );
      assert.ok(error instanceof OpenAI.BadRequestError);
      assert.equal(error.param, param);
      assert.equal(error.type, 'invalid_request_error');
      assert.equal(bed.mock.received.length, before);
    });
  }

  test('GET /v1/models answers a wrong token in the caller’s own format', async () => {
    const wrong = new OpenAI({ apiKey: wrongToken, baseURL: `${bed.service.url}/v1`, maxRetries: 0 });
    const error = await rejection(wrong.models.list());
    assert.ok(error instanceof OpenAI.AuthenticationError);
    assert.equal(error.type, 'authentication_error');
    const native = await fetch(`${bed.service.url}/v1/models`, { headers: { 'x-goog-api-key': wrongToken } });
    assert.equal(native.status, 401);
    assert.equal(((await native.json()) as { error: { status: string } }).error.status, 'UNAUTHENTICATED');
  });

  test('models.retrieve of an unknown model → NotFoundError', async () => {
    const error = await rejection(client.models.retrieve('no-such-model'));
    assert.ok(error instanceof OpenAI.NotFoundError);
    assert.equal(error.type, 'not_found_error');
  });

  test('malformed JSON → 400 in OpenAI form', async () => {
    const response = await fetch(`${bed.service.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${clientToken}`, 'content-type': 'application/json' },
      body: '{"model": "gemini-2.5-flash", "messages": [',
    });
    assert.equal(response.status, 400);
    const body = (await response.json()) as { error: Record<string, unknown> };
    assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message', 'param', 'type']);
    assert.equal(body.error.type, 'invalid_request_error');
  });

  test('a body is read as JSON whatever its content type says (curl -d sends form encoding)', async () => {
    const response = await fetch(`${bed.service.url}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${clientToken}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: JSON.stringify({ model: 'gemini-2.5-flash', messages: [user] }),
    });
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as { object: string }).object, 'chat.completion');
  });

  test('a bare {"error":…} after the last event ends the stream with an APIError', async () => {
    const stream = await client.chat.completions.create({
      model: 'mock-midstream-error',
      messages: [user],
      stream: true,
    });
    let content = '';
    const error = await rejection(
      (async () => {
        for await (const chunk of stream) content += chunk.choices[0]?.delta.content ?? '';
      })(),
    );
    assert.ok(error instanceof OpenAI.APIError);
    assert.equal(error.message, 'The operation was cancelled.');
    assert.equal(error.code, 'cancelled');
    assert.ok(content.startsWith('First Second '), 'the text before the error arrived');
  });

  test('an upstream body cut midway ends with an error event and never [DONE]', async () => {
    const response = await fetch(`${bed.service.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${clientToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'mock-cut-stream', messages: [user], stream: true }),
    });
    assert.equal(response.status, 200);
    const text = await response.text();
    assert.match(text, /"content":"The capital of Mexico"/);
    assert.match(text, /data: \{"error":\{[^\n]*"code":"upstream_stream_failed"/);
    assert.ok(!text.includes('[DONE]'));
  });

  test('a stream that ends cleanly but never says how it finished is an error, not a fake stop', async () => {
    bed.mock.override = (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.end(
        'data: {"candidates": [{"content": {"parts": [{"text": "Once upon"}],"role": "model"},"index": 0}]}\r\n\r\n',
      );
      return true;
    };
    try {
      const seen: string[] = [];
      await assert.rejects(async () => {
        const stream = await client.chat.completions.create({
          model: 'gemini-2.5-flash',
          messages: [user],
          stream: true,
        });
        for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? '');
      }, OpenAI.APIError);
      assert.equal(seen.join(''), 'Once upon');
    } finally {
      bed.mock.override = undefined;
    }
  });

  test('a client that goes away mid-stream closes the upstream request', async () => {
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      { model: 'mock-endless-stream', messages: [user], stream: true },
      { signal: controller.signal },
    );
    for await (const _chunk of stream) break;
    const upstream = bed.mock.requestsTo('mock-endless-stream').at(-1);
    assert.ok(upstream !== undefined);
    await waitFor(() => upstream.closedAt !== undefined, { timeoutMs: 1000 });
    assert.ok(upstream.closedAt !== undefined, 'the upstream request closed within a second');
  });
});

describe('an upstream 429 answered after the last retry', () => {
  test('keeps Gemini’s message and turns its RetryInfo into retry-after', async () => {
    const mock = await MockGemini.start();
    // One key: after its 429 the pool really is out of quota (with keys left, the answer is a 503 "retry").
    const service = await startService(mock.url, { MAX_RETRIES: '0', GEMINI_API_KEYS: poolKeys[0] });
    try {
      const client = new OpenAI({ apiKey: clientToken, baseURL: `${service.url}/v1`, maxRetries: 0 });
      const error = await client.chat.completions
        .create({ model: 'mock-error-429-resource-exhausted', messages: [user] })
        .then(
          () => undefined,
          (failure: unknown) => failure,
        );
      assert.ok(error instanceof OpenAI.RateLimitError);
      assert.equal(mock.requestsTo('mock-error-429').length, 1, 'one attempt, as configured');
      // RetryInfo's "26s" is whole seconds cut down: the key is back after 27.
      assert.equal(error.headers.get('retry-after'), '27');
      assert.match(error.message, /^429 You exceeded your current quota/);
      assert.equal(error.code, 'resource_exhausted');
    } finally {
      await service.close();
      await mock.close();
    }
  });
});
