import { isRecord, parseJsonOrUndefined } from '../json/lenient-json.ts';
import {
  addCounters,
  counterNames,
  type KeyStateChange,
  readKeyStateChange,
  type SharedKeyStateStore,
} from './key-state-change.ts';
import {
  emptyCounters,
  healthyState,
  type KeyCounterName,
  type KeyCounters,
  type KeyHealth,
  type KeyStateStore,
  type LearntLimit,
  type StoredKeyState,
} from './key-state-store.ts';
import type { RedisLink } from './redis-link.ts';
import { cooldownScript, countersScript, healthScript, limitScript } from './redis-scripts.ts';
import { readRedisSnapshot, type SharedKeyState } from './redis-snapshot.ts';

/**
 * Key state shared through Redis by every instance. The pool keeps its in-memory view (no Redis
 * round trip per request); each change is written behind to the local store (SQLite: survives a
 * restart while Redis is away) and to Redis by an atomic script that also publishes it, and every
 * other instance applies it. Counters are summed in Redis once a second. When Redis is away the
 * writes fail fast and the instance serves on what it knows; when it is back, the instance
 * republishes what it knows (newest health wins, longest cooldown wins) and reloads the rest.
 */
export class RedisKeyStateStore implements SharedKeyStateStore {
  readonly #link: RedisLink;
  readonly #local: KeyStateStore;
  readonly #now: () => number;
  readonly #listeners: Array<(change: KeyStateChange) => void> = [];
  /** Changes that arrived before the pool listened; replayed to the first listener. */
  #early: KeyStateChange[] = [];
  /** When the health we know of each key was decided (0: loaded from the local store). */
  readonly #healthAt = new Map<string, number>();
  #pendingCounters = new Map<string, KeyCounters>();
  #timer: NodeJS.Timeout | undefined;
  #delivering = false;
  #snapshot: Map<string, SharedKeyState> | undefined;

  private constructor(link: RedisLink, local: KeyStateStore, now: () => number) {
    this.#link = link;
    this.#local = local;
    this.#now = now;
  }

