import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { nativeCall } from './helpers/native-call.ts';
import { clientToken } from './helpers/secrets.ts';
import { startService } from './helpers/start-service.ts';
import { waitFor } from './helpers/wait-for.ts';
import { MockGemini, type ReceivedRequest } from './mock-upstream/mock-gemini.ts';

/*
 * The upstream misbehaves in every way a network and a server can; each fault has one defined
 * outcome, the process survives, nothing rejects unhandled, and no upstream socket stays open.
 */

const unhandled: unknown[] = [];
process.on('unhandledRejection', (reason) => unhandled.push(reason));
after(() => assert.deepEqual(unhandled, [], 'no unhandled rejection'));

const sse = 'text/event-stream';
const firstEvent = 'data: {"candidates":[{"content":{"parts":[{"text":"Hi"}],"role":"model"}}]}\r\n\r\n';
const huge = 48 * 1024 * 1024;

/** The faults, by model name: what the mock does when a call names it. */
const faults: Record<string, (response: ServerResponse) => void> = {
  'fault-reset-before-headers': (response) => response.socket?.destroy(),
  'fault-reset-mid-stream': (response) => {
    response.writeHead(200, { 'content-type': sse });
    response.write(firstEvent, () => setTimeout(() => response.socket?.destroy(), 20));
  },
  'fault-no-first-byte': () => {},
  'fault-drip': (response) => {
    response.writeHead(200, { 'content-type': sse });
    response.write(firstEvent);
  },
  'fault-503': (response) => {
    response.writeHead(503, { 'content-type': 'application/json' });
    response.end('{"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}}');
  },
  'fault-malformed-json': (response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('{"candidates":[{"content":');
  },
  'fault-broken-sse': (response) => {
    response.writeHead(200, { 'content-type': sse });
    response.end(
      'data: {"candidates":[{"content":{"parts":[{"text":"Hi"\r\nnot sse at all\r\n\r\ndata: {]\r\n\r\n',
    );
  },
  'fault-huge': (response) => {
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(huge) });
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    let sent = 0;
    const pump = (): void => {
      while (sent < huge) {
        sent += chunk.length;
        if (!response.write(chunk)) return void response.once('drain', pump);
      }
      response.end();
    };
    pump();
  },
};

let burstSeen = 0;
function override(request: ReceivedRequest, response: ServerResponse): boolean {
  const model = /\/models\/([^/:]+)/.exec(request.url)?.[1] ?? '';
  // One 503 per burst, then the next key answers.
  if (model === 'fault-503-once' && burstSeen++ % 2 === 0) {
    faults['fault-503']?.(response);
    return true;
  }
  const fault = faults[model];
  if (fault === undefined) return false;
  fault(response);
  return true;
}

const env = { UPSTREAM_FIRST_BYTE_TIMEOUT_MS: '300', UPSTREAM_IDLE_TIMEOUT_MS: '300', MAX_RETRIES: '2' };

function openai(url: string, model: string, stream: boolean): Promise<Response> {
  return fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${clientToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, stream, messages: [{ role: 'user', content: 'hi' }] }),
  });
}

