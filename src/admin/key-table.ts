import type { KeyView } from '../pool/key-entry.ts';
import type { UsageTotals } from '../store/request-record.ts';
import { type KeyLastError, lastErrors, usageTotals } from '../store/request-record-queries.ts';
import type { SqliteRequestRecordStore } from '../store/sqlite-request-record-store.ts';
import type { KeySource } from './admin-keys.ts';

export type KeyState = 'active' | 'cooling' | 'disabled';

export type KeyRow = {
  fingerprint: string;
  state: KeyState;
  source: KeySource;
  disabled: { reason: string; since: number; by: string } | undefined;
  /** Per model, until when (epoch ms); `*` when the whole key backs off. */
  cooling: Array<{ model: string; until: number }>;
  lastError: KeyLastError | undefined;
  usage24h: UsageTotals | undefined;
  usage30d: UsageTotals | undefined;
  counters: KeyView['counters'];
  /** Per-minute request limits learnt from 429s, per model. */
  learntLimits: Array<{ model: string; limit: number; windowMs: number }>;
  note: string | undefined;
};

const dayMs = 86_400_000;

export function keyState(view: KeyView): KeyState {
  if (!view.enabled) return 'disabled';
  return view.cooling.length > 0 || view.backoffUntil !== undefined ? 'cooling' : 'active';
}

/** The key table: live state from the pool, counts from the hourly rollups, notes and last errors from the store. */
export function keyTable(options: {
  views: KeyView[];
  records: SqliteRequestRecordStore | undefined;
  notes: Map<string, string>;
  source: (id: string) => KeySource;
  learnt: Map<string, Array<{ model: string; limit: number; windowMs: number }>>;
  now: number;
}): KeyRow[] {
  const { records, now } = options;
  const day = records === undefined ? new Map() : usageTotals(records.database, 'key', now - dayMs);
  const month = records === undefined ? new Map() : usageTotals(records.database, 'key', now - 30 * dayMs);
  const errors = records === undefined ? new Map() : lastErrors(records.database);
  return options.views.map((view) => ({
    fingerprint: view.fingerprint,
    state: keyState(view),
    source: options.source(view.id),
    disabled:
      view.disabledReason === undefined
        ? undefined
        : { reason: view.disabledReason, since: view.disabledSince ?? 0, by: view.disabledBy ?? 'upstream' },
    cooling: [
      ...(view.backoffUntil === undefined ? [] : [{ model: '*', until: view.backoffUntil }]),
      ...view.cooling,
    ],
    lastError: errors.get(view.id),
    usage24h: day.get(view.id),
    usage30d: month.get(view.id),
    counters: view.counters,
    learntLimits: options.learnt.get(view.id) ?? [],
    note: options.notes.get(view.id),
  }));
}

export function countStates(views: KeyView[]): Record<KeyState, number> {
  const counts: Record<KeyState, number> = { active: 0, cooling: 0, disabled: 0 };
  for (const view of views) counts[keyState(view)]++;
  return counts;
}
