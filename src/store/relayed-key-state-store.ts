import { isRecord } from '../json/lenient-json.ts';
import { type KeyStateChange, readKeyStateChange, type SharedKeyStateStore } from './key-state-change.ts';
import type {
  KeyCounterName,
  KeyHealth,
  KeyStateStore,
  LearntLimit,
  StoredKeyState,
} from './key-state-store.ts';

/** Marks our messages on the cluster IPC channel. */
export const relayTag = 'gemini-balance:key-state';

/** The IPC channel of a cluster worker (`process` in a worker). */
export type RelayPort = {
  send?: ((message: unknown) => boolean) | undefined;
  on(event: 'message', listener: (message: unknown) => void): unknown;
};

/**
 * Key state for a worker of `WORKERS=N` without Redis: every worker writes the shared SQLite file
 * (so a restarted worker loads what all of them learnt), and each health, cooldown or learnt-limit
 * change goes to the primary, which relays it to the other workers; they apply it at once.
 * Counters are summed in the file only.
 */
export class RelayedKeyStateStore implements SharedKeyStateStore {
  readonly #local: KeyStateStore;
  readonly #port: RelayPort;
  readonly #listeners: Array<(change: KeyStateChange) => void> = [];
  #delivering = false;

  constructor(local: KeyStateStore, port: RelayPort) {
    this.#local = local;
    this.#port = port;
    port.on('message', (message) => {
      if (!isRecord(message) || message.tag !== relayTag) return;
      const change = readKeyStateChange(message.change);
      if (change !== undefined) this.#deliver(change);
    });
  }

  onChange(listener: (change: KeyStateChange) => void): void {
    this.#listeners.push(listener);
  }

  load(now: number): Map<string, StoredKeyState> {
    return this.#local.load(now);
  }

  saveHealth(fingerprint: string, health: KeyHealth): void {
    this.#local.saveHealth(fingerprint, health);
    this.#relay({ kind: 'health', fingerprint, health, at: Date.now() });
  }

  saveCooldown(fingerprint: string, model: string, until: number): void {
    this.#local.saveCooldown(fingerprint, model, until);
    this.#relay({ kind: 'cooldown', fingerprint, model, until });
  }

  saveLimit(fingerprint: string, model: string, limit: LearntLimit): void {
    this.#local.saveLimit(fingerprint, model, limit);
    this.#relay({ kind: 'limit', fingerprint, model, limit });
  }

  forgetModel(model: string): void {
    this.#local.forgetModel(model);
  }

  increment(fingerprint: string, counter: KeyCounterName): void {
    this.#local.increment(fingerprint, counter);
  }

  forget(fingerprint: string): void {
    this.#local.forget(fingerprint);
  }

  flush(): void {
    this.#local.flush();
  }

  close(): void {
    this.#local.close();
  }

  #relay(change: KeyStateChange): void {
    if (!this.#delivering) this.#port.send?.({ tag: relayTag, change });
  }

  #deliver(change: KeyStateChange): void {
    this.#delivering = true;
    try {
      for (const listener of this.#listeners) listener(change);
    } finally {
      this.#delivering = false;
    }
  }
}
