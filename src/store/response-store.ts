/**
 * Stored Responses API answers, so a follow-up can name one (`previous_response_id`, `item_reference`)
 * and clients can read or delete it. Every entry belongs to one client (the fingerprint of its token):
 * another client's id is simply not found. Bounded by age and by count: the oldest go first.
 * Asynchronous because a shared store (Redis) would answer over the network.
 */
export interface ResponseStore {
  save(entry: StoredResponse): Promise<void>;
  /** The entry, or undefined when unknown, another client's, or older than the age limit at `now`. */
  get(scope: string, id: string, now: number): Promise<StoredResponse | undefined>;
  /** True when an entry of this client was deleted. */
  delete(scope: string, id: string): Promise<boolean>;
  /** Deletes entries past the age limit at `now`; returns how many. */
  prune(now: number): Promise<number>;
}

export interface StoredResponse {
  id: string;
  /** Fingerprint of the client token that created it. */
  scope: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
  /** What the surface needs to continue the conversation (its items and the response), as JSON. */
  data: unknown;
}

export interface ResponseStoreLimits {
  maxCount: number;
  maxAgeMs: number;
}

/** The in-process store: a Map in insertion order, which is age order. */
export class MemoryResponseStore implements ResponseStore {
  readonly #entries = new Map<string, StoredResponse>();
  readonly #limits: ResponseStoreLimits;

  constructor(limits: ResponseStoreLimits) {
    this.#limits = limits;
  }

  async save(entry: StoredResponse): Promise<void> {
    this.#entries.delete(entry.id);
    // A deep copy, so later changes by the caller never reach what was stored (as with SQLite).
    this.#entries.set(entry.id, structuredClone(entry));
    for (const id of this.#entries.keys()) {
      if (this.#entries.size <= this.#limits.maxCount) break;
      this.#entries.delete(id);
    }
  }

  async get(scope: string, id: string, now: number): Promise<StoredResponse | undefined> {
    const entry = this.#entries.get(id);
    if (entry === undefined || entry.scope !== scope || entry.createdAt <= now - this.#limits.maxAgeMs)
      return undefined;
    return structuredClone(entry);
  }

  async delete(scope: string, id: string): Promise<boolean> {
    if (this.#entries.get(id)?.scope !== scope) return false;
    return this.#entries.delete(id);
  }

  async prune(now: number): Promise<number> {
    let removed = 0;
    for (const [id, entry] of this.#entries) {
      if (entry.createdAt > now - this.#limits.maxAgeMs) break;
      this.#entries.delete(id);
      removed++;
    }
    return removed;
  }
}
