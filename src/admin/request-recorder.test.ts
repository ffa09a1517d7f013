import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openDatabase } from '../store/database.ts';
import { SqliteRequestRecordStore } from '../store/sqlite-request-record-store.ts';
import { RequestRecorder } from './request-recorder.ts';

const sample = {
  time: 1,
  surface: 'native',
  route: '/v1beta/*',
  method: 'POST',
  model: undefined,
  requestedModel: undefined,
  client: undefined,
  keyFingerprint: undefined,
  attempts: [],
  status: 200,
  errorClass: undefined,
  errorMessage: undefined,
  latencyMs: 1,
  firstByteMs: undefined,
  stream: false,
  promptTokens: 0,
  outputTokens: 0,
  thoughtTokens: 0,
  cachedTokens: 0,
};

test('records wait off the request path and are all written by close', () => {
  const store = new SqliteRequestRecordStore(openDatabase(':memory:'));
  const recorder = new RequestRecorder({
    store,
    retention: { days: 100_000, rows: 1_000_000 },
    flushIntervalMs: 60_000,
    maxBatch: 1_000_000,
    onError: (error) => assert.fail(String(error)),
  });
  for (let index = 0; index < 2500; index++) recorder.add({ ...sample, time: Date.now() });
  assert.equal(store.count(), 0, 'nothing written in the request');
  assert.equal(recorder.pending, 2500);
  recorder.close();
  assert.equal(store.count(), 2500);
  recorder.add({ ...sample, time: Date.now() });
  assert.equal(store.count(), 2501, 'a request answered after close is still written');
});
