/**
 * Load generators for `npm run bench`, pinned to core 0 beside the mock: wrk for request/response
 * cells, bench/stream-load.ts for streams (wrk cannot time a first byte).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pinnedArgs } from './processes.ts';

const run = promisify(execFile);
const scripts = mkdtempSync(join(tmpdir(), 'gb-bench-wrk-'));
const loadCore = 0;

export type WrkResult = {
  requests: number;
  perSecond: number;
  p50: number;
  p99: number;
  errors: number;
  /** wrk's own lines about errors (non-2xx, socket errors), for the console. */
  errorLines: string;
};

export type LoadRequest = { origin: string; path: string; body: string; headers: Record<string, string> };

/** Milliseconds from wrk's `1.23ms` / `456.00us` / `1.01s`. */
function milliseconds(text: string): number {
  const match = /([\d.]+)(us|ms|s)/.exec(text);
  if (match === null) return Number.NaN;
  const value = Number(match[1]);
  return match[2] === 'us' ? value / 1000 : match[2] === 's' ? value * 1000 : value;
}

export async function wrk(request: LoadRequest, connections: number, seconds: number): Promise<WrkResult> {
  const script = join(scripts, `${Math.random().toString(36).slice(2)}.lua`);
  const headerLines = Object.entries({ 'content-type': 'application/json', ...request.headers })
    .map(([name, value]) => `wrk.headers[${JSON.stringify(name)}] = ${JSON.stringify(value)}`)
    .join('\n');
  writeFileSync(script, `wrk.method = "POST"\nwrk.body = ${JSON.stringify(request.body)}\n${headerLines}\n`);
  const [command, args] = pinnedArgs(loadCore, 'wrk', [
    '-t1',
    `-c${connections}`,
    `-d${seconds}s`,
    '--latency',
    '-s',
    script,
    `${request.origin}${request.path}`,
  ]);
  const { stdout } = await run(command, args, { timeout: (seconds + 30) * 1000 });
  const requests = Number(/(\d+) requests in/.exec(stdout)?.[1] ?? 0);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  const errors =
    Number(/Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? 0) +
    (socketErrors === null ? 0 : socketErrors.slice(1).reduce((sum, value) => sum + Number(value), 0));
  return {
    requests,
    perSecond: Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? 0),
    p50: milliseconds(/\s50%\s+(\S+)/.exec(stdout)?.[1] ?? ''),
    p99: milliseconds(/\s99%\s+(\S+)/.exec(stdout)?.[1] ?? ''),
    errors,
    errorLines: stdout
      .split('\n')
      .filter((line) => /Non-2xx|Socket errors/.test(line))
      .join('; '),
  };
}

export type StreamResult = {
  completed: number;
  streamsPerSecond: number;
  firstByteP50: number;
  firstByteP99: number;
  wholeP50: number;
  wholeP99: number;
  errors: number;
};

export async function streamLoad(
  request: Omit<LoadRequest, 'body'>,
  streams: number,
  seconds: number,
): Promise<StreamResult> {
  const token = request.headers['x-goog-api-key'];
  const [command, args] = pinnedArgs(loadCore, process.execPath, [
    'bench/stream-load.ts',
    request.origin,
    request.path,
    String(streams),
    String(seconds),
    ...(token === undefined ? [] : [token]),
  ]);
  const { stdout } = await run(command, args, { timeout: (seconds + 60) * 1000 });
  return JSON.parse(stdout) as StreamResult;
}
