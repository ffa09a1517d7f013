import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyBaseLogger as Logger } from 'fastify';
import WebSocket, { WebSocketServer } from 'ws';
import { readCredential, type TokenVerifier } from '../../auth/client-auth.ts';
import { isLoopbackRequest } from '../../auth/loopback-guard.ts';
import { toOriginForm } from '../../auth/origin-form.ts';
import type { CallRecord } from '../../dispatch/call-record.ts';
import type { Dispatcher } from '../../dispatch/dispatcher.ts';
import { AppError, errors } from '../../errors/app-error.ts';
import { toGeminiErrorBody } from '../../errors/wire-formats.ts';
import { hasDotSegment } from '../../http/has-dot-segment.ts';
import { KeyMasker } from '../../secrets/key-masker.ts';
import type { LiveAgents } from '../../upstream/live-agent.ts';
import { readBounded } from '../../upstream/read-bounded.ts';
import { upstreamPath } from './upstream-path.ts';

export type LiveProxyDependencies = {
  baseUrl: string;
  dispatcher: Dispatcher;
  tokens: TokenVerifier;
  logger: Logger;
  loopbackOnly: boolean;
  agents: LiveAgents;
  /** Told once per upgrade request, when it was refused or its session ended (request records). */
  onSessionEnd?: ((end: LiveSessionEnd) => void) | undefined;
  /** How long the upstream handshake may take before the session is closed. */
  handshakeTimeoutMs?: number;
};

/** What became of one Live upgrade: refused (its status), or a session (101) that lasted `durationMs`. */
export type LiveSessionEnd = {
  path: string;
  status: number;
  durationMs: number;
  /** The client token's name. */
  client: string | undefined;
  record: CallRecord | undefined;
  error: AppError | undefined;
};

/** Frames, and bytes, a client may send before the upstream connection is open. */
const maxPendingFrames = 64;
const maxPendingBytes = 1024 * 1024;
/** Largest frame accepted from a client (1009 "message too big" beyond) and from the upstream. */
const maxClientFrameBytes = 16 * 1024 * 1024;
const maxUpstreamFrameBytes = 64 * 1024 * 1024;
/** Bytes written to one side but not yet flushed, past which the other side stops being read. */
const highWaterBytes = 1024 * 1024;

/** Live API paths; some clients send a leading double slash. */
const livePath = /^\/+ws\/google\.ai\.generativelanguage\.[^/]+\.GenerativeService\.[A-Za-z]+/;

/**
 * The Live API is a WebSocket: authenticate the upgrade, open the same path upstream with a pool key
 * in `x-goog-api-key`, then relay frames both ways untouched (text stays text, binary stays binary).
 * Either side closing closes the other.
 */
export function createLiveProxy(dependencies: LiveProxyDependencies) {
  const server = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: maxClientFrameBytes,
  });
  const handshakeTimeout = dependencies.handshakeTimeoutMs ?? 10_000;
  const upstreamOrigin = dependencies.baseUrl.replace(/^http/, 'ws');

  return function handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = toOriginForm(request.url ?? '/');
    const started = Date.now();
    const credential = readCredential(request.headers, new URL(url, 'http://local').searchParams)?.value;
    const end = (status: number, record: CallRecord | undefined, error?: AppError) =>
      dependencies.onSessionEnd?.({
        path: url.split('?')[0] ?? '/',
        status,
        durationMs: Date.now() - started,
        client: dependencies.tokens.identify(credential),
        record,
        error,
      });
    const query = new URL(url, 'http://local').searchParams;
    const refusal = !livePath.test(url)
      ? errors.notFound(url.split('?')[0] ?? url)
      : hasDotSegment(url)
        ? errors.invalidArgument('The path may not contain "." or ".." segments.')
        : dependencies.loopbackOnly && !isLoopbackRequest(request.headers)
          ? errors.foreignOrigin()
          : !dependencies.tokens.verify(readCredential(request.headers, query)?.value)
            ? errors.unauthenticated()
            : undefined;
    if (refusal !== undefined) {
      refuse(socket, refusal);
      end(refusal.status, undefined, refusal);
      return;
    }
    const path = upstreamPath(url.replace(/^\/+/, '/'));
    // The key is chosen as for any call (probing, learnt windows); the handshake tells the pool about it.
    const session = dependencies.dispatcher.openLive(path);
    if (session instanceof AppError) {
      refuse(socket, session);
      end(session.status, undefined, session);
      return;
    }
    const { lease } = session;
    // A client handshake that never completes leaves the key unjudged (and no longer probing).
    const abandon = () => session.abandoned();
    socket.once('close', abandon);
    // The upstream is opened only once the client's handshake succeeded: a malformed handshake
    // never gets its callback, and must leave nothing open behind it.
    server.handleUpgrade(request, socket, head, (client) => {
      socket.off('close', abandon);
      const agent = dependencies.agents.forKey(lease.id);
      const upstream = new WebSocket(`${upstreamOrigin}${path}`, {
        headers: { 'x-goog-api-key': lease.secret },
        handshakeTimeout,
        maxPayload: maxUpstreamFrameBytes,
        ...(agent === undefined ? {} : { agent }),
      });
      const opened = Date.now();
      const log = dependencies.logger.child({ route: 'live', keyFingerprint: lease.fingerprint });
      let refused = false;
      // A refused upstream handshake says something about the key (dead, out of quota): tell the pool.
      upstream.on('unexpected-response', (_request, response) => {
        refused = true;
        // A body that breaks off is read as none: the status alone still classifies.
        const body = readBounded(response, 64 * 1024).then(
          ({ bytes }) => bytes.toString('utf8'),
          () => undefined,
        );
        void body.then((text) => {
          const outcome = session.refused(response.statusCode ?? 502, text);
          log.info(
            { status: response.statusCode, outcome: outcome.kind },
            'live upstream refused the session',
          );
        });
        closeOther(client, 1011, Buffer.from('upstream refused the session'));
      });
      upstream.on('open', () => session.opened());
      // Closed without an answer (network failure, client gone first): no verdict on the key.
      upstream.on('close', () => {
        if (!refused) session.abandoned();
      });
      client.on('close', (code) => {
        log.info({ code, durationMs: Date.now() - opened }, 'live session closed');
        end(101, session.record);
      });
      relay(client, upstream, log, new KeyMasker(lease.secret));
    });
  };
}

