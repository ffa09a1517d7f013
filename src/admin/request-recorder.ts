import type { RequestRecord } from '../store/request-record.ts';
import type { RetentionOptions, SqliteRequestRecordStore } from '../store/sqlite-request-record-store.ts';

export type RequestRecorderOptions = {
  store: SqliteRequestRecordStore;
  retention: RetentionOptions;
  /** Records wait at most this long before their batch is written. */
  flushIntervalMs?: number;
  /** A batch this large is written at once (on the next turn, not in the request). */
  maxBatch?: number;
  onError: (error: unknown) => void;
};

const hourMs = 3_600_000;

/**
 * Takes one record per answered request and writes them in batches off the request path: the
 * request only pushes onto an array. `close()` writes whatever is still waiting, so records
 * written equal requests answered, also at shutdown.
 */
export class RequestRecorder {
  readonly #store: SqliteRequestRecordStore;
  readonly #retention: RetentionOptions;
  readonly #flushIntervalMs: number;
  readonly #maxBatch: number;
  readonly #onError: (error: unknown) => void;
  #pending: RequestRecord[] = [];
  #timer: NodeJS.Timeout | undefined;
  #immediate: NodeJS.Immediate | undefined;
  readonly #prune: NodeJS.Timeout;
  #closed = false;

  constructor(options: RequestRecorderOptions) {
    this.#store = options.store;
    this.#retention = options.retention;
    this.#flushIntervalMs = options.flushIntervalMs ?? 250;
    this.#maxBatch = options.maxBatch ?? 1000;
    this.#onError = options.onError;
    this.prune();
    this.#prune = setInterval(() => this.prune(), hourMs);
    this.#prune.unref();
  }

  get pending(): number {
    return this.#pending.length;
  }

  add(record: RequestRecord): void {
    if (this.#closed) {
      // A request answered after close (a slow stream cut at shutdown) is still written.
      this.#write([record]);
      return;
    }
    this.#pending.push(record);
    if (this.#pending.length >= this.#maxBatch) {
      this.#immediate ??= setImmediate(() => this.flush());
    } else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => this.flush(), this.#flushIntervalMs);
      this.#timer.unref();
    }
  }

  /** Writes everything waiting, in one transaction. */
  flush(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    if (this.#immediate !== undefined) clearImmediate(this.#immediate);
    this.#timer = undefined;
    this.#immediate = undefined;
    const batch = this.#pending;
    this.#pending = [];
    this.#write(batch);
  }

  prune(now = Date.now()): void {
    try {
      this.#store.prune(now, this.#retention);
    } catch (error) {
      this.#onError(error);
    }
  }

  /** Flushes and stops the timers; later records are written one by one. */
  close(): void {
    this.flush();
    clearInterval(this.#prune);
    this.#closed = true;
  }

  #write(batch: RequestRecord[]): void {
    try {
      this.#store.append(batch);
    } catch (error) {
      this.#onError(error);
    }
  }
}
