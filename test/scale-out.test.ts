import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GoogleGenAI } from '@google/genai';
import { fingerprintKey } from '../src/secrets/fingerprint.ts';
import { nativeCall } from './helpers/native-call.ts';
import { RedisServer } from './helpers/redis-server.ts';
import { clientToken } from './helpers/secrets.ts';
import { type RunningService, startService } from './helpers/start-service.ts';
import { waitFor } from './helpers/wait-for.ts';
import { fixtureBytes } from './mock-upstream/fixtures.ts';
import { quotaBody } from './mock-upstream/key-behaviours.ts';
import { MockGemini, type ReceivedRequest } from './mock-upstream/mock-gemini.ts';

// Keys of their own, so the log check covers them (see helpers/secrets.ts for why they look like this).
const keys = {
  quota: 'gbTESTkey-poolKEY0000000000000000000001',
  dead: 'gbTESTkey-deadKEY00000000000000000000001',
  healthyA: 'gbTESTkey-healthyA0000000000000000000001',
  healthyB: 'gbTESTkey-healthyB0000000000000000000001',
  healthyC: 'gbTESTkey-healthyC0000000000000000000001',
} as const;
const quotaModel = 'gemini-2.5-pro';
const json = { 'content-type': 'application/json; charset=UTF-8' };

