/**
 * Processes for `npm run bench`: start one pinned to a core, read its CPU time and memory from
 * /proc, wait for it to answer, stop it by its own pid.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

const taskset = ['/usr/bin/taskset', '/bin/taskset'].find((path) => existsSync(path));
/** Clock ticks per second for /proc/<pid>/stat times. */
const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

export const pinning = taskset === undefined ? 'not pinned (no taskset)' : 'pinned with taskset';

/** Runs `command` on `core` where taskset exists (taskset execs, so the pid is the command's own). */
export function spawnPinned(
  core: number,
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; stdout?: 'pipe' | 'ignore' } = {},
): ChildProcess {
  const [file, argv] = pinnedArgs(core, command, args);
  return spawn(file, argv, {
    env: options.env ?? process.env,
    stdio: ['ignore', options.stdout ?? 'ignore', 'inherit'],
  });
}

export function pinnedArgs(core: number, command: string, args: string[]): [string, string[]] {
  return taskset === undefined ? [command, args] : [taskset, ['-c', String(core), command, ...args]];
}

/** User + system CPU seconds of these processes (all their threads). */
export function cpuSeconds(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      // After the command name: state is field 3, utime 14 and stime 15 (1-based over the whole line).
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone
    }
  }
  return ticks / ticksPerSecond;
}

function statusField(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/** Resident memory now, MiB, summed over the processes. */
export function rssMiB(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + statusField(pid, 'VmRSS'), 0);
}

/** The kernel's high-water mark of resident memory, MiB, summed over the processes. */
export function peakRssMiB(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + statusField(pid, 'VmHWM'), 0);
}

/** Children of `pid` (nginx workers). */
export function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      if (Number(fields[1]) === pid) children.push(Number(entry));
    } catch {
      // gone
    }
  }
  return children;
}

/** Polls `url` until it answers at all (any status), for at most 20 s. */
export async function waitUntilAnswering(url: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`${url} never answered`);
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** Samples resident memory every 100 ms while `run` runs; returns its result and the highest sample. */
export async function withRssSampling<T>(
  pids: readonly number[],
  run: () => Promise<T>,
): Promise<[T, number]> {
  let peak = rssMiB(pids);
  const timer = setInterval(() => {
    peak = Math.max(peak, rssMiB(pids));
  }, 100);
  try {
    return [await run(), Math.max(peak, rssMiB(pids))];
  } finally {
    clearInterval(timer);
  }
}
