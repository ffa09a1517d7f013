import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import pino from 'pino';
import { RequestLogger } from './request-logger.ts';

function capture(level = 'info') {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      callback();
    },
  });
  return { lines, parent: pino({ level, base: null, timestamp: false }, stream) };
}

test('lines carry the request id, with an object, a message or an error, as a child would write them', () => {
  const { lines, parent } = capture();
  const logger = new RequestLogger(parent, { reqId: 'r-1' }, {});
  logger.info({ status: 200 }, 'request completed');
  logger.warn('plain message %s', 'here');
  logger.error(new Error('broke'));
  const child = parent.child({ reqId: 'r-1' });
  child.info({ status: 200 }, 'request completed');
  assert.deepEqual(lines[0], lines[3], 'the same line as a real child');
  assert.equal(lines[0]?.reqId, 'r-1');
  assert.equal(lines[1]?.reqId, 'r-1');
  assert.equal(lines[1]?.msg, 'plain message here');
  assert.equal(lines[2]?.reqId, 'r-1');
  assert.equal(lines[2]?.msg, 'broke');
  assert.match(String((lines[2]?.err as { stack?: string } | undefined)?.stack), /broke/);
});

test('a disabled level writes nothing; a child of its own keeps the bindings', () => {
  const { lines, parent } = capture('warn');
  const logger = new RequestLogger(parent, { reqId: 'r-2' }, {});
  logger.info({ status: 200 }, 'not written');
  assert.equal(logger.isLevelEnabled('info'), false);
  assert.equal(lines.length, 0);
  logger.child({ route: 'live' }).warn('from a child');
  assert.equal(lines[0]?.reqId, 'r-2');
  assert.equal(lines[0]?.route, 'live');
  assert.equal(logger.level, 'warn');
});
