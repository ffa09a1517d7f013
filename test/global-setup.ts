import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fingerprintKey } from '../src/secrets/fingerprint.ts';
import { allSecrets, poolKeys } from './helpers/secrets.ts';

/** The run's own folder: every temporary file of the suite lands under it, and it goes at the end. */
let runFolder: string | undefined;

/**
 * Before the suite: one fresh folder for this run, made the temporary folder of every test
 * process (TMPDIR), holding the log file the services under test write (GEMINI_BALANCE_TEST_LOG).
 * The checkout's logs/ and data/ are never touched, so a service running from the same checkout
 * keeps its files.
 */
export async function globalSetup(): Promise<void> {
  runFolder = mkdtempSync(join(tmpdir(), 'gemini-balance-test-run-'));
  // Passable (not listable) for others: one test runs the service as an unprivileged user.
  chmodSync(runFolder, 0o711);
  const logFolder = join(runFolder, 'logs');
  mkdirSync(logFolder);
  process.env.GEMINI_BALANCE_TEST_LOG = join(logFolder, 'app.log');
  for (const name of ['TMPDIR', 'TMP', 'TEMP']) process.env[name] = runFolder;
}

/**
 * After the whole suite: no pool key and no client token (configured or wrong) may appear in the
 * run's log (or a rotated copy). The services under test run with the log scrubber off, so this
 * proves no code path logs a secret, not merely that the scrubber works. The log must also show
 * the pool keys' fingerprints, so an empty log cannot pass. Then the run's folder is removed.
 */
export async function globalTeardown(): Promise<void> {
  if (runFolder === undefined) return;
  const logFile = process.env.GEMINI_BALANCE_TEST_LOG ?? '';
  try {
    checkLog(join(runFolder, 'logs'), logFile);
  } finally {
    rmSync(runFolder, { recursive: true, force: true, maxRetries: 3 });
  }
}

function checkLog(logFolder: string, logFile: string): void {
  const text = readdirSync(logFolder)
    .filter((name) => name.startsWith('app.log'))
    .map((name) => readFileSync(join(logFolder, name), 'utf8'))
    .join('');
  const leaked = allSecrets.filter((secret) => text.includes(secret));
  const fingerprinted = poolKeys.filter((key) => text.includes(fingerprintKey(key)));
  const problems = [
    ...leaked.map((secret) => `a secret reached ${logFile}: ${fingerprintKey(secret)}`),
    ...(fingerprinted.length === 0
      ? [`${logFile} shows no pool key fingerprint: the log check saw nothing`]
      : []),
  ];
  if (problems.length > 0) {
    process.stderr.write(
      `\nFAILED after the suite:\n${problems.map((problem) => `  - ${problem}`).join('\n')}\n`,
    );
    throw new Error(problems.join('; '));
  }
  process.stdout.write(
    `\nlog check: ${text.split('\n').length - 1} lines of the test log, no secret in clear\n`,
  );
}
