import { z } from 'zod';
import type {
  KeyCounterName,
  KeyCounters,
  KeyHealth,
  KeyStateStore,
  LearntLimit,
} from './key-state-store.ts';

/**
 * One change to a key's state, as one instance (or worker) tells the others. `at` orders health
 * changes: the newest wins, so a resync after an outage cannot roll back a fresher decision.
 */
export type KeyStateChange =
  | { kind: 'health'; fingerprint: string; health: KeyHealth; at: number }
  | { kind: 'cooldown'; fingerprint: string; model: string; until: number }
  /** A per-minute request limit Gemini stated for (key, model) in a 429. */
  | { kind: 'limit'; fingerprint: string; model: string; limit: LearntLimit }
  /** Counter increments (deltas), batched. */
  | { kind: 'counters'; fingerprint: string; counters: KeyCounters };

/**
 * A key state store shared with other instances: what they learn arrives through `onChange`.
 * While the listener runs, the store does not pass the pool's resulting writes on again (no echo).
 */
export interface SharedKeyStateStore extends KeyStateStore {
  onChange(listener: (change: KeyStateChange) => void): void;
}

export const counterNames: readonly KeyCounterName[] = [
  'successes',
  'invalid',
  'quota',
  'transient',
  'clientErrors',
];

const health = z.object({
  disabled: z
    .object({ reason: z.string(), since: z.number(), by: z.enum(['admin', 'upstream']) })
    .optional()
    .catch(undefined),
  failureStreak: z.number(),
  backoffUntil: z.number(),
});

/** Reads a change that came over the wire (Redis, IPC); anything else is undefined. */
const changeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('health'), fingerprint: z.string(), health, at: z.number() }),
  z.object({ kind: z.literal('cooldown'), fingerprint: z.string(), model: z.string(), until: z.number() }),
  z.object({
    kind: z.literal('limit'),
    fingerprint: z.string(),
    model: z.string(),
    limit: z.object({ limit: z.number(), windowMs: z.number() }),
  }),
  z.object({
    kind: z.literal('counters'),
    fingerprint: z.string(),
    counters: z.object({
      successes: z.number(),
      invalid: z.number(),
      quota: z.number(),
      transient: z.number(),
      clientErrors: z.number(),
    }),
  }),
]);

export function readKeyStateChange(value: unknown): KeyStateChange | undefined {
  const parsed = changeSchema.safeParse(value);
  if (!parsed.success) return undefined;
  const change = parsed.data;
  return change.kind === 'health'
    ? { ...change, health: { ...change.health, disabled: change.health.disabled } }
    : change;
}

export function addCounters(total: KeyCounters, delta: KeyCounters): void {
  for (const name of counterNames) total[name] += delta[name];
}
