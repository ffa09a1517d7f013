import {
  type DisabledBy,
  type DisabledState,
  emptyCounters,
  type KeyCounters,
  type StoredKeyState,
} from '../store/key-state-store.ts';
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

/** Keys by what they can do now: serve, rest (cooling on some model or backing off), nothing. */
export type KeyCensus = { total: number; usable: number; resting: number; disabled: number };

export function takeCensus(entries: Iterable<KeyEntry>, now: number): KeyCensus {
  const census: KeyCensus = { total: 0, usable: 0, resting: 0, disabled: 0 };
  for (const entry of entries) {
    census.total++;
    if (entry.disabled !== undefined) census.disabled++;
    else if (entry.backoffUntil > now || [...entry.cooldowns.values()].some((until) => until > now))
      census.resting++;
    else census.usable++;
  }
  return census;
}

/**
 * A key's live record, from what was saved under its fingerprint (if anything). A key disabled for
 * "unregistered callers" (which earlier versions did) comes back: that answer never blamed the key.
 */
export function restoreEntry(lease: Lease, slot: number, saved: StoredKeyState | undefined): KeyEntry {
  return {
    id: lease.id,
    lease,
    slot,
    disabled: saved?.disabled?.reason === 'UNREGISTERED_CALLER' ? undefined : saved?.disabled,
    failureStreak: saved?.failureStreak ?? 0,
    backoffUntil: saved?.backoffUntil ?? 0,
    cooldowns: saved?.cooldowns ?? new Map(),
    counters: saved?.counters ?? emptyCounters(),
  };
}
