import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fingerprintKey } from '../src/secrets/fingerprint.ts';
import { nativeCall } from './helpers/native-call.ts';
import { behaviourKeys, clientToken, eventKey, poolKeys, testLogFile } from './helpers/secrets.ts';
import { startService } from './helpers/start-service.ts';
import { waitFor } from './helpers/wait-for.ts';
import { withService } from './helpers/with-service.ts';
import { fixtureBytes } from './mock-upstream/fixtures.ts';
import { quotaBody } from './mock-upstream/key-behaviours.ts';
import { MockGemini, type Override, replyWith } from './mock-upstream/mock-gemini.ts';

const body = '{"contents":[{"parts":[{"text":"hi"}]}]}';
const perMinute = 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier';
const modelOf = (url: string) => /\/models\/([^/:?]+)/.exec(url)?.[1];

describe('blame the right thing', () => {
  test('resets on two of three keys leave every key serving every model: 200s, no 429', async () => {
    let requests = 0;
    let server: string | undefined;
    // A blip: the first two connections are reset. The key that then serves is out of quota for pro.
    const override: Override = (request, response) => {
      requests++;
      if (requests <= 2) return Boolean(response.socket?.destroy());
      server ??= request.key;
      if (request.key === server && modelOf(request.url) === 'gemini-2.5-pro')
        return replyWith(429, quotaBody('gemini-2.5-pro', perMinute, 50))(request, response);
      return false;
    };
    await withService({ override }, async ({ mock, service }) => {
      const statuses: number[] = [];
      for (const model of ['gemini-2.5-flash', 'gemini-2.5-pro', 'gemini-2.0-flash', 'gemini-2.5-pro']) {
        const response = await nativeCall(service.url, `${model}:generateContent`, body);
        statuses.push(response.status);
        await response.arrayBuffer();
      }
      assert.deepEqual(statuses, [200, 200, 200, 200]);
      const reset = mock.received.slice(0, 2).map((request) => request.key);
      const servedAfter = mock.received.slice(3).map((request) => request.key);
      for (const key of reset)
        assert.ok(
          servedAfter.includes(key),
          'a key that saw a reset serves right after: the path was blamed',
        );
    });
  });

  test('a hung upstream costs at most two attempts, and rests the keys on no other model', async () => {
    const hung: Override = (request) => modelOf(request.url) === 'gemini-hung'; // never answered
    const env = { UPSTREAM_FIRST_BYTE_TIMEOUT_MS: '300' };
    await withService({ env, override: hung }, async ({ mock, service }) => {
      const response = await nativeCall(service.url, 'gemini-hung:generateContent', body);
      assert.equal(response.status, 504);
      await response.arrayBuffer();
      const attempts = mock.received.filter((request) => modelOf(request.url) === 'gemini-hung');
      assert.equal(attempts.length, 2, 'retried once, on another key');
      assert.notEqual(attempts[0]?.key, attempts[1]?.key);
      for (const attempt of attempts) {
        const view = service.pool.get(fingerprintKey(attempt.key ?? ''));
        assert.equal(view?.backoffUntil, undefined, 'no back-off of the whole key');
      }
      const other = await nativeCall(service.url, 'gemini-2.5-flash:generateContent', body);
      assert.equal(other.status, 200);
      await other.arrayBuffer();
    });
  });

  test('"unregistered callers" from every key disables none: one key re-checked, the client told so', async () => {
    const noKey = fixtureBytes('error-403-no-key.json');
    const override: Override = (request, response) =>
      request.url.includes(':generateContent') && replyWith(403, noKey)(request, response);
    await withService({ override }, async ({ mock, service }) => {
      for (let round = 0; round < 3; round++) {
        const response = await nativeCall(service.url, 'gemini-2.5-flash:generateContent', body);
        assert.equal(response.status, 502);
        const answer = (await response.json()) as { error: { message: string } };
        assert.match(answer.error.message, /path .* or configuration, not of the keys/);
      }
      assert.equal(mock.requestsTo(':generateContent').length, 3, 'no retry on every other key');
      assert.ok(await waitFor(() => mock.requestsTo('/v1beta/models?').length === 1), 'one key re-checked');
      for (const key of poolKeys) assert.equal(service.pool.get(fingerprintKey(key))?.enabled, true);
    });
  });

  test('names in Gemini’s models list are vouched for: the pool keeps state for them', async () => {
    await withService({}, async ({ service }) => {
      assert.equal(service.pool.tracksModel('gemini-3.1-flash-lite'), false, 'not yet');
      const response = await fetch(`${service.url}/openai/v1/models`, {
        headers: { authorization: `Bearer ${clientToken}` },
      });
      assert.equal(response.status, 200);
      await response.arrayBuffer();
      assert.equal(service.pool.tracksModel('gemini-3.1-flash-lite'), true);
    });
  });

  test('a model name longer than 128 characters is refused before any upstream call', async () => {
    await withService({}, async ({ mock, service }) => {
      const response = await nativeCall(service.url, `gemini-${'x'.repeat(200)}:generateContent`, body);
      assert.equal(response.status, 400);
      await response.arrayBuffer();
      assert.equal(mock.received.length, 0);
    });
  });
});

