import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { pino } from 'pino';
import { readFixtureBytes } from '../../test/helpers/read-fixture.ts';
import { AppError } from '../errors/app-error.ts';
import { KeyPool } from '../pool/key-pool.ts';
import { fingerprintKey } from '../secrets/fingerprint.ts';
import { MemoryKeyStateStore } from '../store/memory-key-state-store.ts';
import type { UpstreamRequest, UpstreamResponse } from '../upstream/upstream-client.ts';
import { handedOver, handOver, recordOfError } from './call-record.ts';
import { ClientAbort } from './client-abort-signal.ts';
import { Dispatcher } from './dispatcher.ts';

const secrets = ['synthetic-dispatch-key-a', 'synthetic-dispatch-key-b'];
const log = pino({ level: 'silent' });

/** Answers each attempt with the next recorded fixture (status, file), or 200 `ok`. */
function dispatcherAnswering(answers: Array<[number, string]>, keys = secrets) {
  const pool = new KeyPool({ keys, store: new MemoryKeyStateStore() });
  const seen: UpstreamRequest[] = [];
  const upstream = {
    async request(request: UpstreamRequest): Promise<UpstreamResponse> {
      seen.push(request);
      const [status, file] = answers.shift() ?? [200, ''];
      const body = file === '' ? Buffer.from('{"candidates":[]}') : readFixtureBytes(file);
      return { status, headers: { 'content-type': 'application/json' }, body: Readable.from([body]) };
    },
  };
  return { dispatcher: new Dispatcher({ upstream, pool, maxRetries: 2 }), pool, seen };
}

const call = (path = '/v1beta/models/gemini-2.5-flash:generateContent') => ({
  method: 'POST',
  path,
  model: 'gemini-2.5-flash',
  headers: {},
  body: Buffer.from('{}'),
  signal: new AbortController().signal,
});

