import type { KeyEntry } from './key-entry.ts';
import { MinHeap } from './min-heap.ts';
import { SlotRing } from './slot-ring.ts';

/** Per model: keys that can serve it now, and when cooling ones come back. */
type Lane = { ring: SlotRing; cooldowns: MinHeap<KeyEntry>; lastUsed: number };

export type PickResult = KeyEntry | 'exhausted' | undefined;

/**
 * Which keys can serve which model right now, answering a pick in O(1) amortised whatever the pool size.
 *
 * - `#healthy`: enabled keys not backing off.
 * - one lane per model: a round-robin ring of healthy keys not cooling for that model,
 *   and a min-heap of cooldown ends that re-admits keys lazily at the next pick.
 * - `#backoffs`: a min-heap of back-off ends.
 * A state change costs O(models) (bounded by `maxLanes`) or O(log n) for a heap push; a pick only
 * looks at heap tops. Heap events are never deleted: a stale one (key changed or removed) is
 * recognised when it surfaces and dropped.
 */
export class AvailabilityIndex {
  #entries: Array<KeyEntry | undefined> = [];
  #freeSlots: number[] = [];
  #healthy = new SlotRing();
  #backoffs = new MinHeap<KeyEntry>();
  #lanes = new Map<string, Lane>();
  #maxLanes: number;
  /** Lanes built so far: each new lane starts its round one key further, so new model names spread. */
  #lanesBuilt = 0;

  constructor(maxLanes: number) {
    this.#maxLanes = Math.max(1, maxLanes);
  }

  reserveSlot(): number {
    return this.#freeSlots.pop() ?? this.#entries.length;
  }

  insert(entry: KeyEntry, now: number): void {
    this.#entries[entry.slot] = entry;
    this.place(entry, now);
  }

  delete(entry: KeyEntry): void {
    this.#withdraw(entry);
    this.#entries[entry.slot] = undefined;
    this.#freeSlots.push(entry.slot);
  }

  /** Puts a key where its state says: serving, backing off (re-admitted later) or out (disabled). */
  place(entry: KeyEntry, now: number): void {
    if (entry.disabled !== undefined) {
      this.#withdraw(entry);
    } else if (entry.backoffUntil > now) {
      this.#withdraw(entry);
      this.#backoffs.push(entry.backoffUntil, entry);
    } else {
      this.#admit(entry, now);
    }
  }

  /** Call after setting `entry.cooldowns` for `model`. */
  cool(entry: KeyEntry, model: string, until: number): void {
    const lane = this.#lanes.get(model);
    if (lane === undefined) return; // The lane reads entry.cooldowns when it is built.
    lane.ring.remove(entry.slot);
    lane.cooldowns.push(until, entry);
  }

  /** The next key in turn that can serve `model` and is not excluded. */
  pick(model: string, now: number, exclude: ReadonlySet<string> | undefined): PickResult {
    this.#releaseBackoffs(now);
    const lane = this.#lane(model, now);
    this.#releaseCooldowns(lane, model, now);
    lane.lastUsed = now;
    if (lane.ring.size === 0) return undefined;
    // Excluded keys are the few already tried for this request, so this loop is short.
    const tries = Math.min(lane.ring.size, (exclude?.size ?? 0) + 1);
    for (let attempt = 0; attempt < tries; attempt++) {
      const entry = this.#entries[lane.ring.next()];
      if (entry !== undefined && !exclude?.has(entry.id)) return entry;
    }
    return 'exhausted';
  }

  /** Epoch ms at which some enabled key may serve `model` again (a lower bound), if any. */
  earliest(model: string): number | undefined {
    const lane = this.#lanes.get(model);
    const cooling =
      lane === undefined
        ? Number.POSITIVE_INFINITY
        : this.#validTop(lane.cooldowns, (entry, at) => entry.cooldowns.get(model) === at);
    const backingOff = this.#validTop(this.#backoffs, (entry, at) => entry.backoffUntil === at);
    const earliest = Math.min(cooling, backingOff);
    return Number.isFinite(earliest) ? earliest : undefined;
  }

