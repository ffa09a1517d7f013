import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Pool } from 'undici';
import { clientToken } from './helpers/secrets.ts';
import { startService } from './helpers/start-service.ts';
import { waitFor } from './helpers/wait-for.ts';
import { withService } from './helpers/with-service.ts';
import { fixtureBytes, splitSseEvents } from './mock-upstream/fixtures.ts';
import { MockGemini } from './mock-upstream/mock-gemini.ts';

const streams = 1000;
const heldPath = '/v1beta/models/mock-held-stream:streamGenerateContent?alt=sse';
const body = JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] });
const recorded = fixtureBytes('stream-alt-sse.txt');
const slowConnects = { UPSTREAM_CONNECT_TIMEOUT_MS: '60000' };

/**
 * Opens `streams` streams at once through the service to a held stream (the mock sends the first
 * event, then waits), and resolves once every client has its first event: no stream may wait for
 * another to finish. Then releases the mock and checks every stream arrives whole.
 */
async function openHeldStreams(serviceUrl: string, mock: MockGemini): Promise<void> {
  // A thousand connections at once overflow a listen backlog on a busy machine: the kernel retries
  // them over seconds, which is no queue of ours, so connecting may take long here.
  const clients = new Pool(serviceUrl, { connections: streams, connectTimeout: 60_000 });
  let firstBytes = 0;
  try {
    const finished = Array.from({ length: streams }, async () => {
      const response = await clients.request({
        method: 'POST',
        path: heldPath,
        body,
        headers: { 'content-type': 'application/json', 'x-goog-api-key': clientToken },
      });
      const chunks: Buffer[] = [];
      for await (const chunk of response.body) {
        if (chunks.length === 0) firstBytes++;
        chunks.push(chunk as Buffer);
      }
      return { status: response.statusCode, bytes: Buffer.concat(chunks) };
    });
    const allStarted = await waitFor(() => firstBytes === streams, { timeoutMs: 60_000, intervalMs: 50 });
    assert.ok(
      allStarted,
      `all ${streams} streams should be open at once; ${firstBytes} had their first event, the mock saw ${mock.requestsTo('mock-held-stream').length}`,
    );
    assert.equal(mock.requestsTo('mock-held-stream').length, streams);
    mock.releaseHeldStream();
    const results = await Promise.all(finished);
    assert.ok(results.every((result) => result.status === 200 && result.bytes.equals(recorded)));
  } finally {
    mock.releaseHeldStream();
    // Destroy, not close: after a failure, streams still queued would wait on the next held gate.
    await clients.destroy();
  }
}

describe('a thousand concurrent streams', () => {
  test('over HTTP/1.1 each gets its own upstream connection, past any small pool', async () => {
    await withService({ env: slowConnects }, async ({ mock, service }) => {
      await openHeldStreams(service.url, mock);
      assert.ok(mock.connectionsAccepted >= streams, `${mock.connectionsAccepted} upstream connections`);
    });
  });

  test('over HTTP/2 (h2c) they share a few connections, 100 streams each', async () => {
    const mock = await MockGemini.start({ http2: true });
    const service = await startService(mock.url, { ...slowConnects, UPSTREAM_HTTP2: 'on' });
    try {
      await openHeldStreams(service.url, mock);
      // 1,000 streams at 100 per connection: 10 connections, a few more if several opened at once.
      assert.ok(
        mock.connectionsAccepted >= 10 && mock.connectionsAccepted <= 20,
        `${mock.connectionsAccepted} upstream connections`,
      );
    } finally {
      await service.close();
      await mock.close();
    }
  });

  test('the HTTP/2 mock answers byte for byte like the HTTP/1.1 one', async () => {
    const mock = await MockGemini.start({ http2: true });
    const service = await startService(mock.url, { UPSTREAM_HTTP2: 'on' });
    try {
      const response = await fetch(
        `${service.url}/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse`,
        {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/json', 'x-goog-api-key': clientToken },
        },
      );
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), 'text/event-stream');
      assert.ok(Buffer.from(await response.arrayBuffer()).equals(recorded));
      assert.equal(splitSseEvents(recorded).length > 1, true);
      assert.equal(mock.connectionsAccepted, 1);
      assert.equal(mock.received[0]?.key !== undefined, true, 'the pool key reached the mock');
    } finally {
      await service.close();
      await mock.close();
    }
  });
});