describe('Dispatcher and its call record', () => {
  test('a success records the model, the one attempt, the answering key and the time to it', async () => {
    const { dispatcher, seen } = dispatcherAnswering([]);
    const result = await dispatcher.call(call(), log);
    assert.equal(result.status, 200);
    const key = fingerprintKey(seen[0]?.headers['x-goog-api-key'] ?? '');
    assert.equal(result.keyId, key);
    assert.equal(result.record.model, 'gemini-2.5-flash');
    assert.equal(result.record.requestedModel, 'gemini-2.5-flash');
    assert.equal(result.record.stream, false);
    assert.equal(result.record.keyFingerprint, key);
    assert.deepEqual(result.record.attempts, [{ keyFingerprint: key, outcome: 'ok', status: 200 }]);
    assert.ok((result.record.firstByteMs ?? -1) >= 0);
  });

  test('a client gone before the call (a ClientAbort undici would not see): no key is spent on it', async () => {
    const { dispatcher, seen, pool } = dispatcherAnswering([]);
    // The attempt still ends for the pool's window layout, which matches answers to leases in order.
    const unanswered: string[] = [];
    pool.unanswered = (id, model) => unanswered.push(`${id} ${model}`);
    const signal = new ClientAbort();
    signal.abort();
    await assert.rejects(dispatcher.call({ ...call(), signal }, log), { name: 'AbortError' });
    assert.equal(seen.length, 0);
    assert.equal(unanswered.length, 1);
    assert.match(unanswered[0] ?? '', / gemini-2\.5-flash$/);
  });

  test('a retry on another key shows both attempts with their outcomes and statuses', async () => {
    const { dispatcher } = dispatcherAnswering([[503, 'error-503-overloaded.json']]);
    const result = await dispatcher.call(call('/v1beta/models/x:streamGenerateContent?alt=sse'), log);
    assert.equal(result.status, 200);
    assert.deepEqual(
      result.record.attempts.map((attempt) => [attempt.outcome, attempt.status]),
      [
        ['transient', 503],
        ['ok', 200],
      ],
    );
    assert.equal(result.record.stream, true);
    assert.equal(result.record.keyFingerprint, result.record.attempts[1]?.keyFingerprint);
  });

  test('a failure thrown when no key is left keeps its record on the error', async () => {
    const { dispatcher } = dispatcherAnswering([
      [400, 'error-400-invalid-key.json'],
      [403, 'error-403-consumer-suspended.json'],
    ]);
    const failure = await dispatcher.call(call(), log).then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.ok(failure instanceof AppError);
    assert.equal(failure.code, 'ALL_KEYS_DISABLED');
    const record = recordOfError(failure);
    assert.deepEqual(
      record?.attempts.map((attempt) => attempt.outcome),
      ['invalid', 'invalid'],
    );
    assert.equal(record?.keyFingerprint, undefined, 'no key answered the client');
  });

  test("every key out of quota inside the call: Gemini's 429 with Retry-After from the first key to free up", async () => {
    const quota: [number, string] = [429, 'error-429-resource-exhausted.json'];
    const { dispatcher } = dispatcherAnswering([quota, quota]);
    const result = await dispatcher.call(call(), log);
    assert.equal(result.status, 429);
    assert.equal(result.headers['retry-after'], '27', 'RetryInfo says 26 s, whole seconds cut down');
    assert.deepEqual(
      result.record.attempts.map((attempt) => attempt.outcome),
      ['quota', 'quota'],
    );
  });

  test('every key out of quota, one frees up within a second of the minute: the call waits for it, not refused', async () => {
    const key = secrets[0] ?? '';
    const skew = { ms: 0 };
    const pool = new KeyPool({
      keys: [key],
      store: new MemoryKeyStateStore(),
      now: () => Date.now() + skew.ms,
    });
    const limit = { limit: 1, windowMs: 60_000 };
    pool.applyShared({ kind: 'limit', fingerprint: fingerprintKey(key), model: 'gemini-2.5-flash', limit });
    let calls = 0;
    const upstream = {
      async request(): Promise<UpstreamResponse> {
        calls++;
        const body = Buffer.from('{"candidates":[]}');
        return { status: 200, headers: {}, body: Readable.from([body]) };
      },
    };
    const dispatcher = new Dispatcher({ upstream, pool, maxRetries: 2 });
    assert.equal((await dispatcher.call(call(), log)).status, 200);
    // Half a minute later the key is still full for 30 s: refused at once, nothing sent.
    skew.ms = 30_000;
    await assert.rejects(dispatcher.call(call(), log), (error: AppError) => error.status === 429);
    assert.equal(calls, 1);
    // The window (and the count's 0.3 s margin) ends in 0.2 s, within a "second": the call waits.
    skew.ms = 60_300 - 200;
    const result = await dispatcher.call(call(), log);
    assert.equal(result.status, 200);
    assert.equal(calls, 2);
  });

  test('two keys dead for the same reason at once: nothing more is disabled, one more key is tried and serves', async () => {
    const invalid: [number, string] = [400, 'error-400-invalid-key.json'];
    const keys = [...secrets, 'synthetic-dispatch-key-c'];
    const { dispatcher, pool } = dispatcherAnswering([invalid, invalid], keys);
    const result = await dispatcher.call(call(), log);
    assert.equal(result.status, 200);
    assert.deepEqual(
      result.record.attempts.map((attempt) => attempt.outcome),
      ['invalid', 'invalid', 'ok'],
    );
    assert.equal(pool.stats().disabled, 1, 'the second key is not disabled on a pattern');
  });

  test('the first hand-off of a request counts', async () => {
    const { dispatcher } = dispatcherAnswering([]);
    const request = {};
    const first = await dispatcher.call(call(), log);
    const second = await dispatcher.call(call(), log);
    handOver(request, first.record);
    handOver(request, second.record);
    assert.equal(handedOver(request), first.record);
    assert.equal(handedOver({}), undefined);
  });

  test('a Live session refused for a dead key disables it and records the attempt', () => {
    const { dispatcher, pool } = dispatcherAnswering([], [secrets[0] ?? '']);
    const session = dispatcher.openLive(
      '/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent',
    );
    assert.ok(!(session instanceof AppError));
    const outcome = session.refused(400, readFixtureBytes('error-400-invalid-key.json').toString('utf8'));
    assert.equal(outcome.kind, 'invalid');
    assert.equal(pool.get(session.lease.id)?.enabled, false);
    assert.deepEqual(session.record.attempts, [
      { keyFingerprint: session.lease.fingerprint, outcome: 'invalid', status: 400 },
    ]);
    assert.equal(session.record.stream, true);
    const none = dispatcher.openLive('/ws/x');
    assert.ok(none instanceof AppError, 'no key left for the next session');
    assert.equal(none.status, 503);
  });
});
