import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GoogleGenAI } from '@google/genai';
import { fingerprintKey } from '../src/pool/fingerprint.ts';
import { behaviourKeys, clientToken, poolKeys } from './helpers/secrets.ts';
import { type RunningService, startService } from './helpers/start-service.ts';
import { fixtureBytes } from './mock-upstream/fixtures.ts';
import { keyBehaviours, minuteQuotaModel, quotaBody } from './mock-upstream/key-behaviours.ts';
import { MockGemini } from './mock-upstream/mock-gemini.ts';

const keys = behaviourKeys;
const healthy = [keys.healthyA, keys.healthyB, keys.healthyC, keys.slow];

describe('the key pool under a crowd of keys with personalities', () => {
  let mock: MockGemini;
  let service: RunningService;
  let ai: GoogleGenAI;

  before(async () => {
    mock = await MockGemini.start();
    mock.override = keyBehaviours();
    service = await startService(mock.url, { GEMINI_API_KEYS: Object.values(keys).join(',') });
    ai = new GoogleGenAI({
      apiKey: clientToken,
      httpOptions: { baseUrl: service.url, apiVersion: 'v1beta' },
    });
  });
  after(async () => {
    await service.close();
    await mock.close();
  });

  const callsBy = (key: string) => mock.received.filter((request) => request.key === key);

  test('60 mixed requests all succeed; bad keys are learnt from, healthy keys share the load', async () => {
    const kinds = [
      () =>
        ai.models
          .generateContent({ model: 'gemini-2.5-flash', contents: 'hi' })
          .then((response) => response.text),
      () =>
        ai.models
          .generateContent({ model: minuteQuotaModel, contents: 'hi' })
          .then((response) => response.text),
      async () => {
        let text = '';
        for await (const chunk of await ai.models.generateContentStream({
          model: 'gemini-2.5-flash',
          contents: 'hi',
        }))
          text += chunk.text ?? '';
        return text;
      },
      () =>
        ai.models
          .countTokens({ model: 'gemini-2.5-flash', contents: 'hi' })
          .then((response) => String(response.totalTokens)),
    ];
    const results: string[] = [];
    for (let batch = 0; batch < 10; batch++) {
      const answers = await Promise.all(
        Array.from({ length: 6 }, (_, index) => kinds[(batch * 6 + index) % kinds.length]!()),
      );
      results.push(...answers.map((answer) => answer ?? ''));
    }
    assert.equal(results.length, 60);
    for (const result of results) assert.match(result, /\S/);

    const dead = callsBy(keys.dead);
    assert.ok(dead.length >= 1, 'the dead key was tried');
    assert.ok(
      dead.slice(1).every((request) => request.url.startsWith('/v1beta/models?')),
      'then only by re-checks',
    );
    const view = service.pool.get(fingerprintKey(keys.dead));
    assert.equal(view?.enabled, false);

    const minute = callsBy(keys.minuteQuota).filter((request) =>
      request.url.includes(`/${minuteQuotaModel}:`),
    );
    assert.equal(
      minute.length,
      1,
      'the per-minute quota key is not called again for that model within its delay',
    );
    assert.ok(
      callsBy(keys.minuteQuota).some((request) => request.url.includes('/gemini-2.5-flash:')),
      'but still serves other models',
    );
    const day = callsBy(keys.dayQuota).filter((request) => request.url.includes('/gemini-2.5-flash:'));
    assert.equal(day.length, 1, 'the per-day quota key is cooled for that model after one 429');

    const shares = healthy.map((key) => callsBy(key).filter((request) => request.url.includes(':')).length);
    const mean = shares.reduce((sum, share) => sum + share, 0) / shares.length;
    for (const share of shares)
      assert.ok(Math.abs(share - mean) <= mean * 0.2, `shares ${shares.join(', ')} within ±20% of ${mean}`);
  });

  test("a client's own invalid request reaches upstream once and comes back unchanged", async () => {
    const before = mock.received.length;
    const response = await fetch(
      `${service.url}/v1beta/models/mock-error-404-model-not-found:generateContent`,
      {
        method: 'POST',
        body: '{}',
        headers: { 'x-goog-api-key': clientToken },
      },
    );
    assert.equal(response.status, 404);
    const text = await response.text();
    assert.equal(
      text,
      (await import('./mock-upstream/fixtures.ts')).fixtureBytes('error-404-model-not-found.json').toString(),
    );
    assert.equal(mock.received.length - before, 1);
  });
});

