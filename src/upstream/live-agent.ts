import type { Agent } from 'node:http';
import { createRequire } from 'node:module';
import { proxyForKey } from './proxy-for-key.ts';

/**
 * The WebSocket client (`ws`) speaks node:http, not undici, so Live sessions need their own proxy
 * agents: one per proxy, chosen for each key by the same stable hash as the HTTP calls, so a key
 * always leaves from the same address whatever it calls.
 */
export class LiveAgents {
  readonly #proxyUrl: string | undefined;
  readonly #proxyUrls: readonly string[];
  readonly #agents = new Map<string, Agent>();

  constructor(options: { proxyUrl?: string | undefined; proxyUrls?: readonly string[] }) {
    this.#proxyUrl = options.proxyUrl;
    this.#proxyUrls = options.proxyUrls ?? [];
  }

  /** The agent for this key's proxy, or undefined to connect directly. */
  forKey(keyId: string): Agent | undefined {
    const proxy = this.#proxyUrls.length > 0 ? proxyForKey(keyId, this.#proxyUrls) : this.#proxyUrl;
    if (proxy === undefined) return undefined;
    let agent = this.#agents.get(proxy);
    if (agent === undefined) {
      // Loaded on first use: without proxies their modules would only take memory.
      const load = createRequire(import.meta.url);
      agent = proxy.startsWith('socks')
        ? new (load('socks-proxy-agent') as typeof import('socks-proxy-agent')).SocksProxyAgent(proxy)
        : new (load('https-proxy-agent') as typeof import('https-proxy-agent')).HttpsProxyAgent(proxy);
      this.#agents.set(proxy, agent);
    }
    return agent;
  }
}
