import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fingerprintKey } from '../src/secrets/fingerprint.ts';
import { allSecrets, poolKeys, testLogFile } from './helpers/secrets.ts';

const logDirectory = join(testLogFile, '..');

/** A clean log for this run, so the check at the end reads only what this suite wrote. */
export async function globalSetup(): Promise<void> {
  for (const name of safeList(logDirectory)) if (name.startsWith('app.log')) rmSync(join(logDirectory, name));
}

/**
 * After the whole suite: no pool key and no client token (configured or wrong) may appear in
 * logs/app.log (or a rotated copy). The services under test run with the log scrubber off, so
 * this proves no code path logs a secret, not merely that the scrubber works. The log must also
 * show the pool keys' fingerprints, so an empty log cannot pass.
 */
export async function globalTeardown(): Promise<void> {
  const text = safeList(logDirectory)
    .filter((name) => name.startsWith('app.log'))
    .map((name) => readFileSync(join(logDirectory, name), 'utf8'))
    .join('');
  const leaked = allSecrets.filter((secret) => text.includes(secret));
  const fingerprinted = poolKeys.filter((key) => text.includes(fingerprintKey(key)));
  const problems = [
    ...leaked.map((secret) => `a secret reached ${testLogFile}: ${fingerprintKey(secret)}`),
    ...(fingerprinted.length === 0
      ? [`${testLogFile} shows no pool key fingerprint: the log check saw nothing`]
      : []),
  ];
  if (problems.length > 0) {
    process.stderr.write(
      `\nFAILED after the suite:\n${problems.map((problem) => `  - ${problem}`).join('\n')}\n`,
    );
    throw new Error(problems.join('; '));
  }
  process.stdout.write(
    `\nlog check: ${text.split('\n').length - 1} lines of ${testLogFile}, no secret in clear\n`,
  );
}

function safeList(directory: string): string[] {
  try {
    return readdirSync(directory);
  } catch {
    return [];
  }
}
