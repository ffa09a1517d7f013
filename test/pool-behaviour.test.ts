import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { GoogleGenAI } from '@google/genai';
import { fingerprintKey } from '../src/secrets/fingerprint.ts';
import { nativeCall } from './helpers/native-call.ts';
import { behaviourKeys, clientToken, poolKeys } from './helpers/secrets.ts';
import { useMockAndService, withService } from './helpers/with-service.ts';
import { fixtureBytes } from './mock-upstream/fixtures.ts';
import { keyBehaviours, minuteQuotaModel, quotaBody } from './mock-upstream/key-behaviours.ts';
import { type Override, replyWith } from './mock-upstream/mock-gemini.ts';

const keys = behaviourKeys;
const healthy = [keys.healthyA, keys.healthyB, keys.healthyC, keys.slow];

describe('the key pool under a crowd of keys with personalities', () => {
  let ai: GoogleGenAI;

  const bed = useMockAndService({
    override: keyBehaviours(),
    env: { GEMINI_API_KEYS: Object.values(keys).join(',') },
  });

  before(async () => {
    ai = new GoogleGenAI({
      apiKey: clientToken,
      httpOptions: { baseUrl: bed.service.url, apiVersion: 'v1beta' },
    });
  });

  const callsBy = (key: string) => bed.mock.received.filter((request) => request.key === key);

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
    const view = bed.service.pool.get(fingerprintKey(keys.dead));
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
    const before = bed.mock.received.length;
    const response = await nativeCall(bed.service.url, 'mock-error-404-model-not-found:generateContent');
    assert.equal(response.status, 404);
    assert.equal(await response.text(), fixtureBytes('error-404-model-not-found.json').toString());
    // Keys that fail every model (day quota, overloaded) may come first; once a key has answered
    // the client's own 404, no other key is tried.
    const sent = bed.mock.received.slice(before);
    const normal = sent.filter((request) => request.key !== keys.dayQuota && request.key !== keys.flaky);
    assert.equal(normal.length, 1);
    assert.equal(sent.at(-1), normal[0]);
  });
});

const flash = 'gemini-2.5-flash:generateContent';
const perMinute = 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier';

describe('nobody left', () => {
  test('every key cooling for the model → 429 with Retry-After, no upstream call', async () => {
    const model = 'gemini-cooling-test';
    // Every key answers the recorded 429 for this model, with 41 s left in its window.
    await withService(
      { override: replyWith(429, quotaBody(model, perMinute, 41)) },
      async ({ mock, service }) => {
        const call = () =>
          nativeCall(service.url, `${model}:generateContent`, '{"contents":[{"parts":[{"text":"hi"}]}]}');
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
      },
    );
  });

  test('every key answering 503 → the last upstream answer unchanged, not a quota 429', async () => {
    const overloaded = fixtureBytes('error-503-overloaded.json');
    await withService({ override: replyWith(503, overloaded) }, async ({ mock, service }) => {
      const response = await nativeCall(service.url, flash);
      assert.equal(response.status, 503);
      assert.equal(await response.text(), overloaded.toString());
      assert.equal(mock.received.length, poolKeys.length);
    });
  });

  test('when the only key with room rests after a 503, it gets a try before the client is told to wait', async () => {
    let flakyCalls = 0;
    const overloaded = replyWith(503, fixtureBytes('error-503-overloaded.json'));
    const outOfQuota = replyWith(429, quotaBody('gemini-2.5-flash', perMinute, 50));
    const override = async (...args: Parameters<typeof overloaded>) => {
      if (args[0].key !== poolKeys[0]) return outOfQuota(...args);
      flakyCalls++;
      return flakyCalls > 1 ? false : overloaded(...args); // after one 503 it answers again
    };
    const env = { GEMINI_API_KEYS: poolKeys.slice(0, 2).join(',') };
    await withService({ env, override }, async ({ mock, service }) => {
      const first = await nativeCall(service.url, flash);
      // One key out of quota, the other just failed: not "out of quota" but "resting, come back soon".
      assert.equal(first.status, 503);
      assert.ok(Number(first.headers.get('retry-after')) >= 1);
      assert.equal(((await first.json()) as { error: { status: string } }).error.status, 'UNAVAILABLE');
      const second = await nativeCall(service.url, flash);
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
    });
  });

  test('every key dead → 503 that says so, no upstream call', async () => {
    await withService({}, async ({ mock, service }) => {
      for (const key of poolKeys) service.pool.disable(fingerprintKey(key), 'rotated out');
      const response = await nativeCall(service.url, flash);
      const body = (await response.json()) as { error: { message: string } };
      assert.equal(response.status, 503);
      assert.match(body.error.message, /disabled/);
      assert.equal(mock.received.length, 0);
    });
  });

  test('the last key dying under a call → 503 that says the pool is dead, not the key error', async () => {
    const override = replyWith(400, fixtureBytes('error-400-invalid-key.json'));
    await withService({ override }, async ({ mock, service }) => {
      // The others went one by one before (several keys dying at once is a path fault, not this).
      for (const key of poolKeys.slice(1)) service.pool.disable(fingerprintKey(key), 'rotated out');
      const response = await nativeCall(service.url, flash);
      assert.equal(response.status, 503);
      assert.match(((await response.json()) as { error: { message: string } }).error.message, /disabled/);
      assert.equal(mock.received.length, 1, 'the last key was tried once');
    });
  });

  test("a client's 400 INVALID_ARGUMENT (not about the key) reaches upstream once, comes back unchanged, costs no key", async () => {
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
    await withService({ override: replyWith(400, invalid) }, async ({ mock, service }) => {
      const response = await nativeCall(service.url, flash, '{"API key not valid":1}');
      assert.equal(response.status, 400);
      assert.equal(await response.text(), invalid);
      assert.equal(mock.received.length, 1);
      for (const key of poolKeys) assert.equal(service.pool.get(fingerprintKey(key))?.enabled, true);
    });
  });
});

