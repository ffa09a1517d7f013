import pino, { type Logger } from 'pino';

/**
 * A fast way to write a line whose fields are already JSON, for the one line every request writes
 * (the summary): pino's envelope (level, time, pid, hostname) and message around them, written once
 * to the logger's outputs. It skips pino's per-field serialisation, its redaction and the secret
 * scrubber that runs over whole lines: the caller passes every field that can carry free text
 * through `scrub` itself (see summary-line.ts); the rest are numbers and fingerprints.
 */
export type PreparedLines = {
  /** Masks known secrets and anything shaped like a Google key in one value. */
  scrub(text: string): string;
  /** Writes `{"level":…,"time":…,"pid":…,"hostname":…,<fields>,"msg":<message>}` at `info`. */
  info(fields: string, message: string): void;
};

const preparedLinesKey = Symbol('gemini-balance.preparedLines');
const { lsCacheSym, timeSym, chindingsSym, streamSym } = pino.symbols;
const infoLevel = 30;

type Output = { write(line: string): void; lastLevel?: number };

/** Gives a logger prepared lines (createLogger does, for plain JSON outputs). */
export function addPreparedLines(logger: Logger, scrub: (text: string) => string): void {
  // pino's own pieces, so the line is the one `logger.info(fields, message)` would write.
  const internals = logger as unknown as Record<symbol, unknown>;
  const start = (internals[lsCacheSym] as Record<number, string>)[infoLevel];
  const time = internals[timeSym] as () => string;
  const lines: PreparedLines = {
    scrub,
    info(fields, message) {
      const output = internals[streamSym] as Output;
      // A multistream picks its outputs by the level of the line it is handed.
      output.lastLevel = infoLevel;
      output.write(
        `${start}${time()}${internals[chindingsSym] as string},${fields},"msg":${JSON.stringify(message)}}\n`,
      );
    },
  };
  Object.defineProperty(logger, preparedLinesKey, { value: lines });
}

/** The logger's prepared lines, or undefined (a test's logger, pretty output): then log as usual. */
export function preparedLinesOf(logger: unknown): PreparedLines | undefined {
  return (logger as { [preparedLinesKey]?: PreparedLines })[preparedLinesKey];
}
