import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { RawConnection } from './helpers/raw-connection.ts';
import { clientToken } from './helpers/secrets.ts';
import { withService } from './helpers/with-service.ts';

/*
 * Every phase of a client connection is bounded: headers, body, idle keep-alive, and how many
 * connections there are at all. Each test waits for the server's own move (close, 408), never a clock.
 */

const post = (path: string, headers: string) =>
  `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\n${headers}\r\n`;

describe('client connection phases', () => {
  test('an unauthenticated slow body gets its 401 and the connection is closed at once', async () => {
    await withService({}, async ({ mock, service }) => {
      const connection = new RawConnection(service.url);
      connection.write(post('/v1beta/models/gemini-2.5-flash:generateContent', 'content-length: 100000\r\n'));
      const sent = await connection.trickle(100_000, 5);
      await connection.closed;
      assert.match(connection.received, /^HTTP\/1\.1 401 /);
      assert.match(connection.received, /connection: close/i);
      assert.ok(sent < 100_000, `the server read ${sent} trickled bytes before closing`);
      assert.equal(mock.received.length, 0);
    });
  });

  test('headers that never finish are cut off by HEADERS_TIMEOUT_MS', async () => {
    const env = { HEADERS_TIMEOUT_MS: '300', REQUEST_TIMEOUT_MS: '300' };
    await withService({ env }, async ({ service }) => {
      const connection = new RawConnection(service.url);
      connection.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nx-slow: ');
      await connection.closed;
      assert.match(connection.received, /^(HTTP\/1\.1 408 |$)/);
    });
  });

  test('an authenticated body that trickles past REQUEST_TIMEOUT_MS is cut off with a 408', async () => {
    const env = { HEADERS_TIMEOUT_MS: '300', REQUEST_TIMEOUT_MS: '600' };
    await withService({ env }, async ({ mock, service }) => {
      const connection = new RawConnection(service.url);
      const headers = `x-goog-api-key: ${clientToken}\r\ncontent-length: 100000\r\n`;
      connection.write(post('/v1beta/models/gemini-2.5-flash:generateContent', headers));
      const sent = await connection.trickle(100_000, 10);
      await connection.closed;
      assert.ok(sent < 100_000);
      assert.match(connection.received, /^(HTTP\/1\.1 408 |$)/);
      assert.equal(mock.received.length, 0);
    });
  });

  test('an idle keep-alive connection is closed after KEEP_ALIVE_TIMEOUT_MS', async () => {
    await withService({ env: { KEEP_ALIVE_TIMEOUT_MS: '200' } }, async ({ service }) => {
      const connection = new RawConnection(service.url);
      connection.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      await connection.waitFor(/\{"status":"ok"\}/);
      assert.match(connection.received, /keep-alive/i);
      await connection.closed;
      assert.match(connection.received, /^HTTP\/1\.1 200 /);
    });
  });

  test('connections beyond MAX_CONNECTIONS are dropped; the service answers again once one leaves', async () => {
    await withService({ env: { MAX_CONNECTIONS: '3' } }, async ({ service }) => {
      const held = [
        new RawConnection(service.url),
        new RawConnection(service.url),
        new RawConnection(service.url),
      ];
      await Promise.all(held.map((connection) => connection.connected));
      // The server counts a connection once it accepted it: a request on each makes sure it did.
      for (const connection of held) {
        connection.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
        await connection.waitFor(/\{"status":"ok"\}/);
      }
      const extra = new RawConnection(service.url);
      extra.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      await extra.closed;
      assert.equal(extra.received, '');
      held[0]?.destroy();
      await held[0]?.closed;
      const later = new RawConnection(service.url);
      later.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
      await later.closed;
      assert.match(later.received, /^HTTP\/1\.1 200 /);
      for (const connection of held) connection.destroy();
    });
  });
});

describe('request targets', () => {
  test('an absolute-form request line is forwarded as origin-form: its host never decides where a key goes', async () => {
    await withService({}, async ({ mock, service }) => {
      const connection = new RawConnection(service.url);
      connection.write(
        `GET http://evil.example/v1beta/models/gemini-2.5-flash HTTP/1.1\r\nHost: evil.example\r\nx-goog-api-key: ${clientToken}\r\nConnection: close\r\n\r\n`,
      );
      await connection.closed;
      assert.match(connection.received, /^HTTP\/1\.1 200 /);
      assert.equal(mock.received.at(-1)?.url, '/v1beta/models/gemini-2.5-flash');
    });
  });
});

describe('logging of refused connections', () => {
  test('at LOG_LEVEL=trace an oversized-header request is answered 431 and never logged raw', async () => {
    const logFile = join(mkdtempSync(join(tmpdir(), 'gemini-balance-trace-')), 'app.log');
    await withService({ env: { LOG_LEVEL: 'trace', LOG_FILE: logFile } }, async ({ service }) => {
      const connection = new RawConnection(service.url);
      connection.write(
        `GET /v1beta/models HTTP/1.1\r\nHost: 127.0.0.1\r\nx-goog-api-key: ${clientToken}\r\nx-padding: ${'a'.repeat(20_000)}\r\n\r\n`,
      );
      await connection.closed;
      assert.match(connection.received, /^HTTP\/1\.1 431 /);
    });
    const log = readFileSync(logFile, 'utf8');
    assert.match(log, /client error/);
    assert.ok(!log.includes(clientToken), 'the token reached the log');
    assert.ok(!log.includes('aaaaaaaaaa'), 'raw request bytes reached the log');
  });
});
