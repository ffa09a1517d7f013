import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { clientToken, wrongToken } from './helpers/secrets.ts';
import { useMockAndService } from './helpers/with-service.ts';
import { fixtureBytes } from './mock-upstream/fixtures.ts';

type ErrorBody = { error: { message: string; type: string; param: string | null; code: string | null } };
type StreamEvent = { type: string; sequence_number: number; code?: string; message?: string };

describe('Responses API errors come out in OpenAI’s format', () => {
  const bed = useMockAndService();
  let client: OpenAI;

  before(() => {
    client = new OpenAI({ apiKey: clientToken, baseURL: `${bed.service.url}/v1`, maxRetries: 0 });
  });

  async function post(body: unknown, token = clientToken): Promise<{ status: number; body: ErrorBody }> {
    const response = await fetch(`${bed.service.url}/v1/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as ErrorBody };
  }

  /** The events of a streamed response, parsed from the raw SSE text. */
  async function streamEvents(model: string): Promise<StreamEvent[]> {
    const response = await fetch(`${bed.service.url}/v1/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${clientToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, input: 'hi', stream: true }),
    });
    assert.equal(response.status, 200);
    const text = await response.text();
    return text
      .split('\n\n')
      .filter((block) => block.trim() !== '')
      .map((block) => {
        const [eventLine, dataLine] = block.split('\n');
        const event = JSON.parse(dataLine?.replace(/^data: /, '') ?? '{}') as StreamEvent;
        assert.equal(eventLine, `event: ${event.type}`);
        return event;
      });
  }

  test('invalid requests are 400s naming the parameter, and nothing goes upstream', async () => {
    const before = bed.mock.received.length;
    const cases: Array<[unknown, string]> = [
      [{ input: 'hi' }, 'model'],
      [
        { model: 'gemini-2.5-flash', input: [{ type: 'function_call', name: 'f', arguments: '{}' }] },
        'input[0].call_id',
      ],
      [
        {
          model: 'gemini-2.5-flash',
          input: [{ type: 'function_call_output', call_id: 'nope', output: 'x' }],
        },
        'input[0].call_id',
      ],
      [{ model: 'gemini-2.5-flash', input: 'hi', tools: [{ type: 'function' }] }, 'tools[0].name'],
      [
        { model: 'gemini-2.5-flash', input: 'hi', previous_response_id: 'resp_unknown' },
        'previous_response_id',
      ],
      [{ model: 'gemini-2.5-flash', input: [{ type: 'item_reference', id: 'rs_unknown' }] }, 'input[0].id'],
      [{ model: 'gemini-2.5-flash', input: 'hi', background: true }, 'background'],
    ];
    for (const [body, param] of cases) {
      const answer = await post(body);
      assert.equal(answer.status, 400, param);
      assert.equal(answer.body.error.type, 'invalid_request_error');
      assert.equal(answer.body.error.param, param);
    }
    assert.equal(bed.mock.received.length, before);
  });

  test('a body that is not JSON is a 400 in OpenAI’s format', async () => {
    const response = await fetch(`${bed.service.url}/v1/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${clientToken}`, 'content-type': 'application/json' },
      body: '{"model": ',
    });
    assert.equal(response.status, 400);
    assert.equal(((await response.json()) as ErrorBody).error.type, 'invalid_request_error');
  });

  test('a wrong token → AuthenticationError', async () => {
    const wrong = new OpenAI({ apiKey: wrongToken, baseURL: `${bed.service.url}/v1`, maxRetries: 0 });
    await assert.rejects(
      wrong.responses.create({ model: 'gemini-2.5-flash', input: 'hi' }),
      OpenAI.AuthenticationError,
    );
  });

  test('an upstream 404 → NotFoundError with Gemini’s message, plain and streamed', async () => {
    const recorded = JSON.parse(fixtureBytes('error-404-model-not-found-v1beta.json').toString('utf8')) as {
      error: { message: string };
    };
    for (const stream of [false, true]) {
      const error = await client.responses
        .create({ model: 'mock-error-404-model-not-found-v1beta', input: 'hi', stream })
        .then(
          () => undefined,
          (caught: unknown) => caught,
        );
      assert.ok(error instanceof OpenAI.NotFoundError);
      assert.equal(error.error && (error.error as { message?: string }).message, recorded.error.message);
    }
  });

  test('an upstream error midway ends the stream with an error event, never response.completed', async () => {
    for (const model of ['mock-midstream-error', 'mock-cut-stream']) {
      const events = await streamEvents(model);
      const last = events.at(-1);
      assert.equal(last?.type, 'error', model);
      assert.ok(typeof last.message === 'string' && last.message !== '');
      assert.ok(!events.some((event) => event.type === 'response.completed'));
      assert.deepEqual(
        events.map((event) => event.sequence_number),
        events.map((_event, index) => index),
      );
    }
    await assert.rejects(
      client.responses.stream({ model: 'mock-midstream-error', input: 'hi' }).finalResponse(),
      OpenAI.APIError,
    );
  });

  test('an unknown path under /openai/v1/responses answers in OpenAI’s format', async () => {
    const response = await fetch(`${bed.service.url}/openai/v1/responses/resp_x/nothing`, {
      headers: { authorization: `Bearer ${clientToken}` },
    });
    assert.equal(response.status, 404);
    assert.equal(((await response.json()) as ErrorBody).error.type, 'not_found_error');
  });
});