  /** Epoch ms at which the first key backing off (every model) comes back, if any does. */
  backingOffUntil(): number | undefined {
    const until = this.#validTop(this.#backoffs, (entry, at) => entry.backoffUntil === at);
    return Number.isFinite(until) ? until : undefined;
  }

  /** Forgets a model's lane (the pool stopped tracking its name); rebuilt if it is picked again. */
  dropLane(model: string): void {
    this.#lanes.delete(model);
  }

  #current(entry: KeyEntry): boolean {
    return this.#entries[entry.slot] === entry && entry.disabled === undefined;
  }

  #validTop(heap: MinHeap<KeyEntry>, valid: (entry: KeyEntry, at: number) => boolean): number {
    for (let entry = heap.peekValue(); entry !== undefined; entry = heap.peekValue()) {
      if (this.#current(entry) && valid(entry, heap.peekTime())) return heap.peekTime();
      heap.pop();
    }
    return Number.POSITIVE_INFINITY;
  }

  #admit(entry: KeyEntry, now: number): void {
    if (this.#healthy.has(entry.slot)) return;
    this.#healthy.add(entry.slot);
    for (const [model, lane] of this.#lanes) this.#admitToLane(lane, model, entry, now);
  }

  #admitToLane(lane: Lane, model: string, entry: KeyEntry, now: number): void {
    const until = entry.cooldowns.get(model);
    if (until !== undefined && until > now) {
      lane.cooldowns.push(until, entry);
      return;
    }
    if (until !== undefined) entry.cooldowns.delete(model);
    lane.ring.add(entry.slot);
  }

  #withdraw(entry: KeyEntry): void {
    this.#healthy.remove(entry.slot);
    for (const lane of this.#lanes.values()) lane.ring.remove(entry.slot);
  }

  #releaseBackoffs(now: number): void {
    while (this.#backoffs.peekTime() <= now) {
      const entry = this.#backoffs.pop();
      if (entry !== undefined && this.#current(entry) && entry.backoffUntil <= now) this.#admit(entry, now);
    }
  }

  #releaseCooldowns(lane: Lane, model: string, now: number): void {
    while (lane.cooldowns.peekTime() <= now) {
      const entry = lane.cooldowns.pop();
      if (entry === undefined || this.#entries[entry.slot] !== entry) continue;
      const until = entry.cooldowns.get(model);
      if (until !== undefined && until > now) continue; // Cooled again since: a later event exists.
      entry.cooldowns.delete(model);
      if (this.#healthy.has(entry.slot)) lane.ring.add(entry.slot);
    }
  }

  /** The lane of a model, built on its first pick (O(n) once per model). */
  #lane(model: string, now: number): Lane {
    const existing = this.#lanes.get(model);
    if (existing !== undefined) return existing;
    if (this.#lanes.size >= this.#maxLanes) this.#evictLeastRecentLane();
    const lane: Lane = { ring: new SlotRing(this.#entries.length), cooldowns: new MinHeap(), lastUsed: now };
    for (const entry of this.#entries) {
      if (entry === undefined || entry.disabled !== undefined) continue;
      const until = entry.cooldowns.get(model);
      if (until !== undefined && until > now) lane.cooldowns.push(until, entry);
      else if (this.#healthy.has(entry.slot)) this.#admitToLane(lane, model, entry, now);
    }
    lane.ring.startAt(this.#lanesBuilt++);
    this.#lanes.set(model, lane);
    return lane;
  }

  // Bounds memory and per-change cost when clients send many model names; an evicted lane is rebuilt on demand.
  #evictLeastRecentLane(): void {
    let oldest: string | undefined;
    let oldestUse = Number.POSITIVE_INFINITY;
    for (const [model, lane] of this.#lanes) {
      if (lane.lastUsed < oldestUse) {
        oldest = model;
        oldestUse = lane.lastUsed;
      }
    }
    if (oldest !== undefined) this.#lanes.delete(oldest);
  }
}