describe('nobody left', () => {
  test('every key cooling for the model → 429 with Retry-After, no upstream call', async () => {
    const mock = await MockGemini.start();
    const model = 'gemini-cooling-test';
    // Every key answers the recorded 429 for this model, with 41 s left in its window.
    mock.override = (_request, response) => {
      response.writeHead(429, { 'content-type': 'application/json; charset=UTF-8' });
      response.end(quotaBody(model, 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier', 41));
      return true;
    };
    const service = await startService(mock.url);
    const call = () =>
      fetch(`${service.url}/v1beta/models/${model}:generateContent`, {
        method: 'POST',
        body: '{"contents":[{"parts":[{"text":"hi"}]}]}',
        headers: { 'x-goog-api-key': clientToken },
      });
    try {
      const first = await call();
      assert.equal(first.status, 429, 'a 429 with Retry-After once every key has said so');
      assert.ok(Number(first.headers.get('retry-after')) >= 41);
      await first.arrayBuffer();
      assert.equal(mock.received.length, poolKeys.length, 'each key tried once');
      const second = await call();
      const body = (await second.json()) as { error: { code: number; status: string } };
      assert.equal(second.status, 429);
      assert.equal(body.error.status, 'RESOURCE_EXHAUSTED');
      const retryAfter = Number(second.headers.get('retry-after'));
      // RetryInfo said 41 s (whole seconds, cut down): we wait one more.
      assert.ok(retryAfter >= 41 && retryAfter <= 42, `Retry-After ${retryAfter}`);
      assert.equal(mock.received.length, poolKeys.length, 'the second call never went upstream');
    } finally {
      await service.close();
      await mock.close();
    }
  });

  test('every key answering 503 → the last upstream answer unchanged, not a quota 429', async () => {
    const mock = await MockGemini.start();
    mock.override = (_request, response) => {
      response.writeHead(503, { 'content-type': 'application/json; charset=UTF-8' });
      response.end(fixtureBytes('error-503-overloaded.json'));
      return true;
    };
    const service = await startService(mock.url);
    try {
      const response = await fetch(`${service.url}/v1beta/models/gemini-2.5-flash:generateContent`, {
        method: 'POST',
        body: '{}',
        headers: { 'x-goog-api-key': clientToken },
      });
      assert.equal(response.status, 503);
      assert.equal(await response.text(), fixtureBytes('error-503-overloaded.json').toString());
      assert.equal(mock.received.length, poolKeys.length);
    } finally {
      await service.close();
      await mock.close();
    }
  });

  test('when the only key with room rests after a 503, it gets a try before the client is told to wait', async () => {
    const mock = await MockGemini.start();
    let flakyCalls = 0;
    mock.override = (request, response) => {
      if (request.key === poolKeys[0]) {
        flakyCalls++;
        if (flakyCalls > 1) return false; // after one 503 it answers again
        response.writeHead(503, { 'content-type': 'application/json; charset=UTF-8' });
        response.end(fixtureBytes('error-503-overloaded.json'));
        return true;
      }
      response.writeHead(429, { 'content-type': 'application/json; charset=UTF-8' });
      response.end(quotaBody('gemini-2.5-flash', 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier', 50));
      return true;
    };
    const service = await startService(mock.url, { GEMINI_API_KEYS: poolKeys.slice(0, 2).join(',') });
    const call = () =>
      fetch(`${service.url}/v1beta/models/gemini-2.5-flash:generateContent`, {
        method: 'POST',
        body: '{}',
        headers: { 'x-goog-api-key': clientToken },
      });
    try {
      const first = await call();
      assert.equal(first.status, 429, 'one key out of quota, the other just failed: come back later');
      await first.arrayBuffer();
      const second = await call();
      assert.equal(
        second.status,
        200,
        'the resting key, the only one with room, is tried rather than refusing',
      );
      await second.arrayBuffer();
      assert.deepEqual(
        mock.received.map((request) => request.key),
        [poolKeys[0], poolKeys[1], poolKeys[0]],
      );
    } finally {
      await service.close();
      await mock.close();
    }
  });

  test('every key dead → 503 that says so, no upstream call', async () => {
    const mock = await MockGemini.start();
    const service = await startService(mock.url);
    for (const key of poolKeys)
      service.pool.report(fingerprintKey(key), 'gemini-2.5-flash', {
        kind: 'invalid',
        reason: 'API_KEY_INVALID',
      });
    const response = await fetch(`${service.url}/v1beta/models/gemini-2.5-flash:generateContent`, {
      method: 'POST',
      body: '{}',
      headers: { 'x-goog-api-key': clientToken },
    });
    const body = (await response.json()) as { error: { message: string } };
    assert.equal(response.status, 503);
    assert.match(body.error.message, /disabled/);
    assert.equal(mock.received.length, 0);
    await service.close();
    await mock.close();
  });

  test('the last key dying under a call → 503 that says the pool is dead, not the key error', async () => {
    const mock = await MockGemini.start();
    mock.override = (_request, response) => {
      response.writeHead(400, { 'content-type': 'application/json; charset=UTF-8' });
      response.end(fixtureBytes('error-400-invalid-key.json'));
      return true;
    };
    const service = await startService(mock.url);
    try {
      const response = await fetch(`${service.url}/v1beta/models/gemini-2.5-flash:generateContent`, {
        method: 'POST',
        body: '{}',
        headers: { 'x-goog-api-key': clientToken },
      });
      assert.equal(response.status, 503);
      assert.match(((await response.json()) as { error: { message: string } }).error.message, /disabled/);
      assert.equal(mock.received.length, poolKeys.length, 'each key was tried once');
    } finally {
      await service.close();
      await mock.close();
    }
  });

  test("a client's 400 INVALID_ARGUMENT (not about the key) reaches upstream once, comes back unchanged, costs no key", async () => {
    const mock = await MockGemini.start();
    const invalid = JSON.stringify(
      {
        error: {
          code: 400,
          message: 'Invalid JSON payload received. Unknown name "API key not valid": Cannot find field.',
          status: 'INVALID_ARGUMENT',
          details: [
            { '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ description: 'x' }] },
          ],
        },
      },
      null,
      2,
    );
    mock.override = (_request, response) => {
      response.writeHead(400, { 'content-type': 'application/json; charset=UTF-8' });
      response.end(invalid);
      return true;
    };
    const service = await startService(mock.url);
    try {
      const response = await fetch(`${service.url}/v1beta/models/gemini-2.5-flash:generateContent`, {
        method: 'POST',
        body: '{"API key not valid":1}',
        headers: { 'x-goog-api-key': clientToken },
      });
      assert.equal(response.status, 400);
      assert.equal(await response.text(), invalid);
      assert.equal(mock.received.length, 1);
      for (const key of poolKeys) assert.equal(service.pool.get(fingerprintKey(key))?.enabled, true);
    } finally {
      await service.close();
      await mock.close();
    }
  });
});

describe('streams and retries', () => {
  test('a stream whose first key fails before the first byte comes back clean from another key', async () => {
    const mock = await MockGemini.start();
    let first = true;
    mock.override = (_request, response) => {
      if (!first) return false;
      first = false;
      response.writeHead(503, { 'content-type': 'application/json; charset=UTF-8' });
      response.end(
        '{"error":{"code":503,"message":"The model is overloaded. Please try again later.","status":"UNAVAILABLE"}}',
      );
      return true;
    };
    const service = await startService(mock.url);
    try {
      const ai = new GoogleGenAI({ apiKey: clientToken, httpOptions: { baseUrl: service.url } });
      let text = '';
      for await (const chunk of await ai.models.generateContentStream({
        model: 'gemini-3-pro-preview',
        contents: 'hi',
      }))
        text += chunk.text ?? '';
      assert.equal(text, 'The capital of Mexico is Mexico City.');
      const keysSeen = mock.received.map((request) => request.key);
      assert.equal(keysSeen.length, 2);
      assert.notEqual(keysSeen[0], keysSeen[1]);
    } finally {
      await service.close();
      await mock.close();
    }
  });

  test('a stream that fails after bytes went out ends with an error event, never repeated text', async () => {
    const mock = await MockGemini.start();
    const firstEvent =
      'data: {"candidates": [{"content": {"parts": [{"text": "Once upon"}],"role": "model"},"index": 0}]}\r\n\r\n';
    mock.override = (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(firstEvent);
      setTimeout(() => response.destroy(), 30);
      return true;
    };
    const service = await startService(mock.url);
    try {
      const response = await fetch(
        `${service.url}/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse`,
        {
          method: 'POST',
          body: '{}',
          headers: { 'x-goog-api-key': clientToken },
        },
      );
      const text = await response.text();
      assert.equal(response.status, 200);
      assert.equal(text.split('Once upon').length - 1, 1, 'the text went out once');
      assert.match(text.slice(firstEvent.length), /^data: \{"error":\{"code":50\d,/);
      assert.equal(mock.received.length, 1, 'no replay on another key after bytes reached the client');

      const ai = new GoogleGenAI({ apiKey: clientToken, httpOptions: { baseUrl: service.url } });
      const seen: string[] = [];
      await assert.rejects(async () => {
        for await (const chunk of await ai.models.generateContentStream({
          model: 'gemini-2.5-flash',
          contents: 'hi',
        }))
          seen.push(chunk.text ?? '');
      });
      assert.deepEqual(seen, ['Once upon']);
    } finally {
      await service.close();
      await mock.close();
    }
  });

  test('a plain (unary) answer that fails midway is cut, never given a stream error tail', async () => {
    const mock = await MockGemini.start();
    mock.override = (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json; charset=UTF-8', 'content-length': '500' });
      response.write('{"candidates": [');
      setTimeout(() => response.destroy(), 30);
      return true;
    };
    const service = await startService(mock.url);
    try {
      const response = await fetch(`${service.url}/v1beta/models/gemini-2.5-flash:generateContent`, {
        method: 'POST',
        body: '{}',
        headers: { 'x-goog-api-key': clientToken },
      });
      assert.equal(response.status, 200);
      await assert.rejects(response.text(), 'the body breaks off instead of ending in an invented element');
    } finally {
      await service.close();
      await mock.close();
    }
  });

  test('a stream that breaks off in the middle of an event is cut, not given a tail that would corrupt it', async () => {
    const mock = await MockGemini.start();
    mock.override = (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: {"candidates": [{"content": {"parts": [{"text": "Hel');
      setTimeout(() => response.destroy(), 30);
      return true;
    };
    const service = await startService(mock.url);
    try {
      const response = await fetch(
        `${service.url}/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse`,
        {
          method: 'POST',
          body: '{}',
          headers: { 'x-goog-api-key': clientToken },
        },
      );
      assert.equal(response.status, 200);
      await assert.rejects(response.text());
    } finally {
      await service.close();
      await mock.close();
    }
  });
});
