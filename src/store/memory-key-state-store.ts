import {
  healthyState,
  type KeyCounterName,
  type KeyHealth,
  type KeyStateStore,
  type LearntLimit,
  type StoredKeyState,
} from './key-state-store.ts';

/** Keeps key state for the life of the process; the default when no database is configured, and for tests. */
export class MemoryKeyStateStore implements KeyStateStore {
  #states = new Map<string, StoredKeyState>();

  load(now: number): Map<string, StoredKeyState> {
    const copy = new Map<string, StoredKeyState>();
    for (const [fingerprint, state] of this.#states) {
      const cooldowns = new Map([...state.cooldowns].filter(([, until]) => until > now));
      const disabled = state.disabled === undefined ? undefined : { ...state.disabled };
      const limits = new Map(state.limits);
      copy.set(fingerprint, { ...state, disabled, cooldowns, limits, counters: { ...state.counters } });
    }
    return copy;
  }

  saveHealth(fingerprint: string, health: KeyHealth): void {
    const state = this.#state(fingerprint);
    state.disabled = health.disabled === undefined ? undefined : { ...health.disabled };
    state.failureStreak = health.failureStreak;
    state.backoffUntil = health.backoffUntil;
  }

  saveCooldown(fingerprint: string, model: string, until: number): void {
    this.#state(fingerprint).cooldowns.set(model, until);
  }

  saveLimit(fingerprint: string, model: string, limit: LearntLimit): void {
    this.#state(fingerprint).limits.set(model, { ...limit });
  }

  forgetModel(model: string): void {
    for (const state of this.#states.values()) {
      state.cooldowns.delete(model);
      state.limits.delete(model);
    }
  }

  increment(fingerprint: string, counter: KeyCounterName): void {
    this.#state(fingerprint).counters[counter]++;
  }

  forget(fingerprint: string): void {
    this.#states.delete(fingerprint);
  }

  flush(): void {}

  close(): void {}

  #state(fingerprint: string): StoredKeyState {
    let state = this.#states.get(fingerprint);
    if (state === undefined) {
      state = healthyState(fingerprint);
      this.#states.set(fingerprint, state);
    }
    return state;
  }
}
