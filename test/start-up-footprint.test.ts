import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Idle memory (docs/BENCHMARKS.md, "Memory"): what a pass-through never runs is not loaded at start,
 * but at its first request. Each of these, loaded at start, costs heap that every instance carries.
 */
test('a service start loads no translating surface, no docs, no ioredis and not Node’s bundled undici', async () => {
  const { stdout } = await run(process.execPath, ['test/helpers/start-up-modules.ts'], {
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  const { loaded, bundledUndici } = JSON.parse(stdout) as { loaded: string[]; bundledUndici: boolean };
  assert.ok(
    loaded.some((url) => url.endsWith('/src/surfaces/native/forward-native.ts')),
    'the hook saw the native surface load',
  );
  const deferred = [
    /\/src\/surfaces\/openai\/routes\/chat-completions\.ts$/,
    /\/src\/surfaces\/openai\/translate\/convert-chat/,
    /\/src\/surfaces\/anthropic\/routes\/messages\.ts$/,
    /\/src\/surfaces\/anthropic\/translate\//,
    /\/src\/surfaces\/responses\/routes\/create-response\.ts$/,
    /\/src\/routes\/docs\/docs-app\.ts$/,
    /\/node_modules\/@fastify\/swagger/,
    /\/node_modules\/ioredis\//,
  ];
  for (const pattern of deferred) {
    assert.deepEqual(
      loaded.filter((url) => pattern.test(url)),
      [],
      `${pattern} loads at its first use only`,
    );
  }
  assert.equal(bundledUndici, false, 'nothing imports node:http as an ES module (it loads Node’s undici)');
});