describe('tell the operator', () => {
  test('a key disabled and a key out of its daily quota each get one warn line with the fingerprint', async () => {
    // The day-quota key is this test's own: other tests' lines about their keys do not count here.
    const keys: string[] = [behaviourKeys.dead, eventKey, behaviourKeys.healthyB];
    const override: Override = (request, response) => {
      if (request.url.startsWith('/v1beta/models?')) return false;
      if (request.key === behaviourKeys.dead)
        return replyWith(400, fixtureBytes('error-400-invalid-key.json'))(request, response);
      if (request.key === eventKey)
        return replyWith(
          429,
          quotaBody('gemini-2.5-flash', 'GenerateRequestsPerDayPerProjectPerModel-FreeTier', 3),
        )(request, response);
      return false;
    };
    await withService({ env: { GEMINI_API_KEYS: keys.join(',') }, override }, async ({ service }) => {
      for (let call = 0; call < 3; call++) {
        const response = await nativeCall(service.url, 'gemini-2.5-flash:generateContent', body);
        assert.equal(response.status, 200);
        await response.arrayBuffer();
      }
      const lines = () =>
        readFileSync(testLogFile, 'utf8')
          .split('\n')
          .filter((line) => line.includes('"level":40'));
      const about = (key: string, text: string) =>
        lines().filter((line) => line.includes(fingerprintKey(key)) && line.includes(text));
      assert.ok(
        await waitFor(() => about(behaviourKeys.dead, 'key disabled (upstream): API_KEY_INVALID').length > 0),
      );
      assert.ok(
        await waitFor(() => about(eventKey, 'out of its daily quota for gemini-2.5-flash').length > 0),
      );
      assert.equal(about(eventKey, 'daily quota').length, 1, 'once, not per 429');
    });
  });
});

describe('tell clients the truth', () => {
  test('every key answering 429 inside one call → 429 with Retry-After from the first key to free up', async () => {
    const keys: string[] = [...poolKeys, behaviourKeys.healthyA];
    const model = 'gemini-2.5-flash';
    const override: Override = (request, response) => {
      const left = 41 + keys.indexOf(request.key ?? '');
      return replyWith(429, quotaBody(model, perMinute, left))(request, response);
    };
    await withService({ env: { GEMINI_API_KEYS: keys.join(',') }, override }, async ({ mock, service }) => {
      const response = await nativeCall(service.url, `${model}:generateContent`, body);
      assert.equal(response.status, 429);
      assert.equal(mock.received.length, 4, 'every key tried: the retries ran out with the keys');
      const retryAfter = Number(response.headers.get('retry-after'));
      assert.ok(
        retryAfter >= 42 && retryAfter <= 43,
        `Retry-After ${retryAfter}: the earliest key, one second more`,
      );
      assert.match(await response.text(), /You exceeded your current quota/, "Gemini's own words");
    });
  });

  test('learnt limits survive a restart: the key rests before the call that would be refused', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gemini-balance-test-'));
    // A compressed minute (6 s): one Gemini second is 100 ms.
    const env = { GEMINI_API_KEYS: poolKeys[0], DATA_DIR: dataDir, QUOTA_MINUTE_MS: '6000' };
    const mock = await MockGemini.start();
    const limitOf2 = quotaBody('gemini-2.5-flash', perMinute, 1).replace(
      /"quotaValue": "\d+"/,
      '"quotaValue": "2"',
    );
    let refuse = true;
    mock.override = (request, response) => refuse && replyWith(429, limitOf2)(request, response);
    try {
      const first = await startService(mock.url, env);
      const refused = await nativeCall(first.url, 'gemini-2.5-flash:generateContent', body);
      assert.equal(refused.status, 429);
      await refused.arrayBuffer();
      await first.close();
      refuse = false;

      const second = await startService(mock.url, env);
      try {
        // The learnt window frees up 200 ms after the 429; then two calls fit in it, not three.
        assert.ok(await waitFor(() => second.pool.get(fingerprintKey(poolKeys[0]))?.cooling.length === 0));
        const statuses: number[] = [];
        for (let call = 0; call < 3; call++) {
          const response = await nativeCall(second.url, 'gemini-2.5-flash:generateContent', body);
          statuses.push(response.status);
          await response.arrayBuffer();
        }
        assert.deepEqual(statuses, [200, 200, 429]);
        assert.equal(mock.received.length, 3, 'the third call never went upstream');
      } finally {
        await second.close();
      }
    } finally {
      await mock.close();
    }
  });
});
