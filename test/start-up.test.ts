import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, chmodSync, constants, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, test } from 'node:test';
import { freePort } from './helpers/free-port.ts';

type Outcome = { code: number | null; stderr: string };

/** `node src/main.ts` as `npm start` runs it, with its log and data in a folder of the test's own. */
async function start(
  env: Record<string, string>,
  user: { uid?: number; gid?: number } = {},
): Promise<Outcome> {
  const child = spawn(process.execPath, ['src/main.ts'], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
    ...user,
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const [code] = await once(child, 'exit');
  clearTimeout(timer);
  return { code: code as number | null, stderr };
}

/** One line, no stack trace: the cause and the fix in one sentence. */
function assertOneSentence(outcome: Outcome, cause: RegExp, fix: RegExp): void {
  assert.equal(outcome.code, 1, outcome.stderr);
  const lines = outcome.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line, got:\n${outcome.stderr}`);
  assert.match(lines[0] ?? '', /^Gemini Balance cannot start\. [^\n]+\.$/);
  assert.match(lines[0] ?? '', cause);
  assert.match(lines[0] ?? '', fix);
}

function folder(): string {
  const path = mkdtempSync(join(tmpdir(), 'gb-start-up-'));
  chmodSync(path, 0o755);
  return path;
}

describe('start-up failures from the environment: one sentence, exit 1', () => {
  test('the port is already in use', async () => {
    const port = await freePort();
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', resolve));
    try {
      const base = folder();
      const outcome = await start({ PORT: String(port), LOG_FILE: join(base, 'app.log'), DATA_DIR: base });
      assertOneSentence(
        outcome,
        new RegExp(`Port 127\\.0\\.0\\.1:${port} is already in use`),
        /set PORT to a free port/,
      );
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  test('the data folder is not writable', async () => {
    const base = folder();
    const logs = join(base, 'logs');
    mkdirSync(logs, { mode: 0o777 });
    chmodSync(logs, 0o777);
    const data = join(base, 'data');
    mkdirSync(data);
    chmodSync(data, 0o555);
    // Root writes anywhere: then the service runs as an unprivileged user, as in a container.
    let user = {};
    try {
      accessSync(data, constants.W_OK);
      user = { uid: 65534, gid: 65534 };
    } catch {}
    const outcome = await start({ LOG_FILE: join(logs, 'app.log'), DATA_DIR: data }, user);
    assertOneSentence(
      outcome,
      new RegExp(`data folder ${data} is not writable`),
      /make it writable .* or set DATA_DIR/,
    );
  });

  test('the database file is damaged', async () => {
    const base = folder();
    writeFileSync(join(base, 'gemini-balance.db'), Buffer.alloc(8192, 'not a database '));
    const outcome = await start({ LOG_FILE: join(base, 'app.log'), DATA_DIR: base });
    assertOneSentence(outcome, /gemini-balance\.db is damaged or not an SQLite file/, /move it away/);
  });

  test('the database is locked by another process', async () => {
    const base = folder();
    const holder = new DatabaseSync(join(base, 'gemini-balance.db'));
    holder.exec('PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; CREATE TABLE held (x);');
    try {
      const outcome = await start({ LOG_FILE: join(base, 'app.log'), DATA_DIR: base });
      assertOneSentence(outcome, /gemini-balance\.db is locked by another process/, /its own DATA_DIR/);
    } finally {
      holder.close();
    }
  });

  test('the log folder is in the way of a file', async () => {
    const base = folder();
    writeFileSync(join(base, 'logs'), 'a file, not a folder');
    const outcome = await start({ LOG_FILE: join(base, 'logs', 'app.log'), DATA_DIR: base });
    assertOneSentence(outcome, /log file .*app\.log cannot be written/, /set LOG_FILE to a writable path/);
  });
});
