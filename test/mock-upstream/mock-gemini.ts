import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttp2Server, type Http2Server } from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { fixtureBytes, splitJsonArrayElements, splitSseEvents } from './fixtures.ts';
import { refuseUnsignedFunctionCall } from './gemini3-rules.ts';

/** One Live session the mock accepted; `socket` is its end, for tests that flood or stop reading. */
export type LiveSession = {
  key: string | undefined;
  url: string;
  /** Text frames received, in order. */
  frames: string[];
  /** Bytes of binary frames received (kept as a count: tests send tens of MiB). */
  binaryBytes: number;
  closed: boolean;
  socket: WebSocket;
};

export type ReceivedRequest = {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  key: string | undefined;
  body: Buffer;
  /** When the connection to us closed, in ms since the epoch: how fast an abort travelled. */
  closedAt: number | undefined;
};

/** A test's own answer for a request; return false to fall through to the recorded fixtures. */
export type Override = (request: ReceivedRequest, response: ServerResponse) => boolean | Promise<boolean>;

const json = 'application/json; charset=UTF-8';

/**
 * A stand-in for generativelanguage.googleapis.com on a loopback port. It replays the recorded
 * fixtures byte for byte (streams in their recorded framing, one event per write) and records every
 * request it receives, so tests can check what the upstream saw. `start({ http2: true })` speaks
 * HTTP/2 in clear text (h2c, prior knowledge) instead of HTTP/1.1, as Google speaks HTTP/2: node:http2's
 * compatibility API offers the same request and response methods, so overrides work unchanged
 * (the Live WebSocket is HTTP/1.1 only).
 */
export class MockGemini {
  readonly received: ReceivedRequest[] = [];
  readonly liveSessions: LiveSession[] = [];
  override: Override | undefined;
  /** When set, Live handshakes are refused with this status and body (as Google refuses a dead key). */
  liveRefusal: { status: number; body: string } | undefined;
  /** Held streams (model `mock-held-stream`) wait here between their first and second event. */
  #gate: { promise: Promise<void>; release: () => void } = MockGemini.#newGate();
  /** Connections accepted so far (TCP connections: HTTP/2 carries many requests on one). */
  connectionsAccepted = 0;
  readonly #server: Server | Http2Server;
  readonly #sockets = new Set<Socket>();
  #origin = '';

  private constructor(options: { http2?: boolean }) {
    const handle = (request: IncomingMessage, response: ServerResponse) =>
      void this.#handle(request, response);
    this.#server = options.http2
      ? // The compatibility API's request and response have every method the mock and overrides use.
        createHttp2Server((request, response) =>
          handle(request as unknown as IncomingMessage, response as unknown as ServerResponse),
        )
      : createServer(handle);
    this.#server.on('connection', (socket: Socket) => {
      this.connectionsAccepted++;
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    if (options.http2) return;
    const live = new WebSocketServer({
      server: this.#server as Server,
      verifyClient: (_info, done) => {
        if (this.liveRefusal === undefined) done(true);
        else done(false, this.liveRefusal.status, this.liveRefusal.body);
      },
    });
    live.on('connection', (socket, request) => {
      const session = {
        key: header(request, 'x-goog-api-key'),
        url: request.url ?? '',
        frames: [] as string[],
        binaryBytes: 0,
        closed: false,
        socket,
      };
      this.liveSessions.push(session);
      socket.on('message', (data, isBinary) => {
        if (isBinary) {
          session.binaryBytes += Array.isArray(data)
            ? data.reduce((sum, part) => sum + part.length, 0)
            : Buffer.byteLength(data as Buffer | ArrayBuffer);
          return;
        }
        const text = data.toString();
        session.frames.push(text);
        const message = parseObject(text);
        if ('setup' in message) socket.send(JSON.stringify({ setupComplete: {} }));
        // As Google quotes a suspended key back: for the masking tests.
        if ('echoKey' in message)
          socket.send(JSON.stringify({ error: { message: `api_key:${session.key}` } }));
        if ('clientContent' in message) {
          socket.send(
            JSON.stringify({ serverContent: { modelTurn: { parts: [{ text: 'Hello from the mock.' }] } } }),
          );
          socket.send(JSON.stringify({ serverContent: { turnComplete: true } }));
        }
      });
      socket.on('close', () => {
        session.closed = true;
      });
    });
  }

