import type { AffinityEntry, ListableAffinityStore } from '../../src/store/affinity-store.ts';

/** Affinity for the life of the process. */
export class MemoryAffinityStore implements ListableAffinityStore {
  #owners = new Map<string, { fingerprint: string; expiresAt: number }>();

  async remember(resource: string, fingerprint: string, expiresAt: number): Promise<void> {
    this.#owners.set(resource, { fingerprint, expiresAt });
  }

  async lookup(resource: string, now: number): Promise<string | undefined> {
    const owner = this.#owners.get(resource);
    if (owner === undefined) return undefined;
    if (owner.expiresAt > now) return owner.fingerprint;
    this.#owners.delete(resource);
    return undefined;
  }

  async forget(resource: string): Promise<void> {
    this.#owners.delete(resource);
  }

  async prune(now: number): Promise<number> {
    let pruned = 0;
    for (const [resource, owner] of this.#owners) {
      if (owner.expiresAt <= now && this.#owners.delete(resource)) pruned++;
    }
    return pruned;
  }

  async entries(now: number): Promise<AffinityEntry[]> {
    return [...this.#owners]
      .filter(([, owner]) => owner.expiresAt > now)
      .map(([resource, owner]) => ({ resource, ...owner }));
  }
}
