import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { clientToken, wrongToken } from './helpers/secrets.ts';
import { useMockAndService, withService } from './helpers/with-service.ts';
import { fixtureBytes } from './mock-upstream/fixtures.ts';
import { replyWith } from './mock-upstream/mock-gemini.ts';

const user: Anthropic.MessageParam = { role: 'user', content: 'hi' };

/** The SDK's error for a request, after checking it carries Anthropic's error body. */
async function failure(
  client: Anthropic,
  model: string,
  extra: Record<string, unknown> = {},
): Promise<InstanceType<typeof Anthropic.APIError>> {
  try {
    await client.messages.create({ model, max_tokens: 16, messages: [user], ...extra });
  } catch (error) {
    assert.ok(error instanceof Anthropic.APIError, String(error));
    const body = error.error as { type?: string; error?: { type?: string; message?: string } };
    assert.equal(body.type, 'error');
    assert.equal(typeof body.error?.message, 'string');
    return error;
  }
  assert.fail('expected an error');
}

describe("errors in Anthropic's format", () => {
  const bed = useMockAndService();
  const anthropic = () => new Anthropic({ apiKey: clientToken, baseURL: bed.service.url, maxRetries: 0 });

  test('400: an invalid request is invalid_request_error, naming the field, and nothing goes upstream', async () => {
    const before = bed.mock.received.length;
    const error = await failure(anthropic(), 'gemini-2.5-flash', { max_tokens: 'lots' });
    assert.ok(error instanceof Anthropic.BadRequestError);
    assert.equal(error.type, 'invalid_request_error');
    assert.match(error.message, /max_tokens/);
    assert.equal(bed.mock.received.length, before);
  });

  test('401: a wrong token is authentication_error', async () => {
    const stranger = new Anthropic({ apiKey: wrongToken, baseURL: bed.service.url, maxRetries: 0 });
    const error = await failure(stranger, 'gemini-2.5-flash');
    assert.ok(error instanceof Anthropic.AuthenticationError);
    assert.equal(error.type, 'authentication_error');
  });

  test('404: an unknown model is not_found_error; an unknown path under /v1/messages too', async () => {
    const error = await failure(anthropic(), 'mock-error-404-model-not-found-v1beta');
    assert.ok(error instanceof Anthropic.NotFoundError);
    assert.equal(error.type, 'not_found_error');
    const response = await fetch(`${bed.service.url}/v1/messages/batches`, {
      headers: { 'x-api-key': clientToken },
    });
    assert.equal(response.status, 404);
    assert.equal(((await response.json()) as { error: { type: string } }).error.type, 'not_found_error');
  });

  test('500 is api_error, 503 overloaded_error', async () => {
    const internal = await failure(anthropic(), 'mock-error-500-internal');
    assert.ok(internal instanceof Anthropic.InternalServerError);
    assert.equal(internal.type, 'api_error');
    const overloaded = await failure(anthropic(), 'mock-error-503-overloaded');
    assert.equal(overloaded.status, 503);
    assert.equal(overloaded.type, 'overloaded_error');
  });

  test('a malformed JSON body is a 400 in the same shape', async () => {
    const response = await fetch(`${bed.service.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': clientToken, 'content-type': 'application/json' },
      body: '{"model":',
    });
    assert.equal(response.status, 400);
    assert.equal(
      ((await response.json()) as { type: string; error: { type: string } }).error.type,
      'invalid_request_error',
    );
  });
});

test('429: every key out of quota is rate_limit_error with retry-after', async () => {
  await withService(
    { override: replyWith(429, fixtureBytes('error-429-resource-exhausted.json')) },
    async ({ service }) => {
      const client = new Anthropic({ apiKey: clientToken, baseURL: service.url, maxRetries: 0 });
      const error = await failure(client, 'gemini-2.5-flash');
      assert.ok(error instanceof Anthropic.RateLimitError);
      assert.equal(error.type, 'rate_limit_error');
      assert.ok(Number(error.headers?.get('retry-after')) > 0, 'retry-after is set');
    },
  );
});

test('400 from Gemini: its message word for word, no key blamed', async () => {
  const recorded = fixtureBytes('error-400-missing-thought-signature.json');
  await withService({ override: replyWith(400, recorded) }, async ({ service }) => {
    const client = new Anthropic({ apiKey: clientToken, baseURL: service.url, maxRetries: 0 });
    const error = await failure(client, 'gemini-2.5-flash');
    assert.ok(error instanceof Anthropic.BadRequestError);
    assert.equal(error.type, 'invalid_request_error');
    const message = (JSON.parse(recorded.toString('utf8')) as { error: { message: string } }).error.message;
    assert.equal((error.error as { error: { message: string } }).error.message, message);
  });
});

test('413: a body over MAX_BODY_BYTES is request_too_large', async () => {
  await withService({ env: { MAX_BODY_BYTES: '2048' } }, async ({ service }) => {
    const client = new Anthropic({ apiKey: clientToken, baseURL: service.url, maxRetries: 0 });
    const error = await failure(client, 'gemini-2.5-flash', {
      messages: [{ role: 'user', content: 'x'.repeat(4096) }],
    });
    assert.equal(error.status, 413);
    assert.equal(error.type, 'request_too_large');
  });
});
