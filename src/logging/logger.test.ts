import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fingerprintKey } from '../secrets/fingerprint.ts';
import { createLogger } from './logger.ts';
import { preparedLinesOf } from './prepared-line.ts';
import { SecretScrubber } from './secret-scrubber.ts';

const unknownKey = `AIza${'D'.repeat(35)}`;

function fileLogger() {
  const file = join(mkdtempSync(join(tmpdir(), 'gb-logger-')), 'app.log');
  const scrubber = new SecretScrubber();
  scrubber.add(['configured-token-1']);
  const logger = createLogger({
    level: 'info',
    file,
    maxBytes: 1_000_000,
    maxFiles: 2,
    scrubber,
    console: false,
  });
  return { logger, read: () => readFileSync(file, 'utf8').split('\n').filter(Boolean) };
}

test('secrets in messages and error fields are scrubbed from the file', () => {
  const { logger, read } = fileLogger();
  logger.warn(
    { err: new Error(`Consumer 'api_key:${unknownKey}' suspended`) },
    `upstream said ${unknownKey}`,
  );
  logger.info({ detail: 'token configured-token-1 seen' }, 'free text');
  logger.flushFile();
  const text = read().join('\n');
  assert.ok(!text.includes(unknownKey));
  assert.ok(!text.includes('configured-token-1'));
  const [warning, info] = read().map((line) => JSON.parse(line) as Record<string, unknown>);
  assert.equal(warning?.msg, `upstream said ${fingerprintKey(unknownKey)}`);
  assert.match(
    String((warning?.err as { message?: string } | undefined)?.message),
    new RegExp(fingerprintKey(unknownKey)),
  );
  assert.equal(info?.detail, `token ${fingerprintKey('configured-token-1')} seen`);
});

test('lines are batched, each written once and in order, all there after a flush', () => {
  const { logger, read } = fileLogger();
  const lines = preparedLinesOf(logger);
  assert.ok(lines, 'a JSON logger has prepared lines');
  for (let index = 0; index < 100; index++) {
    if (index % 2 === 0) lines.info(`"index":${index}`, 'prepared');
    else logger.info({ index }, 'through pino');
  }
  logger.flushFile();
  const written = read().map((line) => JSON.parse(line) as { index: number; msg: string; level: number });
  assert.deepEqual(
    written.map((line) => line.index),
    Array.from({ length: 100 }, (_, index) => index),
  );
  assert.ok(written.every((line) => line.level === 30));
});
