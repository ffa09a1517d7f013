import { existsSync, mkdirSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import pino from 'pino';

type Sink = ReturnType<typeof pino.destination>;

/** What pino writes log lines to (it calls `write` with each whole line). */
export type LogFile = {
  write(line: string): void;
  /** Writes out what is buffered, before returning. */
  flushSync(): void;
  end(callback?: () => void): void;
};

/**
 * Log outputs gather lines into writes of at least `minLength` bytes (about ten lines) and write
 * them synchronously: one write system call per batch instead of one per line. (An asynchronous
 * write costs far more CPU than it saves: each goes through libuv's thread pool, 30–50 µs here.)
 * What is left is written every `periodicFlush` ms, at close, and at exit (`flushAtExit`): under
 * load a line waits for its batch, idle at most that long.
 */
export const batching = { sync: true, minLength: 4096, periodicFlush: 100 };

const unflushed = new Set<WeakRef<{ flushSync(): void }>>();
let listening = false;

/** Writes what an output still holds when the process exits (a crash, `process.exit`). */
export function flushAtExit(output: { flushSync(): void }): void {
  if (!listening) process.once('exit', flushAll);
  listening = true;
  for (const reference of unflushed) if (reference.deref() === undefined) unflushed.delete(reference);
  unflushed.add(new WeakRef(output));
}

function flushAll(): void {
  for (const reference of unflushed) {
    try {
      reference.deref()?.flushSync();
    } catch {
      // Exiting: nothing more can be done for this output.
    }
  }
  unflushed.clear();
}

/**
 * Appends log lines to one file (the contract says `logs/app.log`) and rotates by size:
 * app.log → app.log.1 → … → app.log.N. A plain size rotation keeps the live file's name stable,
 * which date-stamped rotators do not. Each file is opened synchronously, so a line is never
 * waiting on an open when a rotation comes. Lines go straight to the file's buffer, as strings:
 * not through a Node stream, which would turn each into a Buffer and back.
 */
export function createRotatingFile(path: string, maxBytes: number, maxFiles: number): LogFile {
  mkdirSync(dirname(path), { recursive: true });
  const open = (): Sink => pino.destination({ fd: openSync(path, 'a'), ...batching });
  let sink = open();
  let size = existsSync(path) ? statSync(path).size : 0;

  const rotate = () => {
    const previous = sink;
    previous.flushSync();
    previous.end();
    rmSync(`${path}.${maxFiles}`, { force: true });
    for (let index = maxFiles - 1; index >= 1; index--) {
      if (existsSync(`${path}.${index}`)) renameSync(`${path}.${index}`, `${path}.${index + 1}`);
    }
    if (existsSync(path)) renameSync(path, `${path}.1`);
    sink = open();
    size = 0;
  };

  const file: LogFile = {
    write(line) {
      const length = Buffer.byteLength(line);
      if (size > 0 && size + length > maxBytes) rotate();
      size += length;
      sink.write(line);
    },
    flushSync: () => sink.flushSync(),
    end(callback) {
      if (callback !== undefined) sink.once('close', () => callback());
      sink.end();
    },
  };
  flushAtExit(file);
  return file;
}
