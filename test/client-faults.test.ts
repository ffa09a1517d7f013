import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, describe, test } from 'node:test';
import { Agent, request } from 'undici';
import { nativeCall } from './helpers/native-call.ts';
import { RawConnection } from './helpers/raw-connection.ts';
import { clientToken, poolKeys } from './helpers/secrets.ts';
import { waitFor } from './helpers/wait-for.ts';
import { withService } from './helpers/with-service.ts';
import { quotaBody } from './mock-upstream/key-behaviours.ts';
import type { ReceivedRequest } from './mock-upstream/mock-gemini.ts';

/*
 * The client misbehaves: it goes away at every phase, stops reading, sends broken bytes, too many
 * bytes, odd headers and paths, or thousands of requests at once. The service answers each in a
 * defined way and stays healthy.
 */

const unhandled: unknown[] = [];
process.on('unhandledRejection', (reason) => unhandled.push(reason));
after(() => assert.deepEqual(unhandled, [], 'no unhandled rejection'));

const headers = { 'x-goog-api-key': clientToken, 'content-type': 'application/json' };
const generate = '/v1beta/models/gemini-2.5-flash:generateContent';

/** An endless SSE stream written only as fast as it is read; `written` counts what left the mock. */
function endlessStream(state: { written: number; waiting: boolean }) {
  return (received: ReceivedRequest, response: ServerResponse): boolean => {
    if (!received.url.includes('mock-endless')) return false;
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    const event = Buffer.from(
      `data: {"candidates":[{"content":{"parts":[{"text":"${'x'.repeat(16_000)}"}]}}]}\r\n\r\n`,
    );
    const pump = (): void => {
      while (!response.destroyed) {
        state.written += event.length;
        if (!response.write(event)) {
          state.waiting = true;
          response.once('drain', () => {
            state.waiting = false;
            pump();
          });
          return;
        }
      }
    };
    pump();
    return true;
  };
}

