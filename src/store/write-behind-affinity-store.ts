import type { AffinityEntry, ListableAffinityStore } from './affinity-store.ts';

/** An owner to remember, or `undefined` for a forget. */
type PendingWrite = { fingerprint: string; expiresAt: number } | undefined;

const firstRetryMs = 1000;
const maxRetryMs = 30_000;

/**
 * Affinity writes off the request path, as key state is written: `remember` and `forget` take
 * effect at once for lookups (read from the pending writes first) and are written behind. A write
 * that fails (database locked, disk full) is reported, kept (the latest per resource) and retried
 * with back-off (1 s doubling to 30 s); while one is pending, later writes queue without touching the
 * database. A request never waits on, or fails with, an affinity write.
 */
export class WriteBehindAffinityStore implements ListableAffinityStore {
  readonly #inner: ListableAffinityStore;
  readonly #onError: (error: unknown, pending: number) => void;
  readonly #pending = new Map<string, PendingWrite>();
  #retryMs = firstRetryMs;
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  #closed = false;

  constructor(inner: ListableAffinityStore, onError: (error: unknown, pending: number) => void) {
    this.#inner = inner;
    this.#onError = onError;
  }

  /** Writes waiting for the database (for tests and the operator's log). */
  get pending(): number {
    return this.#pending.size;
  }

  async remember(resource: string, fingerprint: string, expiresAt: number): Promise<void> {
    this.#queue(resource, { fingerprint, expiresAt });
  }

  async forget(resource: string): Promise<void> {
    this.#queue(resource, undefined);
  }

  async lookup(resource: string, now: number): Promise<string | undefined> {
    if (this.#pending.has(resource)) {
      const write = this.#pending.get(resource);
      return write !== undefined && write.expiresAt > now ? write.fingerprint : undefined;
    }
    return this.#inner.lookup(resource, now);
  }

  /** What the database holds, overlaid with the writes still pending (a shared store is refilled from it). */
  async entries(now: number): Promise<AffinityEntry[]> {
    const byResource = new Map((await this.#inner.entries(now)).map((entry) => [entry.resource, entry]));
    for (const [resource, write] of this.#pending) {
      if (write === undefined || write.expiresAt <= now) byResource.delete(resource);
      else byResource.set(resource, { resource, ...write });
    }
    return [...byResource.values()];
  }

  prune(now: number): Promise<number> {
    return this.#inner.prune(now);
  }

  /** Writes what is pending now (on close); a failure is reported and the writes stay pending. */
  async flush(): Promise<void> {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#flushing;
    await this.#write();
  }

  /** A last flush, then no more retries (the database is about to close). */
  async close(): Promise<void> {
    await this.flush();
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #queue(resource: string, write: PendingWrite): void {
    // Re-inserted, so the map keeps writes in the order they were last made.
    this.#pending.delete(resource);
    this.#pending.set(resource, write);
    // A failed write is waiting for its retry: join it instead of meeting the lock again.
    if (this.#timer !== undefined || this.#flushing !== undefined) return;
    this.#flushing = this.#write().finally(() => {
      this.#flushing = undefined;
    });
  }

  async #write(): Promise<void> {
    for (const [resource, write] of [...this.#pending]) {
      try {
        if (write === undefined) await this.#inner.forget(resource);
        else await this.#inner.remember(resource, write.fingerprint, write.expiresAt);
      } catch (error) {
        this.#onError(error, this.#pending.size);
        this.#scheduleRetry();
        return;
      }
      // Written, unless a newer write for the same resource came in meanwhile.
      if (this.#pending.get(resource) === write) this.#pending.delete(resource);
    }
    this.#retryMs = firstRetryMs;
    // Writes queued while this pass ran.
    if (this.#pending.size > 0) await this.#write();
  }

  #scheduleRetry(): void {
    if (this.#closed) return;
    const delay = this.#retryMs;
    this.#retryMs = Math.min(maxRetryMs, this.#retryMs * 2);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#flushing = this.#write().finally(() => {
        this.#flushing = undefined;
      });
    }, delay);
    this.#timer.unref();
  }
}
