import {
  emptyCounters,
  type KeyCounterName,
  type KeyCounters,
  type KeyHealth,
  type LearntLimit,
} from './key-state-store.ts';

type CooldownWrite = { fingerprint: string; model: string; until: number };
type LimitWrite = { fingerprint: string; model: string; limit: LearntLimit };

/**
 * Key-state writes not yet in the database, as the SQLite store keeps them while a write fails
 * (locked, full or failing disk): the latest value per key (health) and per key and model
 * (cooldown, learnt limit) wins, and a forget drops what was queued before it. Written in one
 * transaction: forgets first, then the values queued after them.
 */
export class KeyStateWriteQueue {
  readonly health = new Map<string, KeyHealth>();
  readonly cooldowns = new Map<string, CooldownWrite>();
  readonly limits = new Map<string, LimitWrite>();
  readonly forgottenKeys = new Set<string>();
  readonly forgottenModels = new Set<string>();

  get size(): number {
    return (
      this.health.size +
      this.cooldowns.size +
      this.limits.size +
      this.forgottenKeys.size +
      this.forgottenModels.size
    );
  }

  setCooldown(write: CooldownWrite): void {
    this.cooldowns.set(JSON.stringify([write.fingerprint, write.model]), write);
  }

  setLimit(write: LimitWrite): void {
    this.limits.set(JSON.stringify([write.fingerprint, write.model]), write);
  }

  forgetKey(fingerprint: string): void {
    this.health.delete(fingerprint);
    for (const [id, write] of this.cooldowns)
      if (write.fingerprint === fingerprint) this.cooldowns.delete(id);
    for (const [id, write] of this.limits) if (write.fingerprint === fingerprint) this.limits.delete(id);
    this.forgottenKeys.add(fingerprint);
  }

  forgetModel(model: string): void {
    for (const [id, write] of this.cooldowns) if (write.model === model) this.cooldowns.delete(id);
    for (const [id, write] of this.limits) if (write.model === model) this.limits.delete(id);
    this.forgottenModels.add(model);
  }

  /** This queue (older, from a failed flush) overlaid by `newer` (queued since). */
  mergedWith(newer: KeyStateWriteQueue): KeyStateWriteQueue {
    const merged = new KeyStateWriteQueue();
    for (const queue of [this, newer]) {
      for (const fingerprint of queue.forgottenKeys) merged.forgetKey(fingerprint);
      for (const model of queue.forgottenModels) merged.forgetModel(model);
      for (const [fingerprint, health] of queue.health) merged.health.set(fingerprint, health);
      for (const write of queue.cooldowns.values()) merged.setCooldown(write);
      for (const write of queue.limits.values()) merged.setLimit(write);
    }
    return merged;
  }
}

/** Adds counters a failed flush took back into those summed since. */
export function addCounters(into: Map<string, KeyCounters>, from: Map<string, KeyCounters>): void {
  for (const [fingerprint, failed] of from) {
    const current = into.get(fingerprint) ?? emptyCounters();
    for (const name of Object.keys(failed) as KeyCounterName[]) current[name] += failed[name];
    into.set(fingerprint, current);
  }
}
