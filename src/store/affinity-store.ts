/**
 * Which key owns an upstream resource (`files/abc`, `cachedContents/x`, `batches/y`, an upload session):
 * such resources live in the key's Google project, so later requests about them must use the same key.
 * Stores only fingerprints. Asynchronous because lookups sit on the request path of a shared store (Redis).
 */
export interface AffinityStore {
  remember(resource: string, fingerprint: string, expiresAt: number): Promise<void>;
  /** The owner's fingerprint, or undefined when unknown or expired at `now`. */
  lookup(resource: string, now: number): Promise<string | undefined>;
  forget(resource: string): Promise<void>;
  /** Deletes entries expired at `now`; returns how many. */
  prune(now: number): Promise<number>;
}

export type AffinityEntry = { resource: string; fingerprint: string; expiresAt: number };

/** An embedded store that can list what it holds, so a shared store can be refilled from it. */
export interface ListableAffinityStore extends AffinityStore {
  /** Entries that expire after `now`. */
  entries(now: number): Promise<AffinityEntry[]>;
}