/** Answers 200 with the head of a body, then breaks the connection. */
function breaksOffAfter(contentType: string, head: string, headers: Record<string, string> = {}): Override {
  return (_request, response) => {
    response.writeHead(200, { 'content-type': contentType, ...headers });
    response.write(head);
    setTimeout(() => response.destroy(), 30);
    return true;
  };
}

const sse = 'gemini-2.5-flash:streamGenerateContent?alt=sse';

describe('streams and retries', () => {
  test('a stream whose first key fails before the first byte comes back clean from another key', async () => {
    let first = true;
    const overloaded = replyWith(503, fixtureBytes('error-503-overloaded.json'));
    const override = (...args: Parameters<typeof overloaded>) => {
      if (!first) return false;
      first = false;
      return overloaded(...args);
    };
    await withService({ override }, async ({ mock, service }) => {
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
    });
  });

  test('a stream that fails after bytes went out ends with an error event, never repeated text', async () => {
    const firstEvent =
      'data: {"candidates": [{"content": {"parts": [{"text": "Once upon"}],"role": "model"},"index": 0}]}\r\n\r\n';
    await withService(
      { override: breaksOffAfter('text/event-stream', firstEvent) },
      async ({ mock, service }) => {
        const response = await nativeCall(service.url, sse);
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
      },
    );
  });

  test('a plain (unary) answer that fails midway becomes an error, never a part passed off as whole', async () => {
    const override = breaksOffAfter('application/json; charset=UTF-8', '{"candidates": [', {
      'content-length': '500',
    });
    await withService({ override }, async ({ service }) => {
      const response = await nativeCall(service.url, flash);
      // A small unary answer is read whole before it is sent: the client learns it failed.
      assert.equal(response.status, 502);
      const body = (await response.json()) as { error: { status: string; message: string } };
      assert.match(body.error.message, /stream failed before it finished/);
    });
  });

  test('a stream that breaks off in the middle of an event is cut, not given a tail that would corrupt it', async () => {
    const override = breaksOffAfter(
      'text/event-stream',
      'data: {"candidates": [{"content": {"parts": [{"text": "Hel',
    );
    await withService({ override }, async ({ service }) => {
      const response = await nativeCall(service.url, sse);
      assert.equal(response.status, 200);
      await assert.rejects(response.text());
    });
  });
});