  /**
   * Subscribes; when Redis answers, gives it what the local store knows (Redis may have lost it while
   * this instance was stopped) and reads the shared state for the pool's first `load`.
   */
  static async open(link: RedisLink, local: KeyStateStore, now = Date.now): Promise<RedisKeyStateStore> {
    const store = new RedisKeyStateStore(link, local, now);
    link.subscribe(store.#channel, (message) => store.#receive(message));
    link.onResync(() => store.#resync());
    if (link.up) {
      await store.#republish();
      store.#snapshot = await store.#readShared().catch(() => undefined);
    }
    return store;
  }

  onChange(listener: (change: KeyStateChange) => void): void {
    this.#listeners.push(listener);
    const early = this.#early;
    this.#early = [];
    for (const change of early) this.#deliver(change);
  }

  load(now: number): Map<string, StoredKeyState> {
    const states = this.#local.load(now);
    for (const [fingerprint, shared] of this.#snapshot ?? []) {
      const state = states.get(fingerprint) ?? healthyState(fingerprint);
      const { healthAt, ...sharedState } = shared;
      if (healthAt >= 0) this.#healthAt.set(fingerprint, healthAt);
      for (const [model, until] of state.cooldowns)
        if (until > (sharedState.cooldowns.get(model) ?? 0)) sharedState.cooldowns.set(model, until);
      for (const [model, limit] of state.limits)
        if (!sharedState.limits.has(model)) sharedState.limits.set(model, limit);
      states.set(fingerprint, healthAt >= 0 ? sharedState : { ...sharedState, ...pickHealth(state) });
    }
    this.#snapshot = undefined;
    return states;
  }

  saveHealth(fingerprint: string, health: KeyHealth): void {
    this.#local.saveHealth(fingerprint, health);
    if (this.#delivering) return;
    const at = this.#now();
    this.#healthAt.set(fingerprint, at);
    void this.#publishHealth(fingerprint, health, at);
  }

  saveCooldown(fingerprint: string, model: string, until: number): void {
    this.#local.saveCooldown(fingerprint, model, until);
    if (!this.#delivering) void this.#publishCooldown(fingerprint, model, until);
  }

  saveLimit(fingerprint: string, model: string, limit: LearntLimit): void {
    this.#local.saveLimit(fingerprint, model, limit);
    if (!this.#delivering) void this.#publishLimit(fingerprint, model, limit);
  }

  /** A model this instance stopped tracking: dropped here; other instances decide for themselves. */
  forgetModel(model: string): void {
    this.#local.forgetModel(model);
  }

  increment(fingerprint: string, counter: KeyCounterName): void {
    this.#local.increment(fingerprint, counter);
    let counters = this.#pendingCounters.get(fingerprint);
    if (counters === undefined) {
      counters = emptyCounters();
      this.#pendingCounters.set(fingerprint, counters);
    }
    counters[counter]++;
    if (this.#timer === undefined) {
      this.#timer = setTimeout(() => void this.#flushCounters(), 1000);
      this.#timer.unref();
    }
  }

  forget(fingerprint: string): void {
    this.#local.forget(fingerprint);
    this.#pendingCounters.delete(fingerprint);
    const keys = ['health', 'cooldowns', 'limits', 'counters'].map((kind) => this.#key(kind, fingerprint));
    this.#link.commands
      .multi()
      .del(...keys)
      .srem(this.#key('keys'), fingerprint)
      .exec()
      .catch((error: unknown) => this.#link.noteFailure(error));
  }

  flush(): void {
    this.#local.flush();
    void this.#flushCounters();
  }

  close(): void {
    this.flush();
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#local.close();
  }

  get #channel(): string {
    return `${this.#link.prefix}key-state`;
  }

  #key(kind: string, fingerprint?: string): string {
    return fingerprint === undefined
      ? `${this.#link.prefix}${kind}`
      : `${this.#link.prefix}${kind}:${fingerprint}`;
  }

  #message(change: KeyStateChange): string {
    return JSON.stringify({ origin: this.#link.instanceId, change });
  }

  async #publishHealth(fingerprint: string, health: KeyHealth, at: number): Promise<void> {
    const change: KeyStateChange = { kind: 'health', fingerprint, health, at };
    const keys = [this.#key('health', fingerprint), this.#key('keys')];
    const values = [fingerprint, JSON.stringify(health), String(at)];
    await this.#link.commands
      .eval(healthScript, 2, ...keys, ...values, this.#channel, this.#message(change))
      .catch((error: unknown) => this.#link.noteFailure(error));
  }

  async #publishCooldown(fingerprint: string, model: string, until: number): Promise<void> {
    const change: KeyStateChange = { kind: 'cooldown', fingerprint, model, until };
    const keys = [this.#key('cooldowns', fingerprint), this.#key('keys')];
    const values = [fingerprint, model, String(Math.ceil(until)), String(this.#now())];
    await this.#link.commands
      .eval(cooldownScript, 2, ...keys, ...values, this.#channel, this.#message(change))
      .catch((error: unknown) => this.#link.noteFailure(error));
  }

  async #publishLimit(fingerprint: string, model: string, limit: LearntLimit): Promise<void> {
    const change: KeyStateChange = { kind: 'limit', fingerprint, model, limit };
    const keys = [this.#key('limits', fingerprint), this.#key('keys')];
    await this.#link.commands
      .eval(
        limitScript,
        2,
        ...keys,
        fingerprint,
        model,
        JSON.stringify(limit),
        this.#channel,
        this.#message(change),
      )
      .catch((error: unknown) => this.#link.noteFailure(error));
  }

  /** Sums the counters into Redis; kept for the next try while Redis is away. */
  async #flushCounters(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const pending = this.#pendingCounters;
    this.#pendingCounters = new Map();
    // Sent all at once, so a QUIT at shutdown comes after every one of them.
    const sums = [...pending].map(([fingerprint, counters]) => this.#sumCounters(fingerprint, counters));
    await Promise.all(sums);
  }

  async #sumCounters(fingerprint: string, counters: KeyCounters): Promise<void> {
    const change: KeyStateChange = { kind: 'counters', fingerprint, counters };
    const pairs = counterNames.flatMap((name) => (counters[name] > 0 ? [name, String(counters[name])] : []));
    const keys = [this.#key('counters', fingerprint), this.#key('keys')];
    try {
      await this.#link.commands.eval(
        countersScript,
        2,
        ...keys,
        fingerprint,
        this.#channel,
        this.#message(change),
        ...pairs,
      );
    } catch (error) {
      this.#link.noteFailure(error);
      const kept = this.#pendingCounters.get(fingerprint);
      if (kept === undefined) this.#pendingCounters.set(fingerprint, counters);
      else addCounters(kept, counters);
    }
  }

  #receive(message: string): void {
    const envelope = parseJsonOrUndefined(message);
    if (!isRecord(envelope) || envelope.origin === this.#link.instanceId) return;
    const change = readKeyStateChange(envelope.change);
    if (change === undefined) return;
    if (this.#listeners.length === 0) this.#early.push(change);
    else this.#deliver(change);
  }

  #deliver(change: KeyStateChange): void {
    if (change.kind === 'health') {
      if ((this.#healthAt.get(change.fingerprint) ?? -1) > change.at) return;
      this.#healthAt.set(change.fingerprint, change.at);
    }
    this.#delivering = true;
    try {
      for (const listener of this.#listeners) listener(change);
    } finally {
      this.#delivering = false;
    }
  }

  /** Redis is back: give it what this instance knows (it may have restarted empty), then take what it knows. */
  async #resync(): Promise<void> {
    await this.#republish();
    const shared = await this.#readShared();
    for (const [fingerprint, state] of shared) {
      if (state.healthAt >= 0)
        this.#deliver({ kind: 'health', fingerprint, health: pickHealth(state), at: state.healthAt });
      for (const [model, until] of state.cooldowns)
        this.#deliver({ kind: 'cooldown', fingerprint, model, until });
      for (const [model, limit] of state.limits) this.#deliver({ kind: 'limit', fingerprint, model, limit });
    }
  }

  /** Writes what the local store knows through the merging scripts: a fresher decision in Redis stands. */
  async #republish(): Promise<void> {
    const now = this.#now();
    const known = this.#local.load(now);
    const writes: Array<Promise<void>> = [this.#flushCounters()];
    for (const [fingerprint, state] of known) {
      const at = this.#healthAt.get(fingerprint) ?? 0;
      if (at > 0 || state.disabled !== undefined || state.backoffUntil > now)
        writes.push(this.#publishHealth(fingerprint, pickHealth(state), at));
      for (const [model, until] of state.cooldowns)
        writes.push(this.#publishCooldown(fingerprint, model, until));
      for (const [model, limit] of state.limits) writes.push(this.#publishLimit(fingerprint, model, limit));
    }
    await Promise.all(writes);
  }

  #readShared(): Promise<Map<string, SharedKeyState>> {
    return readRedisSnapshot(this.#link, this.#now());
  }
}

function pickHealth(state: KeyHealth): KeyHealth {
  return { disabled: state.disabled, failureStreak: state.failureStreak, backoffUntil: state.backoffUntil };
}
