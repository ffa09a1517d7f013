import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { MockGemini } from './mock-upstream/mock-gemini.ts';

const readme = readFileSync('README.md', 'utf8');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('the README names the two commands, and its run command serves as written', async () => {
  const runLine = readme.split('\n').find((line) => /^\S.*npm start$/.test(line.trim()));
  assert.ok(runLine, 'README has a run command ending in npm start');
  assert.match(readme, /^npm test$/m, 'README has the test command');
  const assignments = Object.fromEntries(
    [...runLine.matchAll(/(\w+)=(\S+)/g)].map((match) => [match[1] ?? '', match[2] ?? '']),
  );
  const token = assignments.ALLOWED_TOKENS;
  assert.ok(token, 'the run command sets a client token');

  const mock = await MockGemini.start();
  const port = await freePort();
  // The README's own variables; only the upstream (unreachable here), port and data folder differ.
  const child = spawn('npm', ['start'], {
    env: {
      ...process.env,
      ...assignments,
      GEMINI_BASE_URL: mock.url,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'gb-readme-')),
    },
    stdio: 'ignore',
    detached: true,
  });
  try {
    let health: Response | undefined;
    for (let attempt = 0; attempt < 100 && health === undefined; attempt++) {
      health = await fetch(`http://127.0.0.1:${port}/health`).catch(async () => {
        await new Promise((resolve) => setTimeout(resolve, 100));
        return undefined;
      });
    }
    assert.deepEqual(await health?.json(), { status: 'ok' });
    const answer = await fetch(`http://127.0.0.1:${port}/v1beta/models/gemini-2.5-flash:generateContent`, {
      method: 'POST',
      headers: { 'x-goog-api-key': token, 'content-type': 'application/json' },
      body: '{"contents":[{"parts":[{"text":"Hello"}]}]}',
    });
    assert.equal(answer.status, 200);
    assert.ok(((await answer.json()) as { candidates: unknown[] }).candidates.length > 0);
  } finally {
    // npm starts node as its child: end the whole group we started, by its id.
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
    await mock.close();
  }
});
