import type { Config } from '../config/config.ts';
import type { KeyPool } from '../pool/key-pool.ts';
import type { RuntimeKeyStore } from '../store/runtime-key-store.ts';
import type { SqliteRequestRecordStore } from '../store/sqlite-request-record-store.ts';
import type { AdminKeys } from './admin-keys.ts';
import type { AdminSessions } from './admin-sessions.ts';

/** What the admin routes work with; built once by the composition root. */
export type AdminContext = {
  config: Config;
  pool: KeyPool;
  keys: AdminKeys;
  sessions: AdminSessions;
  runtime: RuntimeKeyStore;
  /** Undefined when RECORDS_ENABLED=false. */
  records: SqliteRequestRecordStore | undefined;
  /** Per key, the per-minute request limits the dispatcher learnt from 429s. */
  learntLimits: () => Map<string, Array<{ model: string; limit: number; windowMs: number }>>;
  /** Records still waiting for their batch are written before a read, so the log is current. */
  flushRecords: () => void;
};
