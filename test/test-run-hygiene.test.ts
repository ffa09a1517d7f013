import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

/** What a running service from this checkout would see of its log: absent, or its size and time. */
function checkoutLog(): string {
  const status = statSync('logs/app.log', { throwIfNoEntry: false });
  return status === undefined ? 'absent' : `${status.size} bytes, modified ${status.mtimeMs}`;
}

test('a test run leaves no temporary folder behind and never touches the checkout’s logs/app.log', async () => {
  const temporary = mkdtempSync(join(tmpdir(), 'gb-hygiene-'));
  const before = checkoutLog();
  const environment: NodeJS.ProcessEnv = { ...process.env, TMPDIR: temporary };
  delete environment.NODE_TEST_CONTEXT; // a run of its own, not a child of this one
  delete environment.GEMINI_BALANCE_TEST_LOG;
  try {
    const child = spawn(
      process.execPath,
      ['--test', '--test-global-setup=test/global-setup.ts', 'test/helpers/one-call-suite.ts'],
      { env: environment, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const [code] = await once(child, 'exit');
    assert.equal(code, 0, output);
    assert.match(output, /log check: \d+ lines of the test log, no secret in clear/);
    assert.deepEqual(readdirSync(temporary), [], 'the run removed everything it made under TMPDIR');
    assert.equal(checkoutLog(), before, 'logs/app.log of the checkout is as it was');
  } finally {
    rmSync(temporary, { recursive: true, force: true });
  }
});
