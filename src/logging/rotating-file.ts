import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';

/**
 * Appends log lines to one file (the contract says `logs/app.log`) and rotates by size:
 * app.log → app.log.1 → … → app.log.N. A plain size rotation keeps the live file's name stable,
 * which date-stamped rotators do not.
 */
export function createRotatingFile(
  path: string,
  maxBytes: number,
  maxFiles: number,
): Writable & { flushSync(): void } {
  mkdirSync(dirname(path), { recursive: true });
  const sink = pino.destination({ dest: path, append: true, mkdir: true, sync: false });
  let size = existsSync(path) ? statSync(path).size : 0;

  const rotate = () => {
    sink.flushSync();
    rmSync(`${path}.${maxFiles}`, { force: true });
    for (let index = maxFiles - 1; index >= 1; index--) {
      if (existsSync(`${path}.${index}`)) renameSync(`${path}.${index}`, `${path}.${index + 1}`);
    }
    if (existsSync(path)) renameSync(path, `${path}.1`);
    sink.reopen();
    size = 0;
  };

  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      if (size > 0 && size + Buffer.byteLength(text) > maxBytes) rotate();
      size += Buffer.byteLength(text);
      sink.write(text);
      callback();
    },
    final(callback) {
      sink.flushSync();
      sink.end();
      callback();
    },
  });
  return Object.assign(stream, { flushSync: () => sink.flushSync() });
}