describe('fault matrix: the upstream misbehaves', () => {
  test('connection refused → 502 after trying the keys', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    const service = await startService(`http://127.0.0.1:${port}`, env);
    try {
      const response = await nativeCall(service.url, 'gemini-2.5-flash:generateContent');
      assert.equal(response.status, 502);
      assert.equal(((await response.json()) as { error: { status: string } }).error.status, 'UNAVAILABLE');
    } finally {
      await service.close();
    }
  });

  /*
   * One mock and one service for every fault, as in production: a network fault rests the path
   * (never the keys as out of quota), so each fault first waits until a healthy call is served again.
   */
  let shared: { mock: MockGemini; service: Awaited<ReturnType<typeof startService>> } | undefined;
  before(async () => {
    const mock = await MockGemini.start();
    mock.override = override;
    shared = { mock, service: await startService(mock.url, env) };
  });
  after(async () => {
    if (shared === undefined) return;
    await shared.service.close();
    const closed = await waitFor(() => shared?.mock.openSockets === 0);
    await shared.mock.close();
    assert.ok(closed, 'an upstream socket was left open');
  });

  async function onSharedService(run: (url: string) => Promise<void>): Promise<void> {
    const url = shared?.service.url ?? '';
    const served = await waitFor(
      async () => (await nativeCall(url, 'gemini-2.5-flash:generateContent')).status === 200,
      { timeoutMs: 40_000, intervalMs: 200 },
    );
    assert.ok(served, 'the path came back after the previous fault');
    await run(url);
    assert.equal((await fetch(`${url}/health`)).status, 200);
  }

  async function native(url: string, method: string): Promise<{ status: number; text: string }> {
    const response = await nativeCall(url, method);
    return { status: response.status, text: await response.text() };
  }

  test('network faults rest the path, not the keys: 503 UPSTREAM_PATH_DOWN with Retry-After, never 429, on every surface', () =>
    onSharedService(async (url) => {
      // Each call tries every key (MAX_RETRIES 2): the path's streak reaches its limit and it rests.
      assert.equal((await native(url, 'fault-reset-before-headers:generateContent')).status, 502);
      const next = await nativeCall(url, 'gemini-2.5-flash:generateContent');
      const body = (await next.json()) as { error: { code: number; status: string; message: string } };
      assert.equal(next.status, 503);
      assert.equal(body.error.status, 'UNAVAILABLE');
      assert.match(body.error.message, /network level/);
      assert.ok(Number(next.headers.get('retry-after')) >= 1);
      const translated = await openai(url, 'gemini-2.5-flash', false);
      assert.equal(translated.status, 503);
      assert.doesNotMatch(await translated.text(), /quota/i);
    }));

  test('reset before headers → 502', () =>
    onSharedService(async (url) => {
      assert.equal((await native(url, 'fault-reset-before-headers:generateContent')).status, 502);
    }));

  test('reset mid-stream → the first event, then one error event in the stream framing', () =>
    onSharedService(async (url) => {
      const reset = await native(url, 'fault-reset-mid-stream:streamGenerateContent?alt=sse');
      assert.equal(reset.status, 200);
      assert.ok(reset.text.startsWith(firstEvent));
      assert.match(reset.text.slice(firstEvent.length), /^data: \{"error":/);
    }));

  test('no first byte within UPSTREAM_FIRST_BYTE_TIMEOUT_MS → 504', () =>
    onSharedService(async (url) => {
      assert.equal((await native(url, 'fault-no-first-byte:generateContent')).status, 504);
    }));

  test('a drip that stops past UPSTREAM_IDLE_TIMEOUT_MS → the stream ends with an error event', () =>
    onSharedService(async (url) => {
      const drip = await native(url, 'fault-drip:streamGenerateContent?alt=sse');
      assert.equal(drip.status, 200);
      assert.match(drip.text.slice(firstEvent.length), /^data: \{"error":/);
      const translated = await (await openai(url, 'fault-drip', true)).text();
      assert.match(translated, /"error"/);
      assert.ok(!translated.includes('[DONE]'));
    }));

  test('503 bursts → the last upstream answer unchanged; one 503 then a healthy key → 200', () =>
    onSharedService(async (url) => {
      const overloaded = await native(url, 'fault-503:generateContent');
      assert.equal(overloaded.status, 503);
      assert.match(overloaded.text, /overloaded/);
      assert.equal((await native(url, 'fault-503-once:generateContent')).status, 200);
    }));

  test('malformed JSON and broken SSE: native bytes pass unchanged, the OpenAI surface says it could not read them', () =>
    onSharedService(async (url) => {
      const malformed = await native(url, 'fault-malformed-json:generateContent');
      assert.deepEqual(malformed, { status: 200, text: '{"candidates":[{"content":' });
      const broken = await native(url, 'fault-broken-sse:streamGenerateContent?alt=sse');
      assert.equal(broken.status, 200);
      assert.match(broken.text, /not sse at all/);
      assert.equal((await openai(url, 'fault-malformed-json', false)).status, 502);
      const translated = await (await openai(url, 'fault-broken-sse', true)).text();
      assert.match(translated, /"error"/);
      assert.ok(!translated.includes('[DONE]'));
    }));

  test('a 48 MiB answer streams through whole', () =>
    onSharedService(async (url) => {
      const big = await nativeCall(url, 'fault-huge:generateContent');
      assert.equal(big.status, 200);
      assert.equal((await big.arrayBuffer()).byteLength, huge);
    }));
});
