import {
  defaultSignatureLimits,
  type SignatureStore,
  type SignatureStoreLimits,
} from '../../src/store/signature-store.ts';

type Entry = { signature: string; storedAt: number };

/** Signatures in a Map kept in insertion order (the oldest first): the SignatureStore contract's reference for tests. */
export class MemorySignatureStore implements SignatureStore {
  readonly #entries = new Map<string, Entry>();
  readonly #limits: SignatureStoreLimits;

  constructor(limits: Partial<SignatureStoreLimits> = {}) {
    this.#limits = { ...defaultSignatureLimits, ...limits };
  }

  get size(): number {
    return this.#entries.size;
  }

  async remember(
    owner: string,
    entries: ReadonlyArray<{ id: string; signature: string }>,
    now: number,
  ): Promise<void> {
    for (const entry of entries) {
      const key = keyOf(owner, entry.id);
      this.#entries.delete(key);
      this.#entries.set(key, { signature: entry.signature, storedAt: now });
    }
    this.#evict(now);
  }

  async recall(owner: string, ids: readonly string[], now: number): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    for (const id of ids) {
      const entry = this.#entries.get(keyOf(owner, id));
      if (entry !== undefined && now - entry.storedAt < this.#limits.maxAgeMs) found.set(id, entry.signature);
    }
    return found;
  }

  #evict(now: number): void {
    for (const [key, entry] of this.#entries) {
      const tooMany = this.#entries.size > this.#limits.maxEntries;
      if (!tooMany && now - entry.storedAt < this.#limits.maxAgeMs) return;
      this.#entries.delete(key);
    }
  }
}

function keyOf(owner: string, id: string): string {
  return `${owner}\u0000${id}`;
}
