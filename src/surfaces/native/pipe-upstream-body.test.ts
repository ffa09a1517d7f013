import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { pipeUpstreamBody } from './pipe-upstream-body.ts';

test('a response the client already closed: the upstream body is let go at once, nothing written', () => {
  const upstream = new PassThrough();
  const writes: unknown[] = [];
  const response = { destroyed: true, write: (chunk: unknown) => writes.push(chunk), on: () => response };
  const ends: unknown[] = [];
  pipeUpstreamBody(upstream, response as unknown as ServerResponse, {
    framing: 'sse',
    onEnd: (failure) => ends.push(failure),
  });
  upstream.write('data: {}\n\n');
  assert.equal(upstream.destroyed, true);
  assert.deepEqual(writes, []);
  assert.deepEqual(ends, [undefined]);
});
