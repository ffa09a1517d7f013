import type { EventEmitter } from 'node:events';
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { Agent, type Dispatcher, ProxyAgent, Socks5ProxyAgent } from 'undici';
import { fromUpstream } from '../errors/from-upstream.ts';
import { proxyForKey } from './proxy-for-key.ts';

export type UpstreamClientOptions = {
  baseUrl: string;
  connectTimeoutMs: number;
  /** Time to the response headers: for a unary call that is the whole generation. */
  firstByteTimeoutMs: number;
  /** Longest silence between two body chunks; there is deliberately no whole-stream limit. */
  idleTimeoutMs: number;
  proxyUrl?: string | undefined;
  /** One proxy per key, chosen by a stable hash (`PROXY_URLS`); takes precedence over `proxyUrl`. */
  proxyUrls?: readonly string[];
  /**
   * Connections per upstream origin (and per proxy): with HTTP/1.1 the most requests in flight at
   * once, with HTTP/2 that many connections of `maxStreamsPerConnection` streams each. Requests
   * beyond it wait in undici's queue. Default 4096: the bound is memory, not a small pool.
   */
  maxConnections?: number;
  /** HTTP/2 to the upstream: `auto` (the default) for https origins, `on` also over http (h2c), `off`. */
  http2?: 'auto' | 'on' | 'off';
  /** Streams one HTTP/2 connection carries before another opens (the server may ask for fewer). */
  maxStreamsPerConnection?: number;
};

export type UpstreamRequest = {
  method: string;
  /** Path and query, starting with `/`. Never carries a key: keys travel in `x-goog-api-key` only. */
  path: string;
  headers: Record<string, string>;
  body?: Readable | string | Buffer | null;
  /** A real signal, or an emitter of `abort` (undici takes both; see `ClientAbort`). */
  signal?: AbortSignal | AbortEmitter;
  /** The key's id (fingerprint), which picks its outbound proxy when there are several. */
  keyId?: string;
};

/** What undici needs of an event-emitter signal: `abort` listeners added and removed. */
export type AbortEmitter = {
  on(event: 'abort', listener: () => void): unknown;
  once(event: 'abort', listener: () => void): unknown;
  removeListener(event: 'abort', listener: () => void): unknown;
};

export type UpstreamResponse = {
  status: number;
  headers: IncomingHttpHeaders;
  body: Readable;
};

export const defaultMaxConnections = 4096;

/** Whether calls to `baseUrl` go over HTTP/2: by default where TLS can negotiate it (Google does). */
export function usesHttp2(options: Pick<UpstreamClientOptions, 'baseUrl' | 'http2'>): boolean {
  const mode = options.http2 ?? 'auto';
  return mode === 'on' || (mode === 'auto' && options.baseUrl.startsWith('https:'));
}

export function createDispatcher(options: UpstreamClientOptions, proxyUrl = options.proxyUrl): Dispatcher {
  const common = {
    connect: { timeout: options.connectTimeoutMs },
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 600_000,
    connections: options.maxConnections ?? defaultMaxConnections,
  };
  if (proxyUrl === undefined) {
    const http2 = usesHttp2(options);
    // Over http:// HTTP/2 needs prior knowledge (h2c); over https:// ALPN picks it, h2 offered first.
    // `useH2c` sits beside the pool options too: the pool then waits for the first connection to
    // say which protocol it speaks instead of opening one connection per queued request.
    const agentOptions: Agent.Options & { useH2c?: boolean } = {
      ...common,
      allowH2: http2,
      connect: { ...common.connect, preferH2: http2 },
      ...(http2
        ? {
            useH2c: !options.baseUrl.startsWith('https:'),
            h2Options: { maxConcurrentStreams: options.maxStreamsPerConnection ?? 100 },
          }
        : {}),
    };
    return new Agent(agentOptions);
  }
  // Through a proxy the tunnel carries HTTP/1.1 (one request per connection at a time).
  if (proxyUrl.startsWith('socks5')) {
    const { connect: _connect, ...pool } = common;
    return new Socks5ProxyAgent(proxyUrl, pool);
  }
  return new ProxyAgent({ uri: proxyUrl, ...common });
}

/** The one way out to the Gemini API: keep-alive pool, timeouts, and our error mapping. */
export class UpstreamClient {
  readonly origin: string;
  readonly #options: UpstreamClientOptions;
  readonly #dispatcher: Dispatcher;
  /** One keep-alive pool per outbound proxy, made on first use. */
  readonly #proxied = new Map<string, Dispatcher>();

  constructor(options: UpstreamClientOptions, dispatcher?: Dispatcher) {
    this.#options = options;
    this.origin = new URL(options.baseUrl).origin;
    this.#dispatcher = dispatcher ?? createDispatcher(options);
  }

  /**
   * The way a key's calls leave, named without its credentials: `upstream` (straight to the origin)
   * or `proxy N` (its place in PROXY_URLS). Network failures are blamed on it, not on the key.
   */
  pathOf(keyId: string): string {
    const proxies = this.#options.proxyUrls ?? [];
    if (proxies.length === 0) return this.#options.proxyUrl === undefined ? 'upstream' : 'proxy';
    return `proxy ${proxies.indexOf(proxyForKey(keyId, proxies) ?? '') + 1}`;
  }

  #dispatcherFor(keyId: string | undefined): Dispatcher {
    const proxies = this.#options.proxyUrls ?? [];
    if (proxies.length === 0 || keyId === undefined) return this.#dispatcher;
    const proxy = proxyForKey(keyId, proxies) ?? '';
    let dispatcher = this.#proxied.get(proxy);
    if (dispatcher === undefined) {
      dispatcher = createDispatcher(this.#options, proxy);
      this.#proxied.set(proxy, dispatcher);
    }
    return dispatcher;
  }

  async request(request: UpstreamRequest): Promise<UpstreamResponse> {
    try {
      const response = await this.#dispatcherFor(request.keyId).request({
        origin: this.origin,
        path: request.path,
        method: request.method as Dispatcher.HttpMethod,
        headers: request.headers,
        body: request.body ?? null,
        // undici types an emitter signal as an EventEmitter but uses only `once` and `removeListener`.
        signal: (request.signal ?? null) as AbortSignal | EventEmitter | null,
        headersTimeout: this.#options.firstByteTimeoutMs,
        bodyTimeout: this.#options.idleTimeoutMs,
      });
      return { status: response.statusCode, headers: response.headers, body: response.body };
    } catch (error) {
      // The client's abort keeps its identity; every other failure is read once, in errors/.
      if (error instanceof Error && error.name === 'AbortError') throw error;
      throw fromUpstream({ networkError: error });
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.#dispatcher, ...this.#proxied.values()].map((dispatcher) => dispatcher.close()));
  }
}
