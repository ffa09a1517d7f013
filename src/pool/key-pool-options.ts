import type { KeyStateStore } from '../store/key-state-store.ts';
import type { BackoffOptions } from './key-rests.ts';
import type { PoolEventListener } from './pool-events.ts';
import type { QuotaCountPolicy } from './quota-windows.ts';

export type KeyPoolOptions = {
  keys: readonly string[];
  store: KeyStateStore;
  now?: () => number;
  /** Back-off after transient failures: baseMs · 2^streak, capped at maxMs, minus up to 20% jitter. */
  transientBackoff?: BackoffOptions;
  /** In [0, 1); injected for deterministic jitter in tests. */
  random?: () => number;
  /** Models with their own round-robin lane; the least recently used lane beyond this is rebuilt on demand. */
  maxModels?: number;
  /** Model names the pool keeps state for (see `KnownModels`). */
  maxKnownModels?: number;
  /** Gemini's "minute" (60 s, shorter in benchmarks) and the margin added to every learnt window. */
  quotaMinuteMs?: number;
  quotaMarginMs?: number;
  /** How learnt limits are counted (`QuotaWindows`): `shapes` (default) or `sliding` alone. */
  quotaCount?: QuotaCountPolicy;
  /** Keys disabled, revived, cooling for the day; path faults. */
  onEvent?: PoolEventListener;
};

export type AcquireOptions = {
  /** Keys already tried for this request. */
  exclude?: ReadonlySet<string>;
  /**
   * Affinity: the key that owns a resource (file, cached content, upload session) named in the request.
   * Returned whenever it is enabled, even cooling or backing off, because no other key can reach the
   * resource: let Gemini answer. Disabled, removed or excluded → `affinity-unavailable`.
   */
  preferKeyId?: string;
  /** With `preferKeyId`: a last resort, wanted only while the key rests after a 5xx alone (not on quota). */
  onlyIfResting?: boolean;
};

export type KeyPoolStats = { total: number; enabled: number; disabled: number };

/** What the pool made of a report: `path-fault` when a dead-key answer was not the key's fault. */
export type ReportVerdict = 'recorded' | 'path-fault';
