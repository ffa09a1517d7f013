import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import WebSocket from 'ws';
import { clientToken } from './helpers/secrets.ts';
import { waitFor } from './helpers/wait-for.ts';
import { withService } from './helpers/with-service.ts';
import type { LiveSession } from './mock-upstream/mock-gemini.ts';

const livePath = '/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent';
const mebibyte = 1024 * 1024;
/** Far more than every socket buffer on the way (loopback TCP buffers are a few MiB each). */
const floodFrames = 96;
/** One frame sent again and again: the sender's queue holds references, not copies. */
const frame = Buffer.alloc(mebibyte, 7);

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** Buffers held in this process (mock, service and client all live here), after a full GC. */
function heldBuffers(): number {
  collectGarbage();
  return process.memoryUsage().arrayBuffers;
}

/**
 * Waits until `bufferedAmount` stops moving (or empties): the relay has either held the sender
 * back for good or let everything through. Bounded.
 */
async function settled(bufferedAmount: () => number): Promise<void> {
  let last = -1;
  let still = 0;
  await waitFor(
    () => {
      const now = bufferedAmount();
      still = now === last ? still + 1 : 0;
      last = now;
      return now === 0 || still >= 10;
    },
    { timeoutMs: 20_000, intervalMs: 100 },
  );
}

async function openSession(serviceUrl: string, mockSessions: LiveSession[]) {
  // A zero mask: the client's queued frames are the one shared buffer, not 96 masked copies.
  const client = new WebSocket(`${serviceUrl.replace('http', 'ws')}${livePath}?key=${clientToken}`, {
    generateMask: (mask) => {
      mask.fill(0);
    },
  });
  await once(client, 'open');
  assert.ok(await waitFor(() => mockSessions.length === 1), 'the upstream session opened');
  const upstream = mockSessions[0] as LiveSession;
  return { client, upstream };
}

describe('Live API backpressure', () => {
  test('a client that stops reading holds the upstream back; the service does not buffer the flood', async () => {
    await withService({}, async ({ mock, service }) => {
      const { client, upstream } = await openSession(service.url, mock.liveSessions);
      // A failed assertion must not leave a paused socket holding the service's close.
      try {
        let received = 0;
        client.on('message', (data: Buffer) => {
          received += data.length;
        });
        // ws pause() pauses the client's TCP socket: nothing more is read from the kernel.
        client.pause();
        const before = heldBuffers();
        for (let index = 0; index < floodFrames; index += 1) upstream.socket.send(frame, { binary: true });
        const sent = floodFrames * mebibyte;
        await settled(() => upstream.socket.bufferedAmount);

        const waiting = upstream.socket.bufferedAmount;
        const inFlight = sent - waiting;
        const grown = heldBuffers() - before;
        console.log(
          `upstream→paused client: ${(waiting / mebibyte).toFixed(1)} MiB still at the mock, ${(inFlight / mebibyte).toFixed(1)} MiB left it, buffers +${(grown / mebibyte).toFixed(1)} MiB`,
        );
        // Without backpressure the service reads it all and queues it for the client: nothing waits.
        assert.ok(waiting > 48 * mebibyte, `the mock's writes stalled (${waiting} bytes waiting)`);
        assert.ok(inFlight < 48 * mebibyte, `at most socket buffers left the mock (${inFlight} bytes)`);
        assert.ok(grown < 16 * mebibyte, `the service did not buffer the flood (+${grown} bytes)`);

        // Held back, not lost: once the client reads again, every byte arrives.
        client.resume();
        assert.ok(await waitFor(() => received === sent, { timeoutMs: 30_000 }), `received ${received}`);
      } finally {
        client.terminate();
      }
    });
  });

  test('an upstream that stops reading holds the client back; the service does not buffer the flood', async () => {
    await withService({}, async ({ mock, service }) => {
      const { client, upstream } = await openSession(service.url, mock.liveSessions);
      // A failed assertion must not leave a paused socket holding the service's close.
      try {
        upstream.socket.pause();
        const before = heldBuffers();
        // One frame at a time, the next once the last left the client's socket: `flushed` counts
        // what the service took (a burst's bufferedAmount only falls when the whole burst is written).
        let flushed = 0;
        const pump = (): void => {
          if (flushed < floodFrames && client.readyState === WebSocket.OPEN)
            client.send(frame, { binary: true }, (error) => {
              if (error !== undefined && error !== null) return;
              flushed += 1;
              pump();
            });
        };
        pump();
        const sent = floodFrames * mebibyte;
        await settled(() => floodFrames - flushed);

        const inFlight = flushed * mebibyte;
        const grown = heldBuffers() - before;
        console.log(
          `client→paused upstream: ${((sent - inFlight) / mebibyte).toFixed(1)} MiB never left the client, ${(inFlight / mebibyte).toFixed(1)} MiB did, buffers +${(grown / mebibyte).toFixed(1)} MiB`,
        );
        // Without backpressure the service reads it all and queues it for the upstream.
        assert.ok(inFlight < 48 * mebibyte, `the client's writes stalled (${inFlight} bytes left it)`);
        assert.ok(grown < 16 * mebibyte, `the service did not buffer the flood (+${grown} bytes)`);

        upstream.socket.resume();
        assert.ok(
          await waitFor(() => upstream.binaryBytes === sent, { timeoutMs: 30_000 }),
          `the upstream received ${upstream.binaryBytes}`,
        );
      } finally {
        client.terminate();
      }
    });
  });
});
