import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { classifyNetworkError, classifyUpstreamResponse } from './classify-upstream-error.ts';
import type { Outcome } from './outcome.ts';

const fixtures = new URL('../../test/fixtures/gemini/', import.meta.url);
const now = new Date('2026-01-15T12:00:00Z');
// 2026-01-16T08:00:00Z is the next Pacific midnight.
const untilPacificMidnight = Date.parse('2026-01-16T08:00:00Z') - now.getTime();

const expected: Record<string, Outcome> = {
  'error-400-invalid-key.json': { kind: 'invalid', reason: 'API_KEY_INVALID' },
  // Gemini 3's refusal of a tool call sent back without its signature: the client's, no retry helps.
  'error-400-missing-thought-signature.json': { kind: 'client-error' },
  'error-403-consumer-suspended.json': { kind: 'invalid', reason: 'CONSUMER_SUSPENDED' },
  'error-403-no-key.json': { kind: 'invalid', reason: 'UNREGISTERED_CALLER' },
  'error-403-service-disabled.json': { kind: 'invalid', reason: 'SERVICE_DISABLED' },
  'error-404-model-not-found-v1beta.json': { kind: 'client-error' },
  'error-404-model-not-found.json': { kind: 'client-error' },
  'error-429-legacy-quota-metric.json': { kind: 'quota', retryAfterMs: 60_000, perDay: false },
  'error-429-no-details.json': { kind: 'quota', retryAfterMs: 60_000, perDay: false },
  'error-429-resource-exhausted.json': {
    kind: 'quota',
    // RetryInfo says "26s" (whole seconds, cut down): one more second keeps clear of the reset.
    retryAfterMs: 27_000,
    perDay: false,
    model: 'gemini-2.5-flash',
    retryAfterUncertaintyMs: 1000,
  },
  'error-500-internal.json': { kind: 'transient', scope: 'model' },
  'error-503-high-demand.json': { kind: 'transient', scope: 'model' },
  'error-503-overloaded.json': { kind: 'transient', scope: 'model' },
};

const statusOf = (name: string): number => Number(/^error-(\d{3})-/.exec(name)?.[1]);

test('every recorded error fixture is classified as DESIGN.md says', () => {
  const names = readdirSync(fixtures).filter((name) => /^error-\d{3}-.*\.json$/.test(name));
  assert.deepEqual(names.toSorted(), Object.keys(expected).toSorted(), 'a fixture without expectation');
  for (const name of names) {
    const body = readFileSync(new URL(name, fixtures), 'utf8');
    assert.deepEqual(classifyUpstreamResponse(statusOf(name), body, now), expected[name], name);
  }
});

test('the same fixtures wrapped in a JSON-array stream classify alike', () => {
  const body = readFileSync(new URL('error-400-invalid-key.json', fixtures), 'utf8');
  assert.deepEqual(classifyUpstreamResponse(400, `[${body}]`, now), {
    kind: 'invalid',
    reason: 'API_KEY_INVALID',
  });
});

const quotaBody = (quotaId: string, retryDelay: unknown): string =>
  JSON.stringify({
    error: {
      code: 429,
      status: 'RESOURCE_EXHAUSTED',
      message: 'quota',
      details: [
        {
          '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
          violations: [{ quotaId, quotaDimensions: { model: 'gemini-2.5-pro', location: 'global' } }],
        },
        { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay },
      ],
    },
  });

test('a per-day quota cools until the next Pacific midnight, whatever the retry hint', () => {
  const outcome = classifyUpstreamResponse(
    429,
    quotaBody('GenerateRequestsPerDayPerProjectPerModel-FreeTier', '9s'),
    now,
  );
  assert.deepEqual(outcome, {
    kind: 'quota',
    retryAfterMs: untilPacificMidnight,
    perDay: true,
    model: 'gemini-2.5-pro',
  });
});