  static async start(options: { http2?: boolean } = {}): Promise<MockGemini> {
    const mock = new MockGemini(options);
    // A long accept queue, as Google's: a burst of a thousand connections is not dropped and retried.
    await new Promise<void>((resolve) =>
      mock.#server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve),
    );
    mock.#origin = `http://127.0.0.1:${(mock.#server.address() as AddressInfo).port}`;
    return mock;
  }

  static #newGate() {
    let release = () => {};
    const promise = new Promise<void>((resolve) => {
      release = resolve;
    });
    return { promise, release };
  }

  get url(): string {
    return this.#origin;
  }

  releaseHeldStream(): void {
    this.#gate.release();
    this.#gate = MockGemini.#newGate();
  }

  /** Connections to the mock still open: after the service closed, none may be left. */
  get openSockets(): number {
    return this.#sockets.size;
  }

  requestsTo(pathPart: string): ReceivedRequest[] {
    return this.received.filter((request) => request.url.includes(pathPart));
  }

  async close(): Promise<void> {
    this.#gate.release();
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const received: ReceivedRequest = {
      method: request.method ?? 'GET',
      url: request.url ?? '/',
      headers: request.headers,
      key: header(request, 'x-goog-api-key'),
      body: Buffer.concat(chunks),
      closedAt: undefined,
    };
    this.received.push(received);
    response.on('close', () => {
      received.closedAt = Date.now();
    });
    if (refuseUnsignedFunctionCall(received, response)) return;
    if (this.override !== undefined && (await this.override(received, response))) return;
    await this.#replay(received, response);
  }

  async #replay(request: ReceivedRequest, response: ServerResponse): Promise<void> {
    const url = new URL(request.url, this.#origin);
    const path = url.pathname;
    const model = /\/models\/([^/:]+)/.exec(path)?.[1] ?? '';
    const errorFixture = /^mock-error-(.+)$/.exec(model)?.[1];
    if (errorFixture !== undefined) return sendFixture(response, `error-${errorFixture}.json`);
    if (path.startsWith('/upload/')) return this.#upload(request, url, response);
    if (path === '/v1beta/openai/chat/completions')
      return send(response, 200, json, fixtureBytes('openai-compat-chat-completion-text.json'));
    const unary = recordedAnswers[model]?.unary;
    if (unary !== undefined && path.endsWith(':generateContent'))
      return send(response, 200, json, fixtureBytes(unary));
    if (/^\/v1(beta|alpha)?\/models$/.test(path) && url.searchParams.has('pageToken'))
      return send(response, 200, json, Buffer.from(secondModelPage));
    if (path.endsWith(':generateContent'))
      return send(response, 200, json, fixtureBytes('generate-content-response.json'));
    if (path.endsWith(':streamGenerateContent')) return this.#stream(url, model, response);
    if (path.endsWith(':countTokens'))
      return send(response, 200, json, fixtureBytes('count-tokens-response.json'));
    if (path.endsWith(':batchEmbedContents'))
      return send(response, 200, json, fixtureBytes('batch-embed-contents-response.json'));
    if (path.endsWith(':embedContent')) return send(response, 200, json, singleEmbedding());
    if (/^\/v1(beta|alpha)?\/models$/.test(path))
      return send(response, 200, json, fixtureBytes('list-models.json'));
    if (/^\/v1(beta|alpha)?\/models\/[^/:]+$/.test(path)) return sendModel(response, model);
    if (/^\/v1(beta)?\/files\/[^/:]+$/.test(path))
      return send(response, 200, json, Buffer.from(fileJson(this.#origin, path.split('/').pop() ?? '')));
    return sendFixture(response, 'error-404-model-not-found-v1beta.json');
  }

  async #stream(url: URL, model: string, response: ServerResponse): Promise<void> {
    const sse = url.searchParams.get('alt') === 'sse';
    const pieces = sse
      ? splitSseEvents(fixtureBytes(recordedAnswers[model]?.sse ?? 'stream-alt-sse.txt'))
      : splitJsonArrayElements(fixtureBytes('stream-json-array.txt'));
    response.writeHead(200, { 'content-type': sse ? 'text/event-stream' : json });
    if (model === 'mock-endless-stream') return endless(response, pieces[0]!);
    if (model === 'mock-cut-stream') return void response.write(pieces[0]!, () => response.destroy());
    for (const [index, piece] of pieces.entries()) {
      if (response.destroyed) return;
      response.write(piece);
      if (index === 0 && model === 'mock-held-stream') await this.#gate.promise;
      else await new Promise((resolve) => setImmediate(resolve));
    }
    response.end();
  }

  #upload(request: ReceivedRequest, url: URL, response: ServerResponse): void {
    const command = String(request.headers['x-goog-upload-command'] ?? '');
    if (command.includes('start')) {
      const id = randomBytes(12).toString('base64url');
      const uploadUrl = `${this.#origin}${url.pathname}?upload_id=${id}&upload_protocol=resumable`;
      response.writeHead(200, {
        'content-type': 'text/plain; charset=utf-8',
        'content-length': '0',
        'x-goog-upload-status': 'active',
        'x-goog-upload-url': uploadUrl,
      });
      return void response.end();
    }
    // The one-shot form: metadata and bytes in one multipart/related body.
    const multipart =
      request.headers['x-goog-upload-protocol'] === 'multipart' ||
      url.searchParams.get('uploadType') === 'multipart';
    const id = url.searchParams.get('upload_id') ?? (multipart ? randomBytes(9).toString('hex') : 'unknown');
    const done = command.includes('finalize') || multipart;
    const body = done
      ? Buffer.from(`{\n  "file": ${fileJson(this.#origin, id.toLowerCase().slice(0, 12))}\n}\n`)
      : Buffer.alloc(0);
    response.writeHead(200, { 'content-type': json, 'x-goog-upload-status': done ? 'final' : 'active' });
    response.end(body);
  }
}

