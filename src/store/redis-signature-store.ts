import type { RedisLink } from './redis-link.ts';
import { defaultSignatureLimits, type SignatureStore, type SignatureStoreLimits } from './signature-store.ts';

/**
 * Thought signatures shared through Redis, so a tool loop whose next turn lands on another
 * instance still gets its signatures back. Each entry goes to the local store and to Redis (expiring
 * after `maxAgeMs`, awaited at most the link's timeout); recalls ask Redis first and the local store
 * for what Redis does not know or when it does not answer. The count limit applies locally; Redis
 * holds entries for their age only.
 */
export class RedisSignatureStore implements SignatureStore {
  readonly #link: RedisLink;
  readonly #local: SignatureStore;
  readonly #maxAgeMs: number;

  constructor(link: RedisLink, local: SignatureStore, limits: Partial<SignatureStoreLimits> = {}) {
    this.#link = link;
    this.#local = local;
    this.#maxAgeMs = limits.maxAgeMs ?? defaultSignatureLimits.maxAgeMs;
  }

  async remember(
    owner: string,
    entries: ReadonlyArray<{ id: string; signature: string }>,
    now: number,
  ): Promise<void> {
    await this.#local.remember(owner, entries, now);
    if (entries.length === 0) return;
    const pipeline = this.#link.commands.pipeline();
    for (const entry of entries)
      pipeline.set(this.#key(owner, entry.id), entry.signature, 'PX', this.#maxAgeMs);
    const replies = await pipeline.exec().catch((error: unknown) => this.#link.noteFailure(error));
    const failure = replies?.find(([error]) => error !== null)?.[0];
    if (failure) this.#link.noteFailure(failure);
  }

  async recall(owner: string, ids: readonly string[], now: number): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const shared = await this.#link.commands
      .mget(ids.map((id) => this.#key(owner, id)))
      .catch((error: unknown) => this.#link.noteFailure(error));
    const found = new Map<string, string>();
    ids.forEach((id, index) => {
      const signature = shared?.[index];
      if (typeof signature === 'string') found.set(id, signature);
    });
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length === 0) return found;
    for (const [id, signature] of await this.#local.recall(owner, missing, now)) found.set(id, signature);
    return found;
  }

  #key(owner: string, id: string): string {
    return `${this.#link.prefix}signature:${owner}:${id}`;
  }
}
