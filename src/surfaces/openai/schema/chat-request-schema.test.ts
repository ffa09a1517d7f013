import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFixtureJson } from '../../../../test/helpers/read-fixture.ts';
import { AppError } from '../../../errors/app-error.ts';
import { parseChatRequest } from './chat-request-schema.ts';

function rejection(body: unknown): AppError {
  try {
    parseChatRequest(body);
  } catch (error) {
    assert.ok(error instanceof AppError);
    return error;
  }
  assert.fail('expected a 400');
}

const user = { role: 'user', content: 'Hi' };

describe('parseChatRequest', () => {
  it('accepts the request pydantic-ai sent to Google’s compat endpoint', () => {
    const request = parseChatRequest(readFixtureJson('openai-compat-chat-request-tools.json'));
    assert.equal(request.model, 'gemini-2.5-pro-preview-05-06');
    const tool = request.tools?.[0];
    assert.equal(tool?.type === 'function' ? tool.function.name : undefined, 'get_current_time');
    assert.equal(request.tool_choice, 'auto');
  });

  it('names a missing messages parameter', () => {
    const error = rejection({ model: 'gemini-2.5-flash' });
    assert.equal(error.status, 400);
    assert.equal(error.param, 'messages');
    assert.match(error.message, /Missing required parameter: 'messages'/);
  });

  it('names the role of an unknown message role', () => {
    const error = rejection({ model: 'm', messages: [user, user, { role: 'robot', content: 'x' }] });
    assert.equal(error.param, 'messages[2].role');
  });

  it('names a wrongly typed nested field', () => {
    const error = rejection({
      model: 'm',
      messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 42 } }] }],
    });
    assert.equal(error.param, 'messages[0].content[0].image_url.url');
    assert.match(error.message, /Invalid value/);
  });

  it('names a wrongly typed top-level field', () => {
    assert.equal(rejection({ model: 'm', messages: [user], temperature: 'hot' }).param, 'temperature');
    assert.equal(
      rejection({ model: 'm', messages: [user], reasoning_effort: 'max' }).param,
      'reasoning_effort',
    );
  });

  it('rejects a body that is not an object without a param', () => {
    const error = rejection('hello');
    assert.equal(error.status, 400);
    assert.equal(error.param, undefined);
  });

  it('ignores unknown top-level fields OpenAI clients send', () => {
    const request = parseChatRequest({
      model: 'm',
      messages: [user],
      user: 'u-1',
      store: false,
      metadata: {},
    });
    assert.deepEqual(Object.keys(request).toSorted(), ['messages', 'model']);
  });

  it('accepts the google extension at top level and inside extra_body', () => {
    const google = { thinking_config: { include_thoughts: true }, cached_content: 'cachedContents/abc' };
    assert.deepEqual(parseChatRequest({ model: 'm', messages: [user], google }).google, google);
    assert.deepEqual(
      parseChatRequest({ model: 'm', messages: [user], extra_body: { google } }).extra_body?.google,
      google,
    );
  });
});
