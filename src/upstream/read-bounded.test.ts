import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { test } from 'node:test';
import { readBounded } from './read-bounded.ts';

test('reads a body whole; one chunk comes back as it is, several are joined', async () => {
  const single = Buffer.from('{"a":1}');
  const one = await readBounded(Readable.from([single]), 100);
  assert.equal(one.bytes, single, 'no copy of a one-chunk body');
  assert.equal(one.truncated, false);
  const several = await readBounded(Readable.from([Buffer.from('ab'), Buffer.from('cd')]), 100);
  assert.equal(several.bytes.toString(), 'abcd');
});

test('past the limit: the first bytes, truncated, and the stream destroyed or drained', async () => {
  const destroyed = Readable.from([Buffer.from('abc'), Buffer.from('defgh')]);
  const cut = await readBounded(destroyed, 5);
  assert.deepEqual([cut.bytes.toString(), cut.truncated], ['abcde', true]);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(destroyed.destroyed, true);

  const drained = new PassThrough();
  const reading = readBounded(drained, 2, { drain: true });
  drained.write('abc');
  const result = await reading;
  assert.deepEqual([result.bytes.toString(), result.truncated], ['ab', true]);
  drained.end('more, thrown away');
  await new Promise((resolve) => drained.once('end', resolve));
  assert.equal(drained.destroyed || drained.readableEnded, true, 'the rest was read to the end');
});

test('a stream that fails, or closes before its end, is not passed off as whole', async () => {
  const failing = new PassThrough();
  const reading = readBounded(failing, 100);
  failing.write('part');
  failing.destroy(new Error('socket hang up'));
  await assert.rejects(reading, /socket hang up/);

  const closed = new PassThrough();
  const closing = readBounded(closed, 100);
  closed.write('part');
  closed.destroy();
  await assert.rejects(closing, { code: 'ERR_STREAM_PREMATURE_CLOSE' });
});
