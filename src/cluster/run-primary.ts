import cluster, { type Worker } from 'node:cluster';
import { relayTag } from '../store/relayed-key-state-store.ts';

export type PrimaryOptions = {
  workers: number;
  /** Where the primary says what it does (one JSON line each): it has no service logger of its own. */
  write?: (line: string) => void;
};

/**
 * `WORKERS=N`: forks N workers that all serve the one port (node:cluster hands out connections),
 * relays each key-state change a worker reports to every other worker, replaces a worker that
 * dies, and on SIGTERM/SIGINT asks every worker to shut down gracefully before it exits. Workers
 * that keep dying before they listen (a port taken, a folder not writable) end it with an error
 * instead of a restart loop. Never settles: the primary ends by `process.exit`.
 */
export function runPrimary(options: PrimaryOptions): Promise<never> {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const say = (level: 'info' | 'warn' | 'error', msg: string, fields: Record<string, unknown> = {}) =>
    write(JSON.stringify({ level, time: Date.now(), pid: process.pid, ...fields, msg }));
  let stopping = false;
  /** Workers in a row that died before they ever listened. */
  let failedStarts = 0;
  const listened = new Set<number>();
  const fork = () => cluster.fork();
  cluster.on('listening', (worker) => listened.add(worker.id));

  cluster.on('message', (from: Worker, message: unknown) => {
    if (typeof message !== 'object' || message === null || !('tag' in message) || message.tag !== relayTag)
      return;
    for (const worker of Object.values(cluster.workers ?? {}))
      if (worker !== undefined && worker !== from && worker.isConnected()) worker.send(message);
  });
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit();
      return;
    }
    failedStarts = listened.delete(worker.id) ? 0 : failedStarts + 1;
    if (failedStarts > options.workers) {
      say('error', 'workers keep dying at start; giving up (see their error above)', { code });
      stopping = true;
      for (const other of Object.values(cluster.workers ?? {})) other?.process.kill('SIGTERM');
      process.exitCode = 1;
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(1);
      return;
    }
    say('warn', 'worker died; starting another', { worker: worker.process.pid, code, signal });
    setTimeout(() => {
      if (!stopping) fork();
    }, 1000);
  });

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    say('info', 'shutting down workers', { signal });
    const workers = Object.values(cluster.workers ?? {}).filter((worker) => worker !== undefined);
    if (workers.length === 0) process.exit(0);
    for (const worker of workers) worker.process.kill('SIGTERM');
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  for (let index = 0; index < options.workers; index++) fork();
  say('info', `started ${options.workers} workers on one port`, { workers: options.workers });
  return new Promise<never>(() => {});
}
