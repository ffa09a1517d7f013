import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { fingerprintKey } from '../src/secrets/fingerprint.ts';
import { adminApi } from './helpers/admin-client.ts';
import { nativeCall } from './helpers/native-call.ts';
import { adminToken, behaviourKeys, clientToken, otherClientToken, wrongToken } from './helpers/secrets.ts';
import { type RunningService, startService } from './helpers/start-service.ts';
import { keyBehaviours, minuteQuotaModel } from './mock-upstream/key-behaviours.ts';
import { MockGemini } from './mock-upstream/mock-gemini.ts';

type Totals = {
  requests: number;
  errors: number;
  promptTokens: number;
  outputTokens: number;
  thoughtTokens: number;
};
type KeyRow = {
  fingerprint: string;
  state: string;
  disabled?: { reason: string; by: string };
  cooling: Array<{ model: string; until: number }>;
  lastError?: { outcome: string };
  learntLimits: Array<{ model: string; limit: number; windowMs: number }>;
  usage24h?: Totals;
};

const keys = [
  behaviourKeys.dead,
  behaviourKeys.minuteQuota,
  behaviourKeys.dayQuota,
  behaviourKeys.healthyA,
  behaviourKeys.healthyB,
];

/** Token counts as the client saw them: prompt, and output including thoughts. */
type Seen = { prompt: number; output: number };

function lastUsage(text: string): Seen {
  const matches = [...text.matchAll(/"usageMetadata"\s*:\s*(\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\})/g)];
  const usage = JSON.parse(matches.at(-1)?.[1] ?? '{}') as Record<string, number>;
  return {
    prompt: usage.promptTokenCount ?? 0,
    output: (usage.candidatesTokenCount ?? 0) + (usage.thoughtsTokenCount ?? 0),
  };
}

