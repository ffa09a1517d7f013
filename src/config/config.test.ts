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
