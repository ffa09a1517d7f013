import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { test } from 'node:test';
import { freePort } from './helpers/free-port.ts';
import { olderNode } from './helpers/older-node.ts';
import { MockGemini } from './mock-upstream/mock-gemini.ts';

const readme = readFileSync('README.md', 'utf8');

/** The environment of a new user's shell: no npm or test-runner variables, the older Node first. */
function userEnvironment(nodeDirectory: string | undefined): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (name.toLowerCase().startsWith('npm_') || name.startsWith('NODE_')) continue;
    environment[name] = value;
  }
  const path = (process.env.PATH ?? '').split(delimiter).filter((entry) => !entry.includes('node_modules'));
  environment.PATH = [...(nodeDirectory === undefined ? [] : [nodeDirectory]), ...path].join(delimiter);
  // The npm cache may serve what it holds; anything else still comes from the registry.
  environment.npm_config_prefer_offline = 'true';
  return environment;
}

/** The checkout as a fresh clone has it: tracked and new files, no node_modules, no logs or data. */
function copyCheckout(target: string): void {
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    encoding: 'utf8',
  })
    .split('\0')
    .filter((file) => file !== '');
  for (const file of files) {
    mkdirSync(join(target, dirname(file)), { recursive: true });
    try {
      copyFileSync(file, join(target, file));
    } catch {} // a file deleted in the work tree but not yet in the index
  }
}

test('from a fresh copy on the machine’s older Node, the README’s run command installs and serves as written', async () => {
  const runLine = readme
    .split('\n')
    .map((line) => line.trim())
    .find((line) => /^\S.*npm start$/.test(line));
  assert.ok(runLine, 'README has a run command ending in npm start');
  assert.match(readme, /^npm test$/m, 'README has the test command');
  const token = /ALLOWED_TOKENS=(\S+)/.exec(runLine)?.[1];
  assert.ok(token, 'the run command sets a client token');

  const folder = mkdtempSync(join(tmpdir(), 'gb-fresh-clone-'));
  copyCheckout(folder);
  const node = olderNode();
  const mock = await MockGemini.start();
  const port = await freePort();
  // The README's line, run by a shell as a user types it; only the port, the loopback address and
  // the upstream (Google is out of reach here) come from the environment.
  const child = spawn('sh', ['-c', runLine], {
    cwd: folder,
    env: {
      ...userEnvironment(node?.directory),
      GEMINI_BASE_URL: mock.url,
      PORT: String(port),
      HOST: '127.0.0.1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  let exited = false;
  child.on('exit', () => (exited = true));
  try {
    let health: Response | undefined;
    // npm ci first (from the npm cache where it can): up to five minutes on a busy machine.
    for (let attempt = 0; attempt < 600 && health === undefined && !exited; attempt++) {
      health = await fetch(`http://127.0.0.1:${port}/health`).catch(async () => {
        await new Promise((resolve) => setTimeout(resolve, 500));
        return undefined;
      });
    }
    assert.ok(
      health,
      `the service answered /health (node first on PATH: ${node?.version}); output:\n${output}`,
    );
    assert.deepEqual(await health.json(), { status: 'ok' });
    assert.match(output, /Installing the dependencies \(npm ci\)/);
    assert.match(
      output,
      /docs at http:\/\/127\.0\.0\.1:\d+\/docs; 2 of 2 keys usable now \(0 resting, 0 disabled\); client token required/,
    );
    const answer = await fetch(`http://127.0.0.1:${port}/v1beta/models/gemini-2.5-flash:generateContent`, {
      method: 'POST',
      headers: { 'x-goog-api-key': token, 'content-type': 'application/json' },
      body: '{"contents":[{"parts":[{"text":"Hello"}]}]}',
    });
    assert.equal(answer.status, 200);
    assert.ok(((await answer.json()) as { candidates: unknown[] }).candidates.length > 0);
  } finally {
    // sh, npm, the launcher and the service form one group we started: end it by its id.
    const running = !exited;
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
    } catch {} // the whole group had already ended
    if (running) await new Promise((resolve) => child.once('exit', resolve));
    await mock.close();
    rmSync(folder, { recursive: true, force: true, maxRetries: 3 });
  }
});