describe('the admin API after mixed traffic through the mock', () => {
  let mock: MockGemini;
  let service: RunningService;
  const seen: Seen = { prompt: 0, output: 0 };
  let answered = 0;

  before(async () => {
    mock = await MockGemini.start();
    mock.override = keyBehaviours();
    service = await startService(mock.url, {
      GEMINI_API_KEYS: keys.join(','),
      ALLOWED_TOKENS: `alice:${clientToken},bob:${otherClientToken}`,
      ADMIN_TOKEN: adminToken,
    });
    const add = (usage: Seen) => {
      seen.prompt += usage.prompt;
      seen.output += usage.output;
      answered++;
    };
    for (let round = 0; round < 6; round++) {
      const unary = await nativeCall(service.url, 'gemini-2.5-flash:generateContent');
      assert.equal(unary.status, 200);
      add(lastUsage(await unary.text()));
      const stream = await nativeCall(service.url, 'gemini-2.5-flash:streamGenerateContent?alt=sse');
      assert.equal(stream.status, 200);
      add(lastUsage(await stream.text()));
      const pro = await nativeCall(service.url, `${minuteQuotaModel}:generateContent`);
      assert.equal(pro.status, 200);
      add(lastUsage(await pro.text()));
      const chat = await fetch(`${service.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${otherClientToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'hi' }] }),
      });
      assert.equal(chat.status, 200);
      const completion = (await chat.json()) as {
        usage: { prompt_tokens: number; completion_tokens: number };
      };
      add({ prompt: completion.usage.prompt_tokens, output: completion.usage.completion_tokens });
    }
    const refused = await fetch(`${service.url}/v1beta/models/gemini-2.5-flash:generateContent`, {
      method: 'POST',
      headers: { 'x-goog-api-key': wrongToken },
      body: '{}',
    });
    assert.equal(refused.status, 401);
    await refused.text();
    answered++;
  });
  after(async () => {
    await service.close();
    await mock.close();
  });

  const generationCalls = (key: string) =>
    mock.received.filter((request) => request.key === key && !request.url.startsWith('/v1beta/models?'));

  test('key states: dead disabled, quota keys cooling for their model, healthy ones active', async () => {
    const table = await adminApi<{ keys: KeyRow[]; states: Record<string, number> }>(
      service.url,
      '/admin/api/keys',
    );
    const row = (key: string) => table.keys.find((entry) => entry.fingerprint === fingerprintKey(key));
    assert.equal(row(behaviourKeys.dead)?.state, 'disabled');
    assert.equal(row(behaviourKeys.dead)?.disabled?.by, 'upstream');
    assert.match(row(behaviourKeys.dead)?.disabled?.reason ?? '', /API_KEY_INVALID/);
    assert.equal(row(behaviourKeys.minuteQuota)?.state, 'cooling');
    assert.deepEqual(
      row(behaviourKeys.minuteQuota)?.cooling.map((cooling) => cooling.model),
      [minuteQuotaModel],
    );
    assert.deepEqual(row(behaviourKeys.minuteQuota)?.learntLimits, [
      { model: minuteQuotaModel, limit: 250_000, windowMs: 60_000 },
    ]);
    assert.deepEqual(row(behaviourKeys.healthyA)?.learntLimits, []);
    assert.equal(row(behaviourKeys.dayQuota)?.state, 'cooling');
    assert.ok(
      (row(behaviourKeys.dayQuota)?.cooling[0]?.until ?? 0) > Date.now() + 60_000,
      'until the quota day ends',
    );
    assert.equal(row(behaviourKeys.dayQuota)?.lastError?.outcome, 'quota');
    assert.equal(row(behaviourKeys.healthyA)?.state, 'active');
    assert.deepEqual(table.states, { active: 2, cooling: 2, disabled: 1 });
  });

  test('per-key counts equal the calls the mock served; token sums equal what the clients received', async () => {
    const table = await adminApi<{ keys: KeyRow[] }>(service.url, '/admin/api/keys');
    let recordedPrompt = 0;
    let recordedOutput = 0;
    for (const key of keys) {
      const row = table.keys.find((entry) => entry.fingerprint === fingerprintKey(key));
      const served = generationCalls(key).length;
      assert.equal(row?.usage24h?.requests ?? 0, served, `requests of ${fingerprintKey(key)}`);
      recordedPrompt += row?.usage24h?.promptTokens ?? 0;
      recordedOutput += (row?.usage24h?.outputTokens ?? 0) + (row?.usage24h?.thoughtTokens ?? 0);
    }
    assert.ok(generationCalls(behaviourKeys.dead).length > 0, 'the dead key was tried');
    const dead = table.keys.find((entry) => entry.fingerprint === fingerprintKey(behaviourKeys.dead));
    assert.equal(dead?.usage24h?.errors, generationCalls(behaviourKeys.dead).length);
    assert.ok(seen.prompt > 0 && seen.output > 0);
    assert.deepEqual({ prompt: recordedPrompt, output: recordedOutput }, seen);
    const overview = await adminApi<{ last24h: Totals; errorRate24h: number }>(
      service.url,
      '/admin/api/overview',
    );
    assert.equal(overview.last24h.requests, answered);
    assert.equal(overview.last24h.errors, 1, 'only the refused request failed for its client');
    assert.equal(overview.last24h.promptTokens, seen.prompt);
  });

  test('usage by client and the request log filters', async () => {
    const usage = await adminApi<{ points: Array<{ name: string; requests: number }> }>(
      service.url,
      '/admin/api/usage?dimension=client&range=24h',
    );
    const byClient = (name: string) =>
      usage.points.filter((point) => point.name === name).reduce((sum, point) => sum + point.requests, 0);
    assert.deepEqual([byClient('alice'), byClient('bob')], [18, 6]);
    type Log = { records: Array<{ status: number; stream: boolean; surface: string; attempts: unknown[] }> };
    const streams = await adminApi<Log>(service.url, '/admin/api/requests?client=alice&text=streamGenerate');
    assert.equal(streams.records.length, 6);
    assert.ok(streams.records.every((record) => record.stream));
    const refused = await adminApi<Log>(service.url, '/admin/api/requests?status=401');
    assert.equal(refused.records.length, 1);
    const retried = await adminApi<Log>(service.url, '/admin/api/requests?outcome=ok');
    assert.ok(
      retried.records.some((record) => record.attempts.length > 1),
      'some requests were retried',
    );
    const openai = (await adminApi<Log>(service.url, '/admin/api/requests?client=bob')).records;
    assert.ok(openai.every((record) => record.surface === 'openai'));
    const csv = await adminApi<string>(service.url, '/admin/api/requests.csv?client=bob');
    assert.equal(csv.trim().split('\r\n').length, 7, 'a header and six rows');
  });
});
