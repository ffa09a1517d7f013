import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort } from './helpers/redis-server.ts';
import { clientToken, testLogFile } from './helpers/secrets.ts';
import { startCommand } from './helpers/start-command.ts';
import { waitFor } from './helpers/wait-for.ts';
import { quotaBody } from './mock-upstream/key-behaviours.ts';
import { MockGemini } from './mock-upstream/mock-gemini.ts';

const quotaKey = 'gbTESTkey-minuteQUOTA000000000000000001';
const otherKeys = ['gbTESTkey-healthyA0000000000000000000001', 'gbTESTkey-healthyB0000000000000000000001'];
const model = 'gemini-2.5-pro';
const runId = `workers-${process.pid}-${Date.now()}`;

/** One request on a fresh connection, so node:cluster hands each to the next worker. */
function call(port: number, requestId: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: `/v1beta/models/${model}:generateContent`,
        agent: false,
        headers: {
          'x-goog-api-key': clientToken,
          'content-type': 'application/json',
          'x-request-id': requestId,
        },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    outgoing.on('error', reject);
    outgoing.end('{}');
  });
}

/** Log lines of this run (the service under test writes the suite's log, so the secret check covers it). */
function logLines(): Array<Record<string, unknown>> {
  return readFileSync(testLogFile, 'utf8')
    .split('\n')
    .filter((line) => line.includes(runId) || line.includes('listening on'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('WORKERS=2: the workers share what the pool learns', () => {
  let mock: MockGemini;
  let child: ChildProcess;
  let port: number;

  before(async () => {
    mock = await MockGemini.start();
    mock.override = (received, response) => {
      if (received.key !== quotaKey || !received.url.includes(model)) return false;
      response.writeHead(429, { 'content-type': 'application/json; charset=UTF-8' });
      response.end(quotaBody(model, 'GenerateRequestsPerDayPerProjectPerModel-FreeTier', 300));
      return true;
    };
    port = await freePort();
    // The image's command, on the Node running the tests (24, as in the image).
    const [, ...args] = startCommand();
    child = spawn(process.execPath, args, {
      stdio: 'ignore',
      env: {
        PATH: process.env.PATH,
        PORT: String(port),
        HOST: '127.0.0.1',
        WORKERS: '2',
        GEMINI_API_KEYS: [quotaKey, ...otherKeys].join(','),
        GEMINI_BASE_URL: mock.url,
        ALLOWED_TOKENS: clientToken,
        DATA_DIR: mkdtempSync(join(tmpdir(), 'gemini-balance-workers-')),
        LOG_FILE: testLogFile,
        LOG_LEVEL: 'info',
      },
    });
    const listening = () =>
      new Set(
        logLines()
          .filter((line) => String(line.msg).includes(`listening on 127.0.0.1 port ${port} only`))
          .map((line) => line.pid),
      ).size;
    assert.ok(await waitFor(() => listening() === 2, { timeoutMs: 90_000 }), 'both workers to listen');
  });
  after(async () => {
    if (child?.pid !== undefined && child.exitCode === null) {
      const exited = once(child, 'exit');
      process.kill(child.pid, 'SIGTERM');
      await exited;
    }
    await mock?.close();
  });

  test('a cooldown learnt by one worker is honoured by the other', async () => {
    for (let index = 0; index < 12; index++) assert.equal(await call(port, `${runId}-${index}`), 200);
    const quotaCalls = mock.received.filter((received) => received.key === quotaKey);
    assert.equal(quotaCalls.length, 1, 'the quota key was called once, by one worker, for both');
    // Each worker writes its log lines in batches (at the latest 100 ms later): wait for them.
    const servedBy = () =>
      new Set(
        logLines()
          .filter((line) => String(line.reqId ?? '').startsWith(runId))
          .map((line) => line.pid),
      ).size;
    assert.ok(await waitFor(() => servedBy() === 2), 'both workers served requests');
  });
});

test('WORKERS=2 on a port that is taken: the workers die at start, and the primary gives up with an error', async () => {
  const blocker = createServer();
  blocker.listen(0, '127.0.0.1');
  await once(blocker, 'listening');
  const address = blocker.address();
  const taken = typeof address === 'object' && address !== null ? address.port : 0;
  const [, ...args] = startCommand();
  const child = spawn(process.execPath, args, {
    stdio: 'ignore',
    env: {
      PATH: process.env.PATH,
      PORT: String(taken),
      HOST: '127.0.0.1',
      WORKERS: '2',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'gemini-balance-workers-')),
      LOG_FILE: testLogFile,
    },
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  try {
    const [code] = await once(child, 'exit');
    assert.equal(code, 1, 'a non-zero exit, not a restart loop');
  } finally {
    clearTimeout(timer);
    blocker.close();
  }
});