/** Models that select other recorded answers: `unary` for generateContent, `sse` for `alt=sse` streams. */
const recordedAnswers: Record<string, { unary?: string; sse?: string }> = {
  'mock-function-call': {
    unary: 'generate-content-response-thinking-function-call.json',
    sse: 'stream-alt-sse-function-call-gemini3.txt',
  },
  'mock-thinking': { sse: 'stream-alt-sse-thinking.txt' },
  'mock-midstream-error': { sse: 'stream-alt-sse-error-mid-stream-vertex.txt' },
};

/** What a `pageToken` gets from the model list: a last page (invented; the recording has page 1 only). */
const secondModelPage = `{\n  "models": [\n    {\n      "name": "models/mock-second-page-model",\n      "displayName": "Mock second page"\n    }\n  ]\n}\n`;

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function send(response: ServerResponse, status: number, contentType: string, body: Buffer): void {
  response.writeHead(status, { 'content-type': contentType, 'content-length': String(body.length) });
  response.end(body);
}

/** An override that answers every request with this status and body (JSON unless said otherwise). */
export function replyWith(status: number, body: string | Buffer, contentType = json): Override {
  return (_request, response) => {
    response.writeHead(status, { 'content-type': contentType });
    response.end(body);
    return true;
  };
}

/** Error fixtures carry their own status in `error.code`. */
export function sendFixture(response: ServerResponse, name: string): void {
  const body = fixtureBytes(name);
  const status = (JSON.parse(body.toString('utf8')) as { error: { code: number } }).error.code;
  send(response, status, json, body);
}

function sendModel(response: ServerResponse, model: string): void {
  const list = JSON.parse(fixtureBytes('list-models.json').toString('utf8')) as {
    models: Array<{ name: string }>;
  };
  const found = list.models.find((entry) => entry.name === `models/${model}`);
  if (found === undefined) sendFixture(response, 'error-404-model-not-found-v1beta.json');
  else send(response, 200, json, Buffer.from(`${JSON.stringify(found, null, 2)}\n`));
}

function singleEmbedding(): Buffer {
  const batch = JSON.parse(fixtureBytes('batch-embed-contents-response.json').toString('utf8')) as {
    embeddings: unknown[];
  };
  return Buffer.from(`${JSON.stringify({ embedding: batch.embeddings[0] }, null, 2)}\n`);
}

function fileJson(origin: string, id: string): string {
  return JSON.stringify({
    name: `files/${id}`,
    mimeType: 'text/plain',
    sizeBytes: '79',
    createTime: '2026-11-26T12:00:00.000000Z',
    updateTime: '2026-11-26T12:00:00.000000Z',
    expirationTime: '2026-11-28T12:00:00.000000Z',
    sha256Hash: 'ZmFrZQ==',
    uri: `${origin}/v1beta/files/${id}`,
    state: 'ACTIVE',
    source: 'UPLOADED',
  });
}

/** The first event, then the same event again every 20 ms until the client goes away. */
function endless(response: ServerResponse, piece: Buffer): void {
  response.write(piece);
  const timer = setInterval(() => {
    if (response.destroyed) clearInterval(timer);
    else response.write(piece);
  }, 20);
  response.on('close', () => clearInterval(timer));
}

function parseObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