test('retry delays: fractional seconds, duration objects, message hints, configured default', () => {
  const delayOf = (body: string, options = {}): number | undefined => {
    const outcome = classifyUpstreamResponse(429, body, now, options);
    return outcome.kind === 'quota' ? outcome.retryAfterMs : undefined;
  };
  assert.equal(delayOf(quotaBody('PerMinute', '1.5s')), 1500);
  assert.equal(delayOf(quotaBody('PerMinute', { seconds: '3', nanos: 500_000_000 })), 3500);
  assert.equal(delayOf(quotaBody('PerMinute', 'soon')), 60_000);
  const hinted = JSON.stringify({ error: { code: 429, message: 'Quota exceeded. Please retry in 45.2s.' } });
  assert.equal(delayOf(hinted), 45_200);
  assert.equal(delayOf('{}', { defaultQuotaDelayMs: 5000 }), 5000);
  // Whole seconds are cut down: one second more; the message's precise figure wins when present.
  assert.equal(delayOf(quotaBody('PerMinute', '36s')), 37_000);
  const both = JSON.parse(quotaBody('PerMinute', '36s')) as { error: { message: string } };
  both.error.message = 'You exceeded your current quota. Please retry in 36.429760048s.';
  assert.equal(delayOf(JSON.stringify(both)), 36_430);
  // "0s" is never a zero cooldown.
  assert.equal(delayOf(quotaBody('PerMinute', '0.2s')), 1000);
});

test('where the window ends: a second unsure with whole seconds, to the ms with the message’s figure', () => {
  const uncertaintyOf = (body: string): number | undefined => {
    const outcome = classifyUpstreamResponse(429, body, now);
    return outcome.kind === 'quota' ? outcome.retryAfterUncertaintyMs : -1;
  };
  assert.equal(uncertaintyOf(quotaBody('PerMinute', '36s')), 1000);
  const precise = JSON.parse(quotaBody('PerMinute', '36s')) as { error: { message: string } };
  precise.error.message =
    'You exceeded your current quota.\n* Quota exceeded for metric: x, limit: 5\nPlease retry in 36.429760048s.';
  assert.ok((uncertaintyOf(JSON.stringify(precise)) ?? 1) < 1, 'precise');
  assert.equal(uncertaintyOf(quotaBody('PerMinute', '0.2s')), 800, 'a delay stretched to a second');
  assert.equal(uncertaintyOf('<html>'), undefined, 'no delay given: no window end known');
});