describe('two instances sharing one Redis act as one pool', () => {
  let redis: RedisServer;
  let mock: MockGemini;
  let first: RunningService;
  let second: RunningService;
  /** Keys the mock answers 429 for on `quotaModel`, with their retry delay in seconds. */
  const quotaFor = new Map<string, number>([[keys.quota, 300]]);
  let deadAnswers = true;
  /** The file uploaded through A, and the key that holds it. */
  let uploaded: { name: string; uri: string; key: string } | undefined;
  const fileCall = (service: RunningService, file: { uri: string }) =>
    nativeCall(
      service.url,
      'gemini-2.5-flash:generateContent',
      JSON.stringify({
        contents: [
          { parts: [{ fileData: { fileUri: file.uri, mimeType: 'text/plain' } }, { text: 'Capital?' }] },
        ],
      }),
    );

  before(async () => {
    redis = await RedisServer.start();
    mock = await MockGemini.start();
    mock.override = (request, response) => {
      const model = /\/models\/([^/:?]+)/.exec(request.url)?.[1];
      const delay = request.key === undefined ? undefined : quotaFor.get(request.key);
      if (delay !== undefined && model === quotaModel) {
        response.writeHead(429, json);
        response.end(quotaBody(quotaModel, 'GenerateRequestsPerDayPerProjectPerModel-FreeTier', delay));
        return true;
      }
      if (request.key === keys.dead && deadAnswers) {
        response.writeHead(400, json);
        response.end(fixtureBytes('error-400-invalid-key.json'));
        return true;
      }
      return false;
    };
    const env = { GEMINI_API_KEYS: Object.values(keys).join(','), REDIS_URL: redis.url };
    first = await startService(mock.url, env);
    second = await startService(mock.url, env);
  });
  after(async () => {
    await first?.close();
    await second?.close();
    await mock?.close();
    await redis?.stop();
  });

  const since = (start: number, predicate: (request: ReceivedRequest) => boolean) =>
    mock.received.slice(start).filter(predicate);
  const coolingOn = (service: RunningService, key: string, model: string) =>
    (service.pool.get(fingerprintKey(key))?.cooling ?? []).some((entry) => entry.model === model);
  const disabledOn = (service: RunningService, key: string) =>
    service.pool.get(fingerprintKey(key))?.enabled === false;

  test('a 429 cooldown learnt through A is honoured by B', async () => {
    // Through A until A has met the quota key on the quota model.
    for (let index = 0; index < 10 && !coolingOn(first, keys.quota, quotaModel); index++) {
      assert.equal((await nativeCall(first.url, `${quotaModel}:generateContent`)).status, 200);
    }
    assert.ok(coolingOn(first, keys.quota, quotaModel), 'A learnt the cooldown');
    assert.ok(
      await waitFor(() => coolingOn(second, keys.quota, quotaModel), { timeoutMs: 5000 }),
      'B to hear of the cooldown',
    );
    const start = mock.received.length;
    for (let index = 0; index < 12; index++) {
      assert.equal((await nativeCall(second.url, `${quotaModel}:generateContent`)).status, 200);
    }
    assert.equal(since(start, (request) => request.key === keys.quota).length, 0, 'B never called it');
    // Other models are not affected: B still uses the key for them.
    for (let index = 0; index < 10; index++) await nativeCall(second.url, 'gemini-2.5-flash:generateContent');
    assert.ok(since(start, (request) => request.key === keys.quota).length > 0);
  });

  test('a key found dead through A is never called by B', async () => {
    for (let index = 0; index < 10 && !disabledOn(first, keys.dead); index++) {
      assert.equal((await nativeCall(first.url, 'gemini-2.5-flash:generateContent')).status, 200);
    }
    assert.ok(disabledOn(first, keys.dead), 'A found the key dead');
    assert.ok(
      await waitFor(() => disabledOn(second, keys.dead), { timeoutMs: 5000 }),
      'B to hear the key is dead',
    );
    const start = mock.received.length;
    for (let index = 0; index < 20; index++) {
      assert.equal((await nativeCall(second.url, 'gemini-2.5-flash:generateContent')).status, 200);
    }
    assert.equal(since(start, (request) => request.key === keys.dead).length, 0);
  });

  test('a file uploaded through A and used through B goes to the same key', async () => {
    const start = mock.received.length;
    const ai = new GoogleGenAI({ apiKey: clientToken, httpOptions: { baseUrl: first.url } });
    const file = await ai.files.upload({
      file: new Blob(['Paris is the capital of France.'], { type: 'text/plain' }),
      config: { mimeType: 'text/plain' },
    });
    const uploadKey = since(start, (request) => request.url.startsWith('/upload/'))[0]?.key;
    assert.ok(uploadKey !== undefined);
    for (let index = 0; index < 4; index++)
      assert.equal((await fileCall(second, { uri: file.uri ?? '' })).status, 200);
    const uses = since(start, (request) => request.body.includes(file.name ?? '-'));
    assert.equal(uses.length, 4);
    assert.deepEqual(new Set(uses.map((request) => request.key)), new Set([uploadKey]));
    uploaded = { name: file.name ?? '', uri: file.uri ?? '', key: uploadKey };
  });

  test('load stays even across keys when requests alternate between A and B', async () => {
    const start = mock.received.length;
    for (let index = 0; index < 60; index++) {
      const service = index % 2 === 0 ? first : second;
      assert.equal((await nativeCall(service.url, 'gemini-2.0-flash:generateContent')).status, 200);
    }
    const counts = new Map<string, number>();
    for (const request of since(start, () => true))
      counts.set(request.key ?? '', (counts.get(request.key ?? '') ?? 0) + 1);
    // Four live keys (the dead one is out): 15 each, give or take one per instance.
    assert.deepEqual(
      [...counts.keys()].sort(),
      [keys.quota, keys.healthyA, keys.healthyB, keys.healthyC].sort(),
    );
    for (const [key, count] of counts)
      assert.ok(Math.abs(count - 15) <= 2, `${fingerprintKey(key)}: ${count}`);
  });

  test('Redis stopped mid-traffic: requests go on; back again, the instances share again and forget nothing', async () => {
    const traffic = async (rounds: number) => {
      for (let index = 0; index < rounds; index++) {
        const began = Date.now();
        const response = await nativeCall(
          (index % 2 ? first : second).url,
          'gemini-2.5-flash:generateContent',
        );
        assert.equal(response.status, 200);
        assert.ok(Date.now() - began < 3000, 'each request answers within a few seconds');
      }
    };
    await traffic(5);
    // Stopped while requests are in flight.
    const during = traffic(20);
    await redis.stop();
    await during;
    await traffic(10);
    // B still sends the file A created to its key: it kept what Redis told it.
    assert.ok(uploaded !== undefined);
    const fileStart = mock.received.length;
    assert.equal((await fileCall(second, uploaded)).status, 200);
    assert.deepEqual(
      since(fileStart, (request) => request.body.includes(uploaded?.name ?? '-')).map(
        (request) => request.key,
      ),
      [uploaded.key],
    );
    // Learnt while Redis is away: stays local to A.
    quotaFor.set(keys.healthyA, 300);
    for (let index = 0; index < 10 && !coolingOn(first, keys.healthyA, quotaModel); index++)
      await nativeCall(first.url, `${quotaModel}:generateContent`);
    assert.ok(coolingOn(first, keys.healthyA, quotaModel));
    await redis.resume();
    await traffic(5);
    // The cooldown A learnt during the outage reaches B once Redis is back (A republishes).
    assert.ok(
      await waitFor(() => coolingOn(second, keys.healthyA, quotaModel), { timeoutMs: 5000 }),
      'B to hear what A learnt offline',
    );
    // A new cooldown learnt through A after the outage is honoured by B.
    quotaFor.set(keys.healthyB, 300);
    for (let index = 0; index < 10 && !coolingOn(first, keys.healthyB, quotaModel); index++)
      await nativeCall(first.url, `${quotaModel}:generateContent`);
    assert.ok(
      await waitFor(() => coolingOn(second, keys.healthyB, quotaModel), { timeoutMs: 5000 }),
      'B to hear the new cooldown',
    );
    const start = mock.received.length;
    for (let index = 0; index < 6; index++) await nativeCall(second.url, `${quotaModel}:generateContent`);
    const cooled = new Set<string>([keys.quota, keys.healthyA, keys.healthyB, keys.dead]);
    assert.equal(since(start, (request) => cooled.has(request.key ?? '')).length, 0);
    // What both knew before the outage still holds in both, and Redis (restarted empty) has it all
    // again: a third instance that starts now knows it too.
    deadAnswers = false;
    const third = await startService(mock.url, {
      GEMINI_API_KEYS: Object.values(keys).join(','),
      REDIS_URL: redis.url,
    });
    try {
      for (const service of [first, second, third]) {
        assert.ok(coolingOn(service, keys.quota, quotaModel));
        assert.ok(coolingOn(service, keys.healthyA, quotaModel));
        assert.ok(coolingOn(service, keys.healthyB, quotaModel));
        assert.ok(disabledOn(service, keys.dead));
      }
    } finally {
      await third.close();
    }
  });
});
