import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { nativeCall, startUpload } from './helpers/native-call.ts';
import { withService } from './helpers/with-service.ts';

test('with the database write-locked by another process, requests are served and state is written later', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gemini-balance-locked-'));
  await withService({ env: { DATA_DIR: dataDir } }, async ({ service }) => {
    const other = new DatabaseSync(join(dataDir, 'gemini-balance.db'));
    other.exec('BEGIN IMMEDIATE');
    // Every key answers 429: three cooldown writes, each failing on the lock, none fatal.
    const quota = await nativeCall(service.url, 'mock-error-429-no-details:generateContent');
    assert.equal(quota.status, 429);
    const ok = await nativeCall(service.url, 'gemini-2.5-flash:generateContent');
    assert.equal(ok.status, 200);
    assert.equal((await fetch(`${service.url}/health`)).status, 200);
    other.exec('COMMIT');
    other.close();
  });
  // Closing the service flushed what the lock held back.
  const check = new DatabaseSync(join(dataDir, 'gemini-balance.db'));
  const cooldowns = check
    .prepare("SELECT count(*) AS n FROM key_cooldown WHERE model LIKE 'mock-error-429%'")
    .get();
  check.close();
  assert.equal((cooldowns as { n: number }).n, 3);
});

test('with the database write-locked, an upload starts and continues, and its owner is written later', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gemini-balance-locked-'));
  await withService({ env: { DATA_DIR: dataDir } }, async ({ mock, service }) => {
    const other = new DatabaseSync(join(dataDir, 'gemini-balance.db'));
    other.exec('BEGIN IMMEDIATE');
    // Remembering which key owns the upload is a write: it must not fail the start.
    const start = await startUpload(service.url);
    assert.equal(start.status, 200);
    const uploadUrl = new URL(start.headers.get('x-goog-upload-url') ?? '');
    assert.notEqual(uploadUrl.searchParams.get('upload_id') ?? '', '');
    // The owner is known before it reaches the database: the upload continues with the same key.
    const chunk = await fetch(uploadUrl.href.replace(uploadUrl.origin, service.url), {
      method: 'POST',
      body: 'hello',
      headers: { 'x-goog-upload-command': 'upload', 'x-goog-upload-offset': '0' },
    });
    assert.equal(chunk.status, 200);
    const keys = mock.requestsTo('/upload/').map((request) => request.key);
    assert.equal(keys.length, 2);
    assert.equal(keys[1], keys[0], 'the upload continued with the key that started it');
    other.exec('COMMIT');
    other.close();
  });
  // Closing the service wrote the owner the lock held back.
  const check = new DatabaseSync(join(dataDir, 'gemini-balance.db'));
  const owners = check.prepare("SELECT count(*) AS n FROM affinity WHERE resource LIKE 'upload/%'").get();
  check.close();
  assert.equal((owners as { n: number }).n, 1);
});