test('a per-minute request quota states its limit; token and per-day quotas do not', () => {
  const body = (quotaId: string, quotaValue: string) =>
    JSON.stringify({
      error: {
        code: 429,
        details: [
          { '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [{ quotaId, quotaValue }] },
          { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '12.5s' },
        ],
      },
    });
  const limitOf = (text: string) => {
    const outcome = classifyUpstreamResponse(429, text, now);
    return outcome.kind === 'quota' ? outcome.requestLimit : 'not a quota';
  };
  assert.deepEqual(limitOf(body('GenerateRequestsPerMinutePerProjectPerModel-FreeTier', '10')), {
    limit: 10,
    windowMs: 60_000,
  });
  assert.equal(limitOf(body('GenerateContentInputTokensPerModelPerMinute-FreeTier', '250000')), undefined);
  assert.equal(limitOf(body('GenerateRequestsPerDayPerProjectPerModel-FreeTier', '250')), undefined);
  assert.equal(limitOf(body('GenerateRequestsPerMinutePerProjectPerModel-FreeTier', 'lots')), undefined);
});

test('a legacy ErrorInfo quota_limit per day is recognised', () => {
  const body = JSON.stringify({
    error: {
      code: 429,
      details: [
        { reason: 'RATE_LIMIT_EXCEEDED', metadata: { quota_limit: 'GenerateRequestsPerDayPerProject' } },
      ],
    },
  });
  assert.deepEqual(classifyUpstreamResponse(429, body, now), {
    kind: 'quota',
    retryAfterMs: untilPacificMidnight,
    perDay: true,
  });
});

test('malformed, empty, HTML or oddly typed bodies never throw', () => {
  const bodies = [
    undefined,
    '',
    'not json',
    '<html>502 Bad Gateway</html>',
    'null',
    '[]',
    '{"error":null}',
    '{"error":{"message":42,"details":"nope"}}',
    '{"error":{"details":[null,1,"x",{"reason":7,"violations":{}}]}}',
  ];
  for (const status of [400, 403, 429, 500, 404]) {
    for (const body of bodies) assert.doesNotThrow(() => classifyUpstreamResponse(status, body, now));
  }
  assert.deepEqual(classifyUpstreamResponse(400, 'not json', now), { kind: 'client-error' });
  assert.deepEqual(classifyUpstreamResponse(403, undefined, now), { kind: 'client-error' });
  assert.deepEqual(classifyUpstreamResponse(429, '<html>', now), {
    kind: 'quota',
    retryAfterMs: 60_000,
    perDay: false,
  });
});

test("a 403 on someone else's file is the client's error, not a dead key", () => {
  const body = JSON.stringify({
    error: {
      code: 403,
      message: 'You do not have permission to access the File abc or it may not exist.',
      status: 'PERMISSION_DENIED',
    },
  });
  assert.deepEqual(classifyUpstreamResponse(403, body, now), { kind: 'client-error' });
});

test('a 400 whose message says the key expired disables it', () => {
  const body = JSON.stringify({
    error: { code: 400, message: 'API key expired. Please renew the API key.' },
  });
  assert.deepEqual(classifyUpstreamResponse(400, body, now), { kind: 'invalid', reason: 'API_KEY_EXPIRED' });
});

test('statuses without body', () => {
  const kindOf = (status: number): string => classifyUpstreamResponse(status, undefined, now).kind;
  assert.equal(kindOf(200), 'ok');
  assert.equal(kindOf(204), 'ok');
  for (const status of [408, 500, 502, 503, 504, 599])
    assert.equal(kindOf(status), 'transient', String(status));
  for (const status of [400, 401, 404, 409, 413, 501])
    assert.equal(kindOf(status), 'client-error', String(status));
  assert.deepEqual(
    classifyNetworkError(new Error('ECONNRESET')),
    { kind: 'transient', scope: 'path' },
    'a network failure blames the path, not the key',
  );
});

test('a client cannot disable keys by getting its own words echoed in an error message', () => {
  for (const echoed of [
    'Invalid JSON payload received. Unknown name "API key not valid": Cannot find field.',
    "Invalid value at 'contents[0]' (has been suspended), Permission denied: Consumer 'x' has been suspended",
    '* GenerateContentRequest.model: API key expired is not a model',
  ]) {
    const body = JSON.stringify({
      error: {
        code: 400,
        message: echoed,
        status: 'INVALID_ARGUMENT',
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.BadRequest',
            fieldViolations: [{ description: echoed }],
          },
        ],
      },
    });
    assert.deepEqual(classifyUpstreamResponse(400, body, now), { kind: 'client-error' }, echoed);
    assert.deepEqual(classifyUpstreamResponse(403, body, now), { kind: 'client-error' }, echoed);
  }
});

test('an absurd retryDelay is clamped to 48 hours before anything stores it; a zero one to a second', () => {
  const body = (delay: string) =>
    JSON.stringify({
      error: {
        code: 429,
        message: 'Resource has been exhausted (e.g. check quota).',
        details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: delay }],
      },
    });
  const delayOf = (delay: string) => {
    const outcome = classifyUpstreamResponse(429, body(delay), now);
    return outcome.kind === 'quota' ? outcome.retryAfterMs : undefined;
  };
  assert.equal(delayOf('99999999999999s'), 48 * 3600_000);
  assert.equal(delayOf(`${'9'.repeat(400)}s`), 48 * 3600_000);
  assert.equal(delayOf('0s'), 1000);
  assert.equal(delayOf('36s'), 37_000);
});
