import type { DatabaseSync } from 'node:sqlite';
import type { AffinityStore } from './affinity-store.ts';
import type { SharedKeyStateStore } from './key-state-change.ts';
import type { KeyStateStore } from './key-state-store.ts';
import type { RedisLink } from './redis-link.ts';
import { RelayedKeyStateStore, type RelayPort } from './relayed-key-state-store.ts';
import type { SignatureStore } from './signature-store.ts';
import { SqliteAffinityStore } from './sqlite-affinity-store.ts';
import { SqliteKeyStateStore } from './sqlite-key-state-store.ts';
import { SqliteSignatureStore } from './sqlite-signature-store.ts';
import { WriteBehindAffinityStore } from './write-behind-affinity-store.ts';

export type OpenedStores = {
  keyState: KeyStateStore & Partial<Pick<SharedKeyStateStore, 'onChange'>>;
  affinity: AffinityStore;
  signatures: SignatureStore;
  /** Set with `redisUrl`. */
  redis: RedisLink | undefined;
  /** Flushes the affinity writes still pending, then leaves Redis; the database stays open. */
  close(): Promise<void>;
};

export type StatusLog = {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
};

/**
 * The key-state, affinity and thought-signature stores, chosen once at start-up: SQLite alone; SQLite shared with the
 * other workers through the primary (`relay`, `WORKERS` > 1); or, with `redisUrl`, SQLite kept as
 * the local copy of the state shared through Redis.
 */
export async function openStores(options: {
  database: DatabaseSync;
  redisUrl: string | undefined;
  relay: RelayPort | undefined;
  log: StatusLog;
}): Promise<OpenedStores> {
  const keyState = new SqliteKeyStateStore(options.database, {
    onWriteError: (error) => options.log.warn({ err: error }, 'key state write failed; kept and retried'),
  });
  // Written behind, like key state: a locked database never fails the request that made the write.
  const affinity = new WriteBehindAffinityStore(new SqliteAffinityStore(options.database), (error, pending) =>
    options.log.warn({ err: error, pending }, 'affinity write failed; kept and retried'),
  );
  const signatures = new SqliteSignatureStore(options.database);
  if (options.redisUrl === undefined) {
    const relay = options.relay;
    return {
      keyState: relay === undefined ? keyState : new RelayedKeyStateStore(keyState, relay),
      affinity,
      signatures,
      redis: undefined,
      close: () => affinity.close(),
    };
  }
  // Loaded only with Redis: ioredis and the shared stores are no weight on an instance without it.
  const { openRedisStores } = await import('./open-redis-stores.ts');
  return openRedisStores({ url: options.redisUrl, log: options.log, keyState, affinity, signatures });
}
