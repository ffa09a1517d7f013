import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import type { RequestSummary } from '../dispatch/request-summary.ts';
import { fingerprintKey } from '../secrets/fingerprint.ts';
import { addPreparedLines, preparedLinesOf } from './prepared-line.ts';
import { RequestLogger } from './request-logger.ts';
import { SecretScrubber } from './secret-scrubber.ts';
import { logRequestSummary } from './summary-line.ts';

/** A logger writing to two outputs (as the service does: console and file), each keeping its lines. */
function twoOutputs(level = 'info') {
  const outputs = [[], []] as string[][];
  const streams = outputs.map((lines) => ({
    level: level as pino.Level,
    stream: { write: (line: string) => lines.push(line) },
  }));
  const logger = pino({ level }, pino.multistream(streams));
  return { logger, outputs };
}

const unknownKey = `AIza${'C'.repeat(35)}`;
const summary: RequestSummary = {
  method: 'POST',
  route: '/v1beta/*',
  path: '/v1beta/models/gemini-2.5-flash:generateContent',
  surface: 'native',
  model: 'gemini-2.5-flash',
  requestedModel: undefined,
  status: 200,
  keyFingerprint: 'key_0123456789ab',
  attempts: [
    { keyFingerprint: 'key_ba9876543210', outcome: 'quota', status: 429 },
    { keyFingerprint: 'key_0123456789ab', outcome: 'ok', status: 200 },
  ],
  tokens: { prompt: 7, candidates: 22, thoughts: undefined, cached: undefined, total: 29 },
  stream: false,
  firstByteMs: undefined,
  latencyMs: 4.25,
};

test('the prepared summary line is the line pino would write, written once to each output', () => {
  const prepared = twoOutputs();
  addPreparedLines(prepared.logger, (text) => text);
  const plain = twoOutputs();
  const lines = preparedLinesOf(prepared.logger);
  assert.ok(lines);
  logRequestSummary(lines, new RequestLogger(prepared.logger, { reqId: 'r-1' }, {}), 'r-1', summary);
  logRequestSummary(undefined, new RequestLogger(plain.logger, { reqId: 'r-1' }, {}), 'r-1', summary);
  for (const { outputs } of [prepared, plain]) {
    assert.equal(outputs[0]?.length, 1);
    assert.deepEqual(outputs[0], outputs[1], 'the same line to both outputs');
  }
  const withoutTime = (line: string | undefined) => ({ ...JSON.parse(line ?? '{}'), time: 0 });
  assert.deepEqual(withoutTime(prepared.outputs[0]?.[0]), withoutTime(plain.outputs[0]?.[0]));
  // Same keys in the same order too (tests and tools read them).
  assert.deepEqual(
    Object.keys(JSON.parse(prepared.outputs[0]?.[0] ?? '{}')),
    Object.keys(JSON.parse(plain.outputs[0]?.[0] ?? '{}')),
  );
  const line = JSON.parse(prepared.outputs[0]?.[0] ?? '{}') as Record<string, unknown>;
  assert.equal(line.msg, 'request completed');
  assert.equal(line.level, 30);
  assert.equal(line.reqId, 'r-1');
  assert.equal(line.attempts, 2);
  assert.deepEqual(line.outcomes, ['key_ba9876543210:quota', 'key_0123456789ab:ok']);
  assert.deepEqual(line.tokens, { prompt: 7, candidates: 22, total: 29 });
  assert.equal(typeof line.pid, 'number');
});

test('free text in the summary line (request id, path, model) is scrubbed', () => {
  const { logger, outputs } = twoOutputs();
  const scrubber = new SecretScrubber();
  scrubber.add(['client-token-123']);
  addPreparedLines(logger, (text) => scrubber.scrub(text));
  const leaky = {
    ...summary,
    path: `/v1beta/models/${unknownKey}:generateContent`,
    model: `x-${unknownKey}`,
    requestedModel: 'client-token-123',
  };
  logRequestSummary(preparedLinesOf(logger), logger, 'client-token-123', leaky);
  const text = outputs[0]?.[0] ?? '';
  assert.ok(!text.includes(unknownKey));
  assert.ok(!text.includes('client-token-123'));
  const line = JSON.parse(text) as Record<string, unknown>;
  assert.equal(line.reqId, fingerprintKey('client-token-123'));
  assert.equal(line.path, `/v1beta/models/${fingerprintKey(unknownKey)}:generateContent`);
  assert.equal(line.model, `x-${fingerprintKey(unknownKey)}`);
  logRequestSummary(preparedLinesOf(logger), logger, 'r-3', { ...leaky, requestedModel: leaky.model });
  const same = JSON.parse(outputs[0]?.[1] ?? '{}') as Record<string, unknown>;
  assert.equal(
    same.requestedModel,
    `x-${fingerprintKey(unknownKey)}`,
    'the same model named twice is masked both times',
  );
});

test('outputs above info take no prepared line', () => {
  const { logger, outputs } = twoOutputs('warn');
  addPreparedLines(logger, (text) => text);
  logRequestSummary(preparedLinesOf(logger), logger, 'r-2', summary);
  logger.warn('a warning');
  assert.equal(outputs[0]?.length, 1);
  assert.match(outputs[0]?.[0] ?? '', /a warning/);
});
