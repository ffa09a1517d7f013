import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFixtureBytes } from '../../test/helpers/read-fixture.ts';
import { errors } from './app-error.ts';
import { fromBrokenBody, fromUpstream } from './from-upstream.ts';
import { toOpenAIErrorObject } from './wire-formats.ts';

const cases = [
  ['error-400-invalid-key.json', 400, 'invalid_request_error', 'invalid_argument'],
  ['error-403-consumer-suspended.json', 403, 'permission_error', 'permission_denied'],
  ['error-403-service-disabled.json', 403, 'permission_error', 'permission_denied'],
  ['error-404-model-not-found.json', 404, 'not_found_error', 'not_found'],
  ['error-429-resource-exhausted.json', 429, 'rate_limit_error', 'resource_exhausted'],
  ['error-429-no-details.json', 429, 'rate_limit_error', 'resource_exhausted'],
  ['error-500-internal.json', 500, 'api_error', 'internal'],
  ['error-503-overloaded.json', 503, 'api_error', 'unavailable'],
] as const;

/** The OpenAI error body a Gemini error answer becomes. */
const mapGeminiError = (status: number, bodyText: string) => ({
  error: toOpenAIErrorObject(fromUpstream({ status, bodyText })),
});

describe('fromUpstream, written in OpenAI form', () => {
  for (const [name, status, type, code] of cases) {
    it(`${name} → ${type}`, () => {
      const text = readFixtureBytes(name).toString('utf8');
      const message = (JSON.parse(text) as { error: { message: string } }).error.message;
      assert.deepEqual(mapGeminiError(status, text), { error: { message, type, param: null, code } });
    });
  }

  it('keeps an unreadable body readable and derives the code from the status', () => {
    assert.deepEqual(mapGeminiError(502, '<html>Bad Gateway</html>'), {
      error: {
        message: 'The Gemini API answered with HTTP 502.',
        type: 'api_error',
        param: null,
        code: 'unavailable',
      },
    });
  });
});

describe('fromBrokenBody', () => {
  it('keeps our own errors, makes a body silence a timeout and anything else a failed stream', () => {
    const ours = errors.payloadTooLarge(10);
    assert.equal(fromBrokenBody(ours), ours);
    const silence = Object.assign(new Error('Body Timeout Error'), { name: 'BodyTimeoutError' });
    assert.equal(fromBrokenBody(silence).code, errors.upstreamTimeout(silence).code);
    assert.equal(fromBrokenBody(new Error('socket hang up')).code, errors.upstreamStreamFailed().code);
    assert.notEqual(errors.upstreamTimeout().code, errors.upstreamStreamFailed().code);
  });
});
