import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

export type RedisLinkOptions = {
  url: string;
  /** No command waits longer; also the connect timeout. */
  timeoutMs?: number;
  /** Key and channel prefix, so several deployments can share one Redis. */
  prefix?: string;
  /** Called once per transition: Redis lost (requests go on with local state), Redis back (re-synced). */
  onStatus?: (status: 'down' | 'up' | 'resynced', error?: unknown) => void;
};

/**
 * The connections every Redis store of one instance shares: one for commands and one subscribed
 * to the change channels. Commands never queue while Redis is away (they fail at once, or after
 * `timeoutMs` when it hangs), so no request waits on Redis; both connections retry in the
 * background, and each return of Redis runs the stores' re-syncs.
 */
export class RedisLink {
  readonly commands: Redis;
  readonly prefix: string;
  readonly timeoutMs: number;
  /** Tells this instance's own messages from the others'. */
  readonly instanceId = randomUUID();
  readonly #subscriber: Redis;
  readonly #handlers = new Map<string, (message: string) => void>();
  readonly #resyncs: Array<() => Promise<void>> = [];
  readonly #onStatus: RedisLinkOptions['onStatus'];
  /** Whether the last transition seen was "up"; starts down until the first connection. */
  #up = false;
  /** Set while Redis is (or was, since the last re-sync) away from an instance that already serves. */
  #needsResync = false;
  #closed = false;

  constructor(options: RedisLinkOptions) {
    this.timeoutMs = options.timeoutMs ?? 500;
    this.prefix = options.prefix ?? 'gemini-balance:';
    this.#onStatus = options.onStatus;
    const common = {
      connectTimeout: this.timeoutMs,
      // Reconnect quickly and forever: a Redis restart should be picked up within a second or two.
      retryStrategy: (attempt: number) => Math.min(100 * attempt, 1000),
      lazyConnect: true,
    };
    this.commands = new Redis(options.url, {
      ...common,
      commandTimeout: this.timeoutMs,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
    });
    // The subscriber queues its SUBSCRIBEs until connected and re-subscribes after every reconnect.
    this.#subscriber = new Redis(options.url, { ...common, maxRetriesPerRequest: null });
    this.#subscriber.on('message', (channel: string, message: string) =>
      this.#handlers.get(channel)?.(message),
    );
    for (const client of [this.commands, this.#subscriber]) {
      client.on('ready', () => this.#changed());
      client.on('close', () => this.#changed());
      client.on('error', (error: unknown) => this.#changed(error));
    }
  }

  /** Connects, waiting at most `timeoutMs`: a Redis that is down at start-up does not stop the service. */
  async connect(): Promise<boolean> {
    const attempts = [this.commands, this.#subscriber].map((client) => client.connect().catch(() => {}));
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, this.timeoutMs).unref());
    await Promise.race([Promise.all(attempts), timeout]);
    if (this.up) return true;
    this.#needsResync = true;
    this.#onStatus?.('down');
    return false;
  }

  get up(): boolean {
    return this.commands.status === 'ready' && this.#subscriber.status === 'ready';
  }

  subscribe(channel: string, handler: (message: string) => void): void {
    this.#handlers.set(channel, handler);
    this.#subscriber.subscribe(channel).catch(() => {});
  }

  /**
   * A command failed. A timeout means Redis hangs or the network dropped without closing the
   * connection: the link drops it, so the outage is seen (one warning) and the return re-syncs.
   */
  noteFailure(error: unknown): void {
    if (error instanceof Error && error.message === 'Command timed out' && this.commands.status === 'ready')
      this.commands.disconnect(true);
  }

  /** Runs after every return of Redis (not a first connection in `connect`: the stores load then themselves). */
  onResync(resync: () => Promise<void>): void {
    this.#resyncs.push(resync);
  }

  /** Quits politely when Redis answers (the command connection never waits longer than the timeout). */
  async close(): Promise<void> {
    this.#closed = true;
    await this.commands.quit().catch(() => {});
    this.commands.disconnect();
    // The subscriber queues while Redis is away: a QUIT there could wait for ever.
    this.#subscriber.disconnect();
  }

  #changed(error?: unknown): void {
    if (this.#closed) return;
    const up = this.up;
    if (up === this.#up) return;
    this.#up = up;
    if (!up) {
      this.#needsResync = true;
      this.#onStatus?.('down', error);
    } else if (!this.#needsResync) {
      this.#onStatus?.('up');
    } else {
      this.#needsResync = false;
      this.#resync();
    }
  }

  #resync(): void {
    void Promise.all(this.#resyncs.map((resync) => resync().catch(() => {}))).then(() =>
      this.#onStatus?.('resynced'),
    );
  }
}
