import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openDatabase } from './database.ts';
import type { RequestRecord } from './request-record.ts';
import { lastErrors, listRecords, perMinute, usageSeries, usageTotals } from './request-record-queries.ts';
import { SqliteRequestRecordStore } from './sqlite-request-record-store.ts';

const hour = 3_600_000;
const base = Date.UTC(2026, 0, 1, 10);

function record(overrides: Partial<RequestRecord>): RequestRecord {
  return {
    time: base,
    surface: 'native',
    route: '/v1beta/*',
    method: 'POST',
    model: 'gemini-2.5-flash',
    requestedModel: undefined,
    client: 'alice',
    keyFingerprint: 'key_a',
    attempts: [{ key: 'key_a', outcome: 'ok', status: 200 }],
    status: 200,
    errorClass: undefined,
    errorMessage: undefined,
    latencyMs: 12,
    firstByteMs: 5,
    stream: false,
    promptTokens: 10,
    outputTokens: 20,
    thoughtTokens: 3,
    cachedTokens: 0,
    ...overrides,
  };
}

test('records are filtered through the indexes and rolled up per model, key (per attempt) and client', () => {
  const store = new SqliteRequestRecordStore(openDatabase(':memory:'));
  store.append([
    record({}),
    record({
      time: base + 60_000,
      keyFingerprint: 'key_b',
      attempts: [
        { key: 'key_a', outcome: 'quota', status: 429 },
        { key: 'key_b', outcome: 'ok', status: 200 },
      ],
    }),
    record({
      time: base + hour,
      model: 'gemini-2.5-pro',
      client: 'bob',
      status: 429,
      attempts: [{ key: 'key_a', outcome: 'quota', status: 429 }],
      errorClass: 'quota',
      errorMessage: 'Resource exhausted 100%',
      promptTokens: 0,
      outputTokens: 0,
      thoughtTokens: 0,
    }),
  ]);
  const database = store.database;
  assert.equal(store.count(), 3);
  assert.equal(listRecords(database, {}).at(0)?.model, 'gemini-2.5-pro', 'newest first');
  assert.equal(listRecords(database, { client: 'bob' }).length, 1);
  assert.equal(listRecords(database, { status: '4xx' }).length, 1);
  assert.equal(listRecords(database, { status: '200' }).length, 2);
  assert.equal(listRecords(database, { outcome: 'quota' }).length, 1);
  assert.equal(listRecords(database, { key: 'key_b' }).length, 1);
  assert.equal(listRecords(database, { text: '100%' }).length, 1, 'LIKE wildcards are literal');
  assert.equal(listRecords(database, { text: '10_%' }).length, 0);
  assert.equal(listRecords(database, { from: base + 1, to: base + hour }).length, 1);
  const keys = usageTotals(database, 'key', base);
  assert.deepEqual(
    [keys.get('key_a')?.requests, keys.get('key_a')?.errors, keys.get('key_b')?.requests],
    [3, 2, 1],
  );
  assert.equal(keys.get('key_b')?.outputTokens, 20);
  assert.equal(usageTotals(database, 'all', base).get('')?.requests, 3);
  assert.equal(usageTotals(database, 'client', base).get('alice')?.promptTokens, 20);
  const series = usageSeries(database, 'model', base, hour);
  assert.deepEqual(
    series.map((point) => [point.time - base, point.name, point.requests]),
    [
      [0, 'gemini-2.5-flash', 2],
      [hour, 'gemini-2.5-pro', 1],
    ],
  );
  assert.deepEqual(
    perMinute(database, base).map((minute) => minute.requests),
    [1, 1, 1],
  );
  assert.equal(lastErrors(database).get('key_a')?.outcome, 'quota');
});

test('retention drops records by age and by row count', () => {
  const store = new SqliteRequestRecordStore(openDatabase(':memory:'));
  store.append(Array.from({ length: 10 }, (_, index) => record({ time: base + index * 24 * hour })));
  assert.equal(store.prune(base + 10 * 24 * hour, { days: 5, rows: 1000 }), 5);
  assert.equal(store.count(), 5);
  store.prune(base + 10 * 24 * hour, { days: 5, rows: 2 });
  assert.equal(store.count(), 2);
  assert.equal(listRecords(store.database, {}).at(-1)?.time, base + 8 * 24 * hour, 'the newest stay');
});