function relay(client: WebSocket, upstream: WebSocket, logger: Logger, masker: KeyMasker): void {
  const pending: Array<{ data: WebSocket.RawData; isBinary: boolean }> = [];
  let pendingBytes = 0;
  const toUpstream = forwarder(client, upstream);
  client.on('message', (data, isBinary) => {
    if (upstream.readyState === WebSocket.OPEN) return toUpstream(data, isBinary);
    pendingBytes += frameSize(data);
    if (pending.length < maxPendingFrames && pendingBytes <= maxPendingBytes)
      pending.push({ data, isBinary });
    else closeOther(client, 1008, Buffer.from('too much sent before the upstream opened'));
  });
  upstream.on('open', () => {
    for (const message of pending.splice(0)) toUpstream(message.data, message.isBinary);
    pendingBytes = 0;
  });
  // A key Google quotes back in a frame is masked like in any other answer (frames arrive whole).
  const toClient = forwarder(upstream, client);
  upstream.on('message', (data, isBinary) => toClient(maskFrame(data, masker), isBinary));
  client.on('close', (code, reason) => closeOther(upstream, code, reason));
  upstream.on('close', (code, reason) => closeOther(client, code, reason));
  upstream.on('error', (error) => {
    logger.warn({ err: error }, 'live upstream failed');
    closeOther(client, 1011, Buffer.from('upstream connection failed'));
  });
  client.on('error', () => closeOther(upstream, 1011, Buffer.alloc(0)));
}

/**
 * Sends what `source` received on to `target`, with backpressure: while more than `highWaterBytes`
 * sent to `target` are not yet flushed to its socket, `source` is not read (so a peer that stopped
 * reading makes the other one wait instead of growing our memory).
 */
function forwarder(source: WebSocket, target: WebSocket) {
  let unflushed = 0;
  return (data: WebSocket.RawData, isBinary: boolean): void => {
    const size = frameSize(data);
    unflushed += size;
    target.send(data, { binary: isBinary }, () => {
      unflushed -= size;
      if (unflushed <= highWaterBytes / 2 && source.isPaused) source.resume();
    });
    if (unflushed > highWaterBytes && !source.isPaused) source.pause();
  };
}

function maskFrame(data: WebSocket.RawData, masker: KeyMasker): Buffer {
  const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
  const text = bytes.toString('latin1');
  const masked = masker.mask(text);
  return masked === text ? bytes : Buffer.from(masked, 'latin1');
}

function frameSize(data: WebSocket.RawData): number {
  if (Array.isArray(data)) return data.reduce((sum, part) => sum + part.length, 0);
  return data instanceof ArrayBuffer ? data.byteLength : data.length;
}

/** 1005 (no code) becomes a normal close, 1006 (connection lost) an error close: neither can be sent. */
function closeOther(socket: WebSocket, code: number, reason: Buffer): void {
  if (socket.readyState === WebSocket.CLOSED || socket.readyState === WebSocket.CLOSING) return;
  const sendable =
    code === 1000 || (code >= 1001 && code <= 1014 && code !== 1005 && code !== 1006) || code >= 3000;
  if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
  else socket.close(sendable ? code : code === 1006 ? 1011 : 1000, reason.subarray(0, 123));
}

function refuse(socket: Duplex, error: AppError): void {
  const body = toGeminiErrorBody(error);
  socket.end(
    `HTTP/1.1 ${error.status} ${error.code}\r\nContent-Type: application/json; charset=UTF-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
