import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, test } from 'node:test';
import { GoogleGenAI, type LiveServerMessage } from '@google/genai';
import WebSocket from 'ws';
import { fingerprintKey } from '../src/secrets/fingerprint.ts';
import { clientToken, poolKeys } from './helpers/secrets.ts';
import { startService } from './helpers/start-service.ts';
import { waitFor } from './helpers/wait-for.ts';
import { useMockAndService } from './helpers/with-service.ts';
import { fixtureBytes } from './mock-upstream/fixtures.ts';
import { MockGemini } from './mock-upstream/mock-gemini.ts';

const livePath = '/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent';

describe('Live API WebSocket proxy', () => {
  const bed = useMockAndService();

  test('the @google/genai live session works through us with a pool key upstream', async () => {
    const ai = new GoogleGenAI({ apiKey: clientToken, httpOptions: { baseUrl: bed.service.url } });
    const messages: LiveServerMessage[] = [];
    let turnDone!: () => void;
    const done = new Promise<void>((resolve) => {
      turnDone = resolve;
    });
    const session = await ai.live.connect({
      model: 'gemini-live-2.5-flash-preview',
      callbacks: {
        onmessage: (message) => {
          messages.push(message);
          if (message.serverContent?.turnComplete) turnDone();
        },
      },
    });
    session.sendClientContent({ turns: 'Hello?', turnComplete: true });
    await done;
    session.close();
    assert.ok(messages.some((message) => message.setupComplete !== undefined));
    assert.ok(
      messages.some(
        (message) => message.serverContent?.modelTurn?.parts?.[0]?.text === 'Hello from the mock.',
      ),
    );
    const upstream = bed.mock.liveSessions.at(-1)!;
    assert.ok(poolKeys.includes(upstream.key as (typeof poolKeys)[number]));
    assert.ok(!upstream.url.includes(clientToken));
  });

  test('frames pass unchanged both ways, a double slash path works, and closing one side closes the other', async () => {
    const socket = new WebSocket(`${bed.service.url.replace('http', 'ws')}/${livePath}?key=${clientToken}`);
    await once(socket, 'open');
    const setup = '{"setup":{"model":"models/x"},"unknownField":[1,2]}';
    socket.send(setup);
    const [reply] = (await once(socket, 'message')) as [Buffer];
    assert.equal(reply.toString(), '{"setupComplete":{}}');
    const upstream = bed.mock.liveSessions.at(-1)!;
    assert.equal(upstream.frames[0], setup);
    socket.close(1000);
    await once(socket, 'close');
    assert.equal(await waitFor(() => upstream.closed, { timeoutMs: 1000 }), true);
  });

  test('a wrong token is refused before any upstream connection', async () => {
    const before = bed.mock.liveSessions.length;
    const socket = new WebSocket(`${bed.service.url.replace('http', 'ws')}${livePath}?key=wrong`);
    socket.on('error', () => {}); // the refusal itself; asserted below through its status
    const [, response] = (await once(socket, 'unexpected-response')) as [unknown, { statusCode: number }];
    assert.equal(response.statusCode, 401);
    socket.terminate();
    assert.equal(bed.mock.liveSessions.length, before);
  });
});

describe('Live API handshake edge cases', () => {
  test('a malformed handshake is refused and opens nothing upstream', async () => {
    const mock = await MockGemini.start();
    const service = await startService(mock.url);
    try {
      const { connect } = await import('node:net');
      const port = Number(new URL(service.url).port);
      const reply = await new Promise<string>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => {
          socket.write(
            `GET ${livePath}?key=${clientToken} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n`,
          );
        });
        let text = '';
        socket.on('data', (chunk) => (text += chunk));
        socket.on('close', () => resolve(text));
      });
      assert.match(reply, /^HTTP\/1\.1 400/);
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(mock.liveSessions.length, 0);
      assert.equal((await fetch(`${service.url}/health`)).status, 200, 'the service is still up');
    } finally {
      await service.close();
      await mock.close();
    }
  });
});

describe('Live API and the pool', () => {
  test('a Live handshake Google refuses for a dead key disables that key and closes the client with 1011', async () => {
    const mock = await MockGemini.start();
    mock.liveRefusal = { status: 400, body: fixtureBytes('error-400-invalid-key.json').toString() };
    const service = await startService(mock.url, { GEMINI_API_KEYS: poolKeys[0] });
    try {
      const socket = new WebSocket(`${service.url.replace('http', 'ws')}${livePath}?key=${clientToken}`);
      const [code] = (await once(socket, 'close')) as [number];
      assert.equal(code, 1011);
      await waitFor(() => service.pool.get(fingerprintKey(poolKeys[0]))?.enabled === false);
      assert.equal(service.pool.get(fingerprintKey(poolKeys[0]))?.disabledReason, 'API_KEY_INVALID');
    } finally {
      await service.close();
      await mock.close();
    }
  });
});

describe('loopback-only mode (no ALLOWED_TOKENS)', () => {
  test('programs on this machine are served; a foreign web page or a rebound DNS name is refused', async () => {
    const mock = await MockGemini.start();
    const service = await startService(mock.url, { ALLOWED_TOKENS: '' });
    const path = '/v1beta/models/gemini-2.5-flash:generateContent';
    const init = { method: 'POST', body: '{"contents":[]}' };
    try {
      assert.equal((await fetch(`${service.url}${path}`, init)).status, 200);
      const foreign = await fetch(`${service.url}${path}`, {
        ...init,
        headers: { origin: 'https://evil.example' },
      });
      assert.equal(foreign.status, 403);
      assert.equal(
        ((await foreign.json()) as { error: { status: string } }).error.status,
        'PERMISSION_DENIED',
      );
      const socket = new WebSocket(`${service.url.replace('http', 'ws')}${livePath}`, {
        origin: 'https://evil.example',
      });
      socket.on('error', () => {});
      const [, response] = (await once(socket, 'unexpected-response')) as [unknown, { statusCode: number }];
      assert.equal(response.statusCode, 403);
      socket.terminate();
      assert.equal(mock.received.length, 1);
      assert.equal(mock.liveSessions.length, 0);
    } finally {
      await service.close();
      await mock.close();
    }
  });
});
