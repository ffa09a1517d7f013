import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfig } from './config.ts';

test('defaults follow the contract', () => {
  const config = loadConfig({});
  assert.equal(config.port, 8000);
  assert.equal(config.baseUrl, 'https://generativelanguage.googleapis.com');
  assert.equal(config.host, '127.0.0.1', 'no tokens: loopback only');
  assert.equal(config.loopbackOnly, true);
  assert.equal(config.logFile, 'logs/app.log');
  assert.equal(config.dataDir, 'data');
  assert.ok(Object.isFrozen(config));
});

test('keys come from GEMINI_API_KEYS (comma, newline or JSON), GOOGLE_API_KEY and a file, deduplicated', () => {
  const directory = mkdtempSync(join(tmpdir(), 'gb-config-'));
  const file = join(directory, 'keys.txt');
  writeFileSync(file, '# team keys\nk4\n\nk1\n');
  assert.deepEqual(
    loadConfig({ GEMINI_API_KEYS: 'k1, k2\nk3', GOOGLE_API_KEY: 'k2', GEMINI_API_KEYS_FILE: file }).keys,
    ['k1', 'k2', 'k3', 'k4'],
  );
  assert.deepEqual(loadConfig({ GEMINI_API_KEYS: '["a","b","a"]' }).keys, ['a', 'b']);
});

test('every bad variable is named in one error', () => {
  assert.throws(
    () =>
      loadConfig({
        PORT: '70000',
        MAX_RETRIES: '-1',
        TRUST_PROXY: 'perhaps',
        PROXY_URLS: 'ftp://x',
        GEMINI_API_KEYS_FILE: '/nonexistent/keys.txt',
      }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      const names = error.problems.map((problem) => problem.split(/[.:]/)[0]);
      assert.deepEqual(names.sort(), [
        'GEMINI_API_KEYS_FILE',
        'MAX_RETRIES',
        'PORT',
        'PROXY_URLS',
        'TRUST_PROXY',
      ]);
      return true;
    },
  );
});

test('empty values mean unset, and "false" is false', () => {
  const config = loadConfig({ PORT: '', TRUST_PROXY: 'false', ALLOWED_TOKENS: 't' });
  assert.equal(config.port, 8000);
  assert.equal(config.trustProxy, false);
  assert.equal(config.host, '0.0.0.0', 'with tokens the default address is public');
});

test('a public address without tokens is refused, naming ALLOWED_TOKENS', () => {
  assert.throws(() => loadConfig({ HOST: '0.0.0.0' }), /ALLOWED_TOKENS: must be set/);
  assert.equal(loadConfig({ HOST: '::1' }).host, '::1');
});

test('ALLOWED_TOKENS takes name:token pairs; plain tokens are named by fingerprint; the admin token is not a client token', () => {
  const config = loadConfig({ ALLOWED_TOKENS: 'alice:tok-a,plain-token-b' });
  assert.deepEqual(config.allowedTokens, ['tok-a', 'plain-token-b']);
  assert.equal(config.clientTokens[0]?.name, 'alice');
  assert.match(config.clientTokens[1]?.name ?? '', /^token_[0-9a-f]{12}$/);
  assert.doesNotMatch(config.clientTokens[1]?.name ?? '', /plain/);
  assert.throws(
    () => loadConfig({ ALLOWED_TOKENS: 'alice:same', ADMIN_TOKEN: 'same' }),
    (error: unknown) => error instanceof ConfigError && /ADMIN_TOKEN/.test(error.message),
  );
  const records = loadConfig({
    RECORDS_RETENTION_DAYS: '7',
    RECORDS_MAX_ROWS: '5000',
    METRICS_PUBLIC: 'true',
  });
  assert.equal(records.recordsRetentionDays, 7);
  assert.equal(records.recordsMaxRows, 5000);
  assert.equal(records.metricsPublic, true);
  assert.throws(() => loadConfig({ ENCRYPTION_KEY: 'short' }), ConfigError);
});

test('WORKERS is a count or auto; REDIS_URL must be a redis URL', async () => {
  const { availableParallelism } = await import('node:os');
  assert.equal(loadConfig({}).workers, 1);
  assert.equal(loadConfig({}).redisUrl, undefined);
  assert.equal(loadConfig({ WORKERS: '3' }).workers, 3);
  assert.equal(loadConfig({ WORKERS: 'auto' }).workers, availableParallelism());
  assert.equal(loadConfig({ REDIS_URL: 'redis://redis:6379/0' }).redisUrl, 'redis://redis:6379/0');
  assert.throws(() => loadConfig({ WORKERS: 'many' }), /WORKERS: expected a whole number >= 1/);
  assert.throws(
    () => loadConfig({ WORKERS: '0', REDIS_URL: 'http://x' }),
    (error: Error) => {
      assert.match(error.message, /WORKERS: expected a whole number >= 1/);
      assert.match(error.message, /REDIS_URL: expected a redis:\/\/ or rediss:\/\/ URL/);
      return true;
    },
  );
});

test('QUOTA_COUNT is shapes by default, sliding on request, and nothing else', () => {
  assert.equal(loadConfig({}).quotaCount, 'shapes');
  assert.equal(loadConfig({ QUOTA_COUNT: 'sliding' }).quotaCount, 'sliding');
  assert.throws(() => loadConfig({ QUOTA_COUNT: 'fixed' }), /QUOTA_COUNT: expected shapes or sliding/);
});
