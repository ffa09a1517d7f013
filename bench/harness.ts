import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { fixtureBytes, splitSseEvents } from '../test/mock-upstream/fixtures.ts';
import { MockGemini } from '../test/mock-upstream/mock-gemini.ts';
import { startCommand } from './targets.ts';

export type LoadResult = { requests: number; errors: number; seconds: number; p50: number; p99: number };

/**
 * Closed-loop load: `connections` workers each send the next request when the previous answer has
 * fully arrived, for `seconds`. Latency is send → last body byte.
 */
export async function runLoad(options: {
  origin: string;
  path: string;
  body: string;
  headers: Record<string, string>;
  connections: number;
  seconds: number;
}): Promise<LoadResult> {
  const pool = new Pool(options.origin, { connections: options.connections, pipelining: 1 });
  const latencies: number[] = [];
  let errors = 0;
  const end = performance.now() + options.seconds * 1000;
  const worker = async () => {
    while (performance.now() < end) {
      const start = performance.now();
      try {
        const response = await pool.request({
          method: 'POST',
          path: options.path,
          body: options.body,
          headers: { 'content-type': 'application/json', ...options.headers },
        });
        await response.body.arrayBuffer();
        if (response.statusCode !== 200) errors++;
      } catch {
        errors++;
      }
      latencies.push(performance.now() - start);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: options.connections }, worker));
  const seconds = (performance.now() - started) / 1000;
  await pool.close();
  latencies.sort((left, right) => left - right);
  const at = (share: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * share))] ?? 0;
  return { requests: latencies.length, errors, seconds, p50: at(0.5), p99: at(0.99) };
}

export type ServiceProcess = {
  origin: string;
  child: ChildProcess;
  peakRssMiB: () => number;
  stop: () => Promise<void>;
};

/**
 * `npm start` as a separate process (its node flags and compile cache), so its memory and CPU are
 * its own. `nodeArguments` go before the entry point (a probe to preload); `onMessage` hears what
 * that probe sends over IPC from the first message on.
 */
export async function startServiceProcess(
  env: Record<string, string>,
  options: { nodeArguments?: string[]; onMessage?: (message: unknown) => void } = {},
): Promise<ServiceProcess> {
  const port = String(await freePort());
  const start = startCommand();
  const nodeArguments = [...start.flags, ...(options.nodeArguments ?? []), 'src/main.ts'];
  const child = spawn(process.execPath, nodeArguments, {
    env: {
      ...start.env,
      PATH: process.env.PATH ?? '',
      PORT: port,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      LOG_FILE: join(mkdtempSync(join(tmpdir(), 'gb-bench-')), 'app.log'),
      DATA_DIR: mkdtempSync(join(tmpdir(), 'gb-bench-data-')),
      ...env,
    },
    stdio:
      options.onMessage === undefined
        ? ['ignore', 'ignore', 'inherit']
        : ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  if (options.onMessage !== undefined) child.on('message', options.onMessage);
  const origin = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null)
      throw new Error(`the service exited with ${child.exitCode} before it served`);
    try {
      if ((await fetch(`${origin}/health`)).ok) break;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    origin,
    child,
    // VmHWM: the peak resident set size the kernel recorded for the process.
    peakRssMiB: () => {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A loopback port nobody listens on right now (the kernel's choice, so it does not collide). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export function machineLine(): string {
  const cpu = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown CPU';
  const cores = readFileSync('/proc/cpuinfo', 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('processor')).length;
  const memory =
    Number(/MemTotal:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0) / 1024 / 1024;
  return `${cpu}, ${cores} cores, ${memory.toFixed(0)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
}

export const benchToken = 'bench-client-token';

/**
 * The recorded-fixture mock plus a model `bench-sse-10` that streams 10 recorded events (one write
 * each), and the service in its own process in front of it. The mock's request log is trimmed, so a
 * long run does not grow it without bound.
 */
export async function startBenchPair(): Promise<{
  mock: MockGemini;
  service: ServiceProcess;
  stop: () => Promise<void>;
}> {
  const events = splitSseEvents(fixtureBytes('stream-alt-sse.txt'));
  const tenEvents = Array.from({ length: 10 }, (_, index) => events[Math.min(index, events.length - 1)]!);
  const mock = await MockGemini.start();
  mock.override = (request, response) => {
    if (!request.url.includes('bench-sse-10')) return false;
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const event of tenEvents) response.write(event);
    response.end();
    return true;
  };
  const service = await startServiceProcess({
    GEMINI_API_KEYS: 'gbBENCHkey-0000000000000000000000001,gbBENCHkey-0000000000000000000000002',
    GEMINI_BASE_URL: mock.url,
    ALLOWED_TOKENS: benchToken,
  });
  const trim = setInterval(() => {
    mock.received.length = 0;
  }, 500);
  return {
    mock,
    service,
    stop: async () => {
      clearInterval(trim);
      await service.stop();
      await mock.close();
    },
  };
}
