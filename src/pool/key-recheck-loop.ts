import type { Lease } from './lease.ts';
import type { Outcome } from './outcome.ts';

export type RecheckOptions = {
  intervalMs: number;
  /** Checks in flight at once. */
  concurrency: number;
  /** Keys checked per round (default concurrency × 4); the queue rotates, so all get their turn. */
  batchSize?: number;
  /** Asks Gemini whether the key works (e.g. a models.list call); aborted on `stop()`. */
  check: (lease: Lease, signal: AbortSignal) => Promise<Outcome>;
  /** A check that threw; the key simply stays disabled. */
  onError?: (error: unknown, lease: Lease) => void;
  /** A round that failed outside a check; it is never fatal and the loop goes on. */
  onRoundError?: (error: unknown) => void;
};

export type RecheckLoop = {
  /** One round now; resolves to the number of keys put back in service. */
  runOnce(): Promise<number>;
  /** Checks one key now (aborted on `stop()`), whatever its state. */
  check(lease: Lease): Promise<Outcome>;
  /** Stops the timer, aborts checks in flight and waits for the round to end. */
  stop(): Promise<void>;
};

/** The part of the pool the loop needs. */
export type RecheckablePool = {
  nextRecheckBatch(limit: number): Lease[];
  reinstate(id: string): boolean;
};

/** The first `limit` ids of a queue (a Set keeps insertion order), moved to its back. */
export function rotateQueue(queue: Set<string>, limit: number): string[] {
  const ids = [...queue].slice(0, Math.max(0, limit));
  for (const id of ids) {
    queue.delete(id);
    queue.add(id);
  }
  return ids;
}

// A 429 proves the key authenticates: it is alive, merely out of quota.
const provesAlive = (outcome: Outcome): boolean => outcome.kind === 'ok' || outcome.kind === 'quota';

async function checkAll(batch: Lease[], options: RecheckOptions, signal: AbortSignal): Promise<Lease[]> {
  const alive: Lease[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let lease = batch[next++]; lease !== undefined && !signal.aborted; lease = batch[next++]) {
      try {
        if (provesAlive(await options.check(lease, signal))) alive.push(lease);
      } catch (error) {
        options.onError?.(error, lease);
      }
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency, batch.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return alive;
}

/**
 * Re-checks keys Gemini disabled, every `intervalMs`, with bounded concurrency, and re-enables
 * those that answer. Rounds never overlap; the timer is unref'd so it never keeps the process alive.
 */
export function startKeyRechecks(pool: RecheckablePool, options: RecheckOptions): RecheckLoop {
  const controller = new AbortController();
  const batchSize = options.batchSize ?? Math.max(1, options.concurrency) * 4;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;

  const runOnce = (): Promise<number> => {
    running ??= (async () => {
      const alive = await checkAll(pool.nextRecheckBatch(batchSize), options, controller.signal);
      if (controller.signal.aborted) return 0;
      return alive.filter((lease) => pool.reinstate(lease.id)).length;
    })()
      // A round that failed (a store write, a bug) is reported and the next round comes as usual.
      .catch((error: unknown) => {
        options.onRoundError?.(error);
        return 0;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  const schedule = (): void => {
    if (controller.signal.aborted) return;
    timer = setTimeout(() => void runOnce().finally(schedule), options.intervalMs);
    timer.unref();
  };

  schedule();
  return {
    runOnce,
    check: (lease) => options.check(lease, controller.signal),
    async stop() {
      controller.abort();
      clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
}
