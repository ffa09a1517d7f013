import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from './config.ts';

test('MODEL_ALIASES: pattern=model pairs in order, spaces trimmed; none by default', () => {
  assert.deepEqual(loadConfig({}).modelAliases, []);
  assert.deepEqual(
    loadConfig({ MODEL_ALIASES: 'claude-sonnet-* = gemini-3-pro-preview, fast=gemini-2.5-flash-lite' })
      .modelAliases,
    [
      { pattern: 'claude-sonnet-*', target: 'gemini-3-pro-preview' },
      { pattern: 'fast', target: 'gemini-2.5-flash-lite' },
    ],
  );
  assert.equal(loadConfig({}).anthropicPingIntervalMs, 5000);
});

test('a malformed MODEL_ALIASES entry stops start-up naming the variable', () => {
  for (const value of ['claude-sonnet-*', '=gemini-2.5-pro', 'a=b=c', 'claude-*=gemini-*']) {
    assert.throws(
      () => loadConfig({ MODEL_ALIASES: value }),
      (error: unknown) =>
        error instanceof ConfigError && error.problems.some((problem) => problem.startsWith('MODEL_ALIASES')),
      value,
    );
  }
});
