import type { DisabledBy, DisabledState, KeyCounters } from '../store/key-state-store.ts';
import type { Lease } from './lease.ts';

/** The pool's live record of one key. The secret lives only in `lease`, in memory. */
export type KeyEntry = {
  readonly id: string;
  readonly lease: Lease;
  /** Small integer naming the key in the availability rings. */
  readonly slot: number;
  disabled: DisabledState | undefined;
  failureStreak: number;
  /** Epoch ms; the key is out for every model until then. */
  backoffUntil: number;
  /** model → epoch ms until which the key is out of quota for it. */
  readonly cooldowns: Map<string, number>;
  readonly counters: KeyCounters;
};

/** What the admin API and logs may see of a key: never its secret. */
export type KeyView = {
  id: string;
  fingerprint: string;
  enabled: boolean;
  disabledReason: string | undefined;
  disabledBy: DisabledBy | undefined;
  disabledSince: number | undefined;
  failureStreak: number;
  /** Epoch ms, only while backing off. */
  backoffUntil: number | undefined;
  cooling: Array<{ model: string; until: number }>;
  counters: KeyCounters;
};

export function toKeyView(entry: KeyEntry, now: number): KeyView {
  const cooling = [...entry.cooldowns]
    .filter(([, until]) => until > now)
    .map(([model, until]) => ({ model, until }))
    .toSorted((first, second) => first.until - second.until);
  return {
    id: entry.id,
    fingerprint: entry.id,
    enabled: entry.disabled === undefined,
    disabledReason: entry.disabled?.reason,
    disabledBy: entry.disabled?.by,
    disabledSince: entry.disabled?.since,
    failureStreak: entry.failureStreak,
    backoffUntil: entry.backoffUntil > now ? entry.backoffUntil : undefined,
    cooling,
    counters: { ...entry.counters },
  };
}
