import type { AffinityStore, ListableAffinityStore } from './affinity-store.ts';
import type { RedisLink } from './redis-link.ts';

/**
 * Affinity shared through Redis: an upload or file created through one instance is found by every
 * other. Each owner is written to the local store too and to Redis (with its expiry), awaited at
 * most the link's timeout; lookups ask Redis first (and keep what it says locally) and fall back
 * to the local store when Redis does not know or does not answer. At start and whenever Redis is back after an outage, the local
 * entries are written again where Redis has none (it may have restarted empty).
 */
export class RedisAffinityStore implements AffinityStore {
  readonly #link: RedisLink;
  readonly #local: ListableAffinityStore;
  readonly #now: () => number;

  constructor(link: RedisLink, local: ListableAffinityStore, now: () => number = Date.now) {
    this.#link = link;
    this.#local = local;
    this.#now = now;
    link.onResync(() => this.#refill());
    // Redis may have lost entries while this instance was stopped.
    if (link.up) void this.#refill().catch((error: unknown) => this.#link.noteFailure(error));
  }

  async remember(resource: string, fingerprint: string, expiresAt: number): Promise<void> {
    await this.#local.remember(resource, fingerprint, expiresAt);
    await this.#write(resource, fingerprint, expiresAt);
  }

  async lookup(resource: string, now: number): Promise<string | undefined> {
    const key = this.#key(resource);
    const replies = await this.#link.commands
      .pipeline()
      .get(key)
      .pttl(key)
      .exec()
      .catch((error: unknown) => this.#link.noteFailure(error));
    // A pipeline reports each command's failure in its reply instead of rejecting.
    const failure = replies?.find(([error]) => error !== null)?.[0];
    if (failure) this.#link.noteFailure(failure);
    const owner = replies?.[0]?.[1];
    const remainingMs = Number(replies?.[1]?.[1]);
    if (typeof owner !== 'string') return this.#local.lookup(resource, now);
    // Kept locally too, so this instance still knows the owner while Redis is away.
    if (remainingMs > 0) await this.#local.remember(resource, owner, now + remainingMs);
    return owner;
  }

  async forget(resource: string): Promise<void> {
    await this.#local.forget(resource);
    await this.#link.commands
      .del(this.#key(resource))
      .catch((error: unknown) => this.#link.noteFailure(error));
  }

  /** Redis expires its own entries; this prunes the local store. */
  prune(now: number): Promise<number> {
    return this.#local.prune(now);
  }

  #key(resource: string): string {
    return `${this.#link.prefix}affinity:${resource}`;
  }

  async #write(resource: string, fingerprint: string, expiresAt: number, onlyNew = false): Promise<void> {
    const ttl = Math.ceil(expiresAt - this.#now());
    if (ttl <= 0) return;
    const key = this.#key(resource);
    const written = onlyNew
      ? this.#link.commands.set(key, fingerprint, 'PX', ttl, 'NX')
      : this.#link.commands.set(key, fingerprint, 'PX', ttl);
    await written.catch((error: unknown) => this.#link.noteFailure(error));
  }

  async #refill(): Promise<void> {
    const entries = await this.#local.entries(this.#now());
    await Promise.all(
      entries.map((entry) => this.#write(entry.resource, entry.fingerprint, entry.expiresAt, true)),
    );
  }
}
