import { createRequire } from 'node:module';
import pino, { type Logger } from 'pino';
import { addPreparedLines } from './prepared-line.ts';
import { batching, createRotatingFile, flushAtExit } from './rotating-file.ts';
import type { SecretScrubber } from './secret-scrubber.ts';

export type LoggerOptions = {
  level: string;
  file: string;
  maxBytes: number;
  maxFiles: number;
  scrubber: SecretScrubber;
  /** Readable colours on a terminal, JSON lines otherwise (containers, CI, pipes). */
  pretty?: boolean;
  /** Tests keep the console quiet; the file is always written. */
  console?: boolean;
};

/** Header and field names whose values are secrets wherever they appear in a log object. */
export const redactedPaths = [
  'req.headers.authorization',
  'req.headers["x-goog-api-key"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-goog-api-key"]',
  'headers.cookie',
  'key',
  'token',
  'apiKey',
];

/** pino-pretty is loaded only for a terminal: a server never pays its memory. */
function prettyStream() {
  const pretty = createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty');
  return pretty({ colorize: true, destination: 1, sync: true });
}

export function createLogger(options: LoggerOptions): Logger & { flushFile(): void } {
  const file = createRotatingFile(options.file, options.maxBytes, options.maxFiles);
  const level = options.level as pino.Level;
  const streams: pino.StreamEntry[] = [{ stream: file, level }];
  // JSON lines to stdout through a buffer: process.stdout writes a pipe or file synchronously, one
  // system call per line (a tenth of a request's CPU at `info`); this one gathers lines into writes
  // of a few KiB, like the file (see `batching`).
  const console =
    options.console === false || options.pretty ? undefined : pino.destination({ fd: 1, ...batching });
  if (console !== undefined) flushAtExit(console);
  if (options.console !== false) streams.push({ stream: console ?? prettyStream(), level });
  const logger = pino(
    {
      level: options.level,
      redact: { paths: redactedPaths, censor: '[redacted]' },
      hooks: { streamWrite: (line) => options.scrubber.scrub(line) },
    },
    pino.multistream(streams),
  );
  // The summary line's fast path writes JSON lines as they are: not for the pretty terminal output.
  if (!options.pretty) addPreparedLines(logger, (text) => options.scrubber.scrub(text));
  return Object.assign(logger, {
    flushFile: () => {
      file.flushSync();
      console?.flushSync();
    },
  });
}
