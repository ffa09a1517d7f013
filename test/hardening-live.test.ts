import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createServer, type Socket } from 'node:net';
import { describe, test } from 'node:test';
import WebSocket from 'ws';
import { RawConnection } from './helpers/raw-connection.ts';
import { clientToken, poolKeys } from './helpers/secrets.ts';
import { startService } from './helpers/start-service.ts';
import { withService } from './helpers/with-service.ts';

const livePath = '/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent';

function liveSocket(serviceUrl: string, path = livePath): WebSocket {
  return new WebSocket(`${serviceUrl.replace('http', 'ws')}${path}?key=${clientToken}`);
}

describe('Live API limits', () => {
  test('".." in the Live path is refused before any key is used', async () => {
    await withService({}, async ({ mock, service }) => {
      // Written by hand: WebSocket clients resolve dot segments before sending.
      const connection = new RawConnection(service.url);
      connection.write(
        `GET ${livePath}/../../../v1beta/models?key=${clientToken} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
      await connection.closed;
      assert.match(connection.received, /^HTTP\/1\.1 400 /);
      assert.equal(mock.liveSessions.length, 0);
    });
  });

  test('a frame over 16 MiB closes the session with 1009 and never reaches the upstream', async () => {
    await withService({}, async ({ mock, service }) => {
      const socket = liveSocket(service.url);
      socket.on('error', () => {});
      await once(socket, 'open');
      socket.send(Buffer.alloc(17 * 1024 * 1024));
      const [code] = (await once(socket, 'close')) as [number];
      assert.equal(code, 1009);
      assert.ok(
        mock.liveSessions.every((session) => session.frames.length === 0 && session.binaryBytes === 0),
      );
    });
  });

  test('an upstream that never answers the handshake: the session is closed after the connect timeout', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    const service = await startService(`http://127.0.0.1:${port}`, { UPSTREAM_CONNECT_TIMEOUT_MS: '300' });
    try {
      const socket = liveSocket(service.url);
      socket.on('error', () => {});
      const [code] = (await once(socket, 'close')) as [number];
      assert.equal(code, 1011);
      assert.ok(sockets.size >= 1, 'the upstream was dialled');
    } finally {
      await service.close();
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });
});

describe('Live API masking', () => {
  test('a pool key quoted back in a Live frame reaches the client masked', async () => {
    await withService({}, async ({ mock, service }) => {
      const socket = liveSocket(service.url);
      await once(socket, 'open');
      socket.send('{"setup":{"model":"models/x"}}');
      await once(socket, 'message');
      socket.send('{"echoKey":true}');
      const [frame] = (await once(socket, 'message')) as [Buffer];
      socket.close();
      const text = frame.toString('utf8');
      assert.ok(mock.liveSessions.at(-1)?.key !== undefined);
      for (const key of poolKeys) assert.ok(!text.includes(key), 'a pool key reached the client');
      assert.match(text, /api_key:key_[0-9a-f]{12}\*+/);
    });
  });
});
