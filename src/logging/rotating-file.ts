import { existsSync, mkdirSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';

type Sink = ReturnType<typeof pino.destination>;

/**
 * Appends log lines to one file (the contract says `logs/app.log`) and rotates by size:
 * app.log → app.log.1 → … → app.log.N. A plain size rotation keeps the live file's name stable,
 * which date-stamped rotators do not. Each file is opened synchronously, so a line is never
 * waiting on an open when a rotation comes.
 */
export function createRotatingFile(
  path: string,
  maxBytes: number,
  maxFiles: number,
): Writable & { flushSync(): void } {
  mkdirSync(dirname(path), { recursive: true });
  const open = (): Sink => pino.destination({ fd: openSync(path, 'a'), sync: false });
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

  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      const length = Buffer.byteLength(text);
      if (size > 0 && size + length > maxBytes) rotate();
      size += length;
      sink.write(text);
      callback();
    },
    final(callback) {
      sink.once('close', () => callback());
      sink.end();
    },
  });
  return Object.assign(stream, { flushSync: () => sink.flushSync() });
}