describe('client faults', () => {
  test('aborts at every phase leave the service healthy and cancel the upstream call', async () => {
    const state = { written: 0, waiting: false };
    await withService({ override: endlessStream(state) }, async ({ mock, service }) => {
      // Mid-headers, mid-body, after the request and before the answer, mid-stream.
      const phases = [
        `POST ${generate} HTTP/1.1\r\nHost: 127.0.0.1\r\nx-goog-api-`,
        `POST ${generate} HTTP/1.1\r\nHost: 127.0.0.1\r\nx-goog-api-key: ${clientToken}\r\ncontent-length: 100\r\n\r\n{"con`,
        `POST /v1beta/models/mock-held-stream:streamGenerateContent?alt=sse HTTP/1.1\r\nHost: 127.0.0.1\r\nx-goog-api-key: ${clientToken}\r\ncontent-length: 2\r\n\r\n{}`,
      ];
      for (const phase of phases) {
        const connection = new RawConnection(service.url);
        connection.write(phase);
        await new Promise((resolve) => setTimeout(resolve, 50));
        connection.destroy();
        await connection.closed;
      }
      const streaming = new AbortController();
      const response = await fetch(
        `${service.url}/v1beta/models/mock-endless:streamGenerateContent?alt=sse`,
        {
          method: 'POST',
          headers,
          body: '{}',
          signal: streaming.signal,
        },
      );
      const reader = response.body?.getReader();
      await reader?.read();
      streaming.abort();
      const endless = mock.requestsTo('mock-endless').at(-1);
      assert.ok(await waitFor(() => endless?.closedAt !== undefined), 'the upstream stream was cancelled');
      mock.releaseHeldStream();
      assert.equal((await fetch(`${service.url}/health`)).status, 200);
    });
  });

  test('a client that stops reading holds the upstream back (backpressure): memory stays bounded', async () => {
    const state = { written: 0, waiting: false };
    await withService({ override: endlessStream(state) }, async ({ mock, service }) => {
      const agent = new Agent();
      const answer = await request(
        `${service.url}/v1beta/models/mock-endless:streamGenerateContent?alt=sse`,
        {
          method: 'POST',
          headers,
          body: '{}',
          dispatcher: agent,
        },
      );
      // Read nothing: the mock must end up waiting for 'drain' with a bounded amount written.
      // Every buffer on the way fills, then the upstream waits for 'drain' and writes nothing more.
      let last = -1;
      const stalled = await waitFor(
        () => {
          const still = state.waiting && state.written === last;
          last = state.written;
          return still;
        },
        { timeoutMs: 10_000, intervalMs: 100 },
      );
      assert.ok(stalled, 'the upstream never had to stop');
      assert.ok(state.written < 32 * 1024 * 1024, `${(state.written / 1048576).toFixed(1)} MiB in flight`);
      answer.body.destroy();
      await agent.close();
      assert.ok(await waitFor(() => mock.requestsTo('mock-endless').at(-1)?.closedAt !== undefined));
    });
  });

  test('invalid JSON, invalid UTF-8, oversized bodies, header and path tricks: each a 4xx, nothing upstream', async () => {
    await withService({ env: { MAX_BODY_BYTES: '65536' } }, async ({ mock, service }) => {
      const chat = (body: string | Buffer, extra: Record<string, string> = {}) =>
        fetch(`${service.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${clientToken}`, 'content-type': 'application/json', ...extra },
          body,
        });
      assert.equal((await chat('{"model":')).status, 400);
      assert.equal((await chat(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]))).status, 400);
      assert.equal((await chat(`{"model":"x","messages":[],"pad":"${'a'.repeat(70_000)}"}`)).status, 413);
      const native = await fetch(`${service.url}${generate}`, {
        method: 'POST',
        headers,
        body: 'x'.repeat(70_000),
      });
      assert.equal(native.status, 413);
      const tricks = [
        `GET /v1beta/models HTTP/1.1\r\nHost: 127.0.0.1\r\nx-goog-api-key: ${clientToken}\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
        `GET /v1beta/models HTTP/1.1\r\nHost: 127.0.0.1\r\nx-goog-api-key: ${clientToken}\r\nx-bad: a\rb\r\n\r\n`,
        `GET /../../etc/passwd HTTP/1.1\r\nHost: 127.0.0.1\r\nx-goog-api-key: ${clientToken}\r\nConnection: close\r\n\r\n`,
        `GET /v1beta/%2e%2e/%2e%2e/v1beta/models HTTP/1.1\r\nHost: 127.0.0.1\r\nx-goog-api-key: ${clientToken}\r\nConnection: close\r\n\r\n`,
        `GET //v1beta/files/..%2f..%2fmodels HTTP/1.1\r\nHost: 127.0.0.1\r\nx-goog-api-key: ${clientToken}\r\nConnection: close\r\n\r\n`,
      ];
      for (const trick of tricks) {
        const connection = new RawConnection(service.url);
        connection.write(trick);
        await connection.closed;
        assert.match(connection.received, /^HTTP\/1\.1 4\d\d /, JSON.stringify(trick.slice(0, 60)));
      }
      assert.equal(mock.received.length, 0);
    });
  });

  test('2,000 concurrent requests while every key is cooling: each a 429, none upstream, the service stays up', async () => {
    const model = 'gemini-cooling-crowd';
    const override = (received: ReceivedRequest, response: ServerResponse): boolean => {
      response.writeHead(429, { 'content-type': 'application/json' });
      response.end(quotaBody(model, 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier', 50));
      return received.url.length > 0;
    };
    await withService({ override }, async ({ mock, service }) => {
      const first = await nativeCall(service.url, `${model}:generateContent`);
      assert.equal(first.status, 429);
      await first.arrayBuffer();
      assert.equal(mock.received.length, poolKeys.length);
      const agent = new Agent({ connections: 256 });
      const statuses = await Promise.all(
        Array.from({ length: 2000 }, async () => {
          const answer = await request(`${service.url}/v1beta/models/${model}:generateContent`, {
            method: 'POST',
            headers,
            body: '{}',
            dispatcher: agent,
          });
          await answer.body.dump();
          return answer.statusCode;
        }),
      );
      await agent.close();
      assert.ok(
        statuses.every((status) => status === 429),
        'every one a 429',
      );
      assert.equal(mock.received.length, poolKeys.length, 'none went upstream');
      assert.equal((await fetch(`${service.url}/health`)).status, 200);
    });
  });
});
