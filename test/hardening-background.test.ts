import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { nativeCall } from './helpers/native-call.ts';
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
