import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { olderNode } from './helpers/older-node.ts';

/** `node scripts/run.cjs …` as npm scripts call it, on the given Node. */
function launch(node: string, args: string[], options: { cwd?: string; preload?: string } = {}) {
  const environment: NodeJS.ProcessEnv = { ...process.env };
  delete environment.NODE_TEST_CONTEXT;
  const script = join(options.cwd ?? process.cwd(), 'scripts', 'run.cjs');
  const prefix = options.preload === undefined ? [] : ['--require', options.preload];
  return spawnSync(node, [...prefix, script, ...args], {
    cwd: options.cwd ?? process.cwd(),
    env: environment,
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('scripts/run.cjs, the launcher behind npm start and npm test', () => {
  const older = olderNode();

  test('on an older Node it runs the command on Node 24 from node_modules', {
    skip: older === undefined,
  }, () => {
    const result = launch(older?.binary ?? '', ['-p', 'process.version']);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout.trim(), /^v24\./);
  });

  test('on Node 24 or newer it runs the command on that Node', () => {
    const result = launch(process.execPath, ['-p', 'process.version']);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout.trim(), process.version);
  });

  test('a Node too old to install anything gets one sentence and exit 1', () => {
    const folder = mkdtempSync(join(tmpdir(), 'gb-launcher-'));
    try {
      const preload = join(folder, 'pretend-node-18.cjs');
      writeFileSync(
        preload,
        "Object.defineProperty(process, 'versions', { value: { ...process.versions, node: '18.19.0' } });\n" +
          "Object.defineProperty(process, 'version', { value: 'v18.19.0' });\n",
      );
      const result = launch(process.execPath, ['src/main.ts'], { preload });
      assert.equal(result.status, 1);
      assert.equal(result.stdout, '');
      assert.match(
        result.stderr.trim(),
        /^Gemini Balance needs Node\.js 20 or newer to install itself, and this is v18\.19\.0: install Node\.js 24 [^\n]+ and run the command again\.$/,
      );
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  test('an older Node on a platform without a Node 24 package gets one sentence and exit 1', {
    skip: older === undefined,
  }, () => {
    // A project folder whose install is current but holds no Node 24 build.
    const folder = mkdtempSync(join(tmpdir(), 'gb-launcher-'));
    try {
      mkdirSync(join(folder, 'scripts'));
      mkdirSync(join(folder, 'node_modules'));
      copyFileSync(join('scripts', 'run.cjs'), join(folder, 'scripts', 'run.cjs'));
      writeFileSync(join(folder, 'package-lock.json'), '{}');
      writeFileSync(join(folder, 'node_modules', '.package-lock.json'), '{}');
      const past = new Date(Date.now() - 60_000);
      utimesSync(join(folder, 'package-lock.json'), past, past);
      const result = launch(older?.binary ?? '', ['-p', 'process.version'], { cwd: folder });
      assert.equal(result.status, 1);
      assert.match(
        result.stderr.trim(),
        /^Gemini Balance runs on Node\.js 24, this is v2\d[^,]*, and the registry has no Node 24 package for [\w-]+: install Node\.js 24 [^\n]+\.$/,
      );
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
