import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { pino } from 'pino';
import { AppError, errors } from '../errors/app-error.ts';
import { KeyPool } from '../pool/key-pool.ts';
import { fingerprintKey } from '../secrets/fingerprint.ts';
import { MemoryKeyStateStore } from '../store/memory-key-state-store.ts';
import type { UpstreamRequest, UpstreamResponse } from '../upstream/upstream-client.ts';
import { Dispatcher } from './dispatcher.ts';
import { PathHealth } from './path-health.ts';

const log = pino({ level: 'silent' });

test('a path rests after three network failures in a row, growing; any answer ends the streak', () => {
  const paths = new PathHealth({ baseMs: 1000, maxMs: 4000 });
  paths.failed('proxy 1', 0);
  paths.failed('proxy 1', 0);
  assert.equal(paths.restingUntil('proxy 1', 0), undefined, 'two failures: not yet');
  paths.failed('proxy 1', 0);
  assert.equal(paths.restingUntil('proxy 1', 0), 1000);
  paths.failed('proxy 1', 1000);
  assert.equal(paths.restingUntil('proxy 1', 1000), 3000);
  assert.equal(paths.restingUntil('proxy 2', 0), undefined, 'paths are apart');
  paths.answered('proxy 1');
  assert.equal(paths.restingUntil('proxy 1', 1000), undefined);
});

function dispatcherWith(keys: string[], pathOf: (keyId: string) => string, broken: Set<string>) {
  const pool = new KeyPool({ keys, store: new MemoryKeyStateStore() });
  const seen: string[] = [];
  const upstream = {
    pathOf,
    async request(request: UpstreamRequest): Promise<UpstreamResponse> {
      const id = fingerprintKey(request.headers['x-goog-api-key'] ?? '');
      seen.push(id);
      if (broken.has(pathOf(id))) throw errors.upstreamUnreachable(new Error('ECONNRESET'));
      return { status: 200, headers: {}, body: Readable.from([Buffer.from('{}')]) };
    },
  };
  return { dispatcher: new Dispatcher({ upstream, pool, maxRetries: 3 }), pool, seen };
}

const call = () => ({
  method: 'POST',
  path: '/v1beta/models/gemini-2.5-flash:generateContent',
  model: 'gemini-2.5-flash',
  headers: {},
  body: Buffer.from('{}'),
  signal: new AbortController().signal,
});

test('keys behind a broken proxy are skipped once it rests; the keys themselves never rest', async () => {
  const keys = ['path-key-a', 'path-key-b', 'path-key-c', 'path-key-d'];
  const ids = keys.map(fingerprintKey);
  const pathOf = (id: string) => (id === ids[0] || id === ids[1] ? 'proxy 1' : 'proxy 2');
  const { dispatcher, pool, seen } = dispatcherWith(keys, pathOf, new Set(['proxy 1']));
  for (let round = 0; round < 6; round++) assert.equal((await dispatcher.call(call(), log)).status, 200);
  const broken = seen.filter((id) => pathOf(id) === 'proxy 1').length;
  assert.ok(broken <= 3, `${broken} calls through the broken proxy: it rests after three`);
  for (const id of ids) assert.equal(pool.get(id)?.backoffUntil, undefined);
});

test('when the one path keeps failing: 502 while failing, then 503 "path down" with Retry-After and no call', async () => {
  const { dispatcher, seen } = dispatcherWith(['one', 'two'], () => 'upstream', new Set(['upstream']));
  const first = await dispatcher.call(call(), log).catch((error: unknown) => error);
  assert.ok(first instanceof AppError && first.code === 'UPSTREAM_UNREACHABLE', String(first));
  await dispatcher.call(call(), log).catch(() => undefined); // the third failure in a row
  const before = seen.length;
  const down = await dispatcher.call(call(), log).catch((error: unknown) => error);
  assert.ok(down instanceof AppError);
  assert.equal(down.code, 'UPSTREAM_PATH_DOWN');
  assert.equal(down.status, 503);
  assert.ok((down.retryAfterSeconds ?? 0) >= 1);
  assert.equal(seen.length, before, 'no upstream call while the path rests');
});
