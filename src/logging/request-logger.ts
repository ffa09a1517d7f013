import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions, Level, Logger } from 'pino';

type Method = (...args: unknown[]) => void;

/**
 * The per-request logger Fastify asks for on every request, made cheap: pino's `child()` serialises
 * its bindings at once, which the CPU profile showed as the largest single cost of a request, yet
 * most requests log at most one line. This one keeps the bindings (`reqId`) and writes a line with
 * them merged in, through the parent; a real child is made only for what needs one (an `Error` as
 * first argument, a `child()` of its own, a level change). A disabled level costs one comparison.
 */
export class RequestLogger implements FastifyBaseLogger {
  readonly #parent: Logger;
  readonly #bindings: Bindings;
  readonly #options: ChildLoggerOptions;
  #child: FastifyBaseLogger | undefined;

  constructor(parent: Logger, bindings: Bindings, options: ChildLoggerOptions) {
    this.#parent = parent;
    this.#bindings = bindings;
    this.#options = options;
  }

  get level(): string {
    return this.#child?.level ?? this.#parent.level;
  }

  set level(value: string) {
    this.#real().level = value;
  }

  fatal(...args: unknown[]): void {
    this.#write('fatal', args);
  }

  error(...args: unknown[]): void {
    this.#write('error', args);
  }

  warn(...args: unknown[]): void {
    this.#write('warn', args);
  }

  info(...args: unknown[]): void {
    this.#write('info', args);
  }

  debug(...args: unknown[]): void {
    this.#write('debug', args);
  }

  trace(...args: unknown[]): void {
    this.#write('trace', args);
  }

  silent(): void {}

  isLevelEnabled(level: Level): boolean {
    return this.#child === undefined
      ? this.#parent.isLevelEnabled(level)
      : (this.#child as Logger).isLevelEnabled(level);
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.#real().child(bindings, options);
  }

  #real(): FastifyBaseLogger {
    this.#child ??= this.#parent.child(this.#bindings, this.#options);
    return this.#child;
  }

  #write(level: Level, args: unknown[]): void {
    const [first, ...rest] = args;
    if (this.#child === undefined && !this.#parent.isLevelEnabled(level)) return;
    if (this.#child !== undefined) Reflect.apply(this.#child[level] as Method, this.#child, args);
    else if (typeof first === 'string')
      Reflect.apply(this.#parent[level] as Method, this.#parent, [this.#bindings, first, ...rest]);
    // A plain object: the bindings go first, as a child would have written them.
    else if (typeof first === 'object' && first !== null && Object.getPrototypeOf(first) === Object.prototype)
      Reflect.apply(this.#parent[level] as Method, this.#parent, [{ ...this.#bindings, ...first }, ...rest]);
    else {
      const child = this.#real();
      Reflect.apply(child[level] as Method, child, args);
    }
  }
}

/** Fastify's `childLoggerFactory`: a `RequestLogger`, or a real child when Fastify passes options. */
export function requestLoggerFactory(
  logger: FastifyBaseLogger,
  bindings: Bindings,
  options: ChildLoggerOptions,
): FastifyBaseLogger {
  return Object.keys(options).length === 0
    ? new RequestLogger(logger as Logger, bindings, options)
    : logger.child(bindings, options);
}
