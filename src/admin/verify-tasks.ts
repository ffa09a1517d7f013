import { randomUUID } from 'node:crypto';

export type VerifyTask = {
  id: string;
  total: number;
  done: number;
  /** Outcome kind → how many keys ended so. */
  outcomes: Record<string, number>;
  /** Fingerprint → outcome kind, as each key finishes. */
  results: Record<string, string>;
  finished: boolean;
  startedAt: number;
};

const keptTasks = 20;

/**
 * Verifications run in the background, a few keys at a time; the dashboard polls their progress.
 * Only the last few tasks are kept.
 */
export class VerifyTasks {
  readonly #tasks = new Map<string, VerifyTask>();
  readonly #concurrency: number;
  readonly #running = new Map<string, Promise<void>>();

  constructor(concurrency: number) {
    this.#concurrency = Math.max(1, concurrency);
  }

  start(ids: readonly string[], verify: (id: string) => Promise<string>): VerifyTask {
    const task: VerifyTask = {
      id: randomUUID(),
      total: ids.length,
      done: 0,
      outcomes: {},
      results: {},
      finished: ids.length === 0,
      startedAt: Date.now(),
    };
    this.#tasks.set(task.id, task);
    if (this.#tasks.size > keptTasks) this.#tasks.delete(this.#tasks.keys().next().value ?? '');
    const queue = [...ids];
    const worker = async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
        const outcome = await verify(id).catch(() => 'error');
        task.results[id] = outcome;
        task.outcomes[outcome] = (task.outcomes[outcome] ?? 0) + 1;
        task.done++;
      }
    };
    const run = Promise.all(Array.from({ length: Math.min(this.#concurrency, ids.length) }, worker)).then(
      () => {
        task.finished = true;
      },
    );
    this.#running.set(task.id, run);
    void run.finally(() => this.#running.delete(task.id));
    return task;
  }

  get(id: string): VerifyTask | undefined {
    return this.#tasks.get(id);
  }

  async finished(id: string): Promise<void> {
    await this.#running.get(id);
  }

  /** Waits for running tasks (at shutdown, and in tests). */
  async settle(): Promise<void> {
    await Promise.all(this.#running.values());
  }
}
