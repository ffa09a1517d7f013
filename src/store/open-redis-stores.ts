import type { OpenedStores, StatusLog } from './open-stores.ts';
import { RedisAffinityStore } from './redis-affinity-store.ts';
import { RedisKeyStateStore } from './redis-key-state-store.ts';
import { RedisLink } from './redis-link.ts';
import { RedisSignatureStore } from './redis-signature-store.ts';
import type { SignatureStore } from './signature-store.ts';
import type { SqliteKeyStateStore } from './sqlite-key-state-store.ts';
import type { WriteBehindAffinityStore } from './write-behind-affinity-store.ts';

/** The stores of `openStores` shared through Redis, SQLite kept as the local copy. */
export async function openRedisStores(options: {
  url: string;
  log: StatusLog;
  keyState: SqliteKeyStateStore;
  affinity: WriteBehindAffinityStore;
  signatures: SignatureStore;
}): Promise<OpenedStores> {
  const { keyState, affinity, signatures } = options;
  const redis = new RedisLink({
    url: options.url,
    onStatus: statusLogger(options.log, options.url),
  });
  await redis.connect();
  return {
    keyState: await RedisKeyStateStore.open(redis, keyState),
    affinity: new RedisAffinityStore(redis, affinity),
    signatures: new RedisSignatureStore(redis, signatures),
    redis,
    async close() {
      await affinity.close();
      await redis.close();
    },
  };
}

function statusLogger(log: StatusLog, url: string) {
  const fields = { redis: redactUrl(url) };
  return (status: 'down' | 'up' | 'resynced', error?: unknown) => {
    if (status === 'up') log.info(fields, 'Redis connected: pool state is shared');
    else if (status === 'resynced') log.warn(fields, 'Redis is back: state re-synced, shared again');
    else
      log.warn(
        { ...fields, err: error },
        "Redis unreachable: serving on this instance's own state until it is back",
      );
  };
}

/** A Redis URL for the log: never its password. */
function redactUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password !== '') parsed.password = '***';
  return parsed.toString();
}
