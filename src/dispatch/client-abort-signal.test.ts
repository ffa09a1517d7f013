import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { Agent } from 'undici';
import { UpstreamClient } from '../upstream/upstream-client.ts';
import { ClientAbort, isAborted } from './client-abort-signal.ts';

test('listeners are called once on abort, and removed ones not at all', () => {
  const abort = new ClientAbort();
  const calls: string[] = [];
  const removed = () => calls.push('removed');
  abort.once('abort', () => calls.push('first'));
  abort.on('abort', removed);
  abort.on('close', () => calls.push('other event'));
  abort.removeListener('abort', removed);
  abort.removeListener('abort', () => {});
  assert.equal(isAborted(abort), false);
  abort.abort();
  abort.abort();
  assert.deepEqual(calls, ['first']);
  assert.equal(isAborted(abort), true);
});

test('undici takes it as a signal: an abort rejects the call with an AbortError, a finished call leaves no listener', async () => {
  let hold = true;
  const server = createServer((request, response) => {
    if (!hold) response.end('done');
    request.on('close', () => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const agent = new Agent();
  const client = new UpstreamClient(
    {
      baseUrl: `http://127.0.0.1:${port}`,
      connectTimeoutMs: 1000,
      firstByteTimeoutMs: 5000,
      idleTimeoutMs: 5000,
    },
    agent,
  );
  try {
    const abort = new ClientAbort();
    const pending = client.request({ method: 'GET', path: '/', headers: {}, signal: abort });
    setTimeout(() => abort.abort(), 20);
    await assert.rejects(pending, { name: 'AbortError' });

    hold = false;
    const finished = new ClientAbort();
    let added = 0;
    let removed = 0;
    finished.once = (event, listener) => {
      added += 1;
      return ClientAbort.prototype.once.call(finished, event, listener);
    };
    finished.removeListener = (event, listener) => {
      removed += 1;
      return ClientAbort.prototype.removeListener.call(finished, event, listener);
    };
    const response = await client.request({ method: 'GET', path: '/', headers: {}, signal: finished });
    let text = '';
    for await (const chunk of response.body) text += chunk;
    assert.equal(text, 'done');
    assert.ok(added >= 1, 'undici listened');
    assert.equal(removed, added, 'and stopped listening once the call was over');
  } finally {
    await agent.close();
    server.close();
  }
});
