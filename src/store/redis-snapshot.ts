import { z } from 'zod';
import { parseJsonOrUndefined } from '../json/lenient-json.ts';
import { readKeyStateChange } from './key-state-change.ts';
import { healthyState, type StoredKeyState } from './key-state-store.ts';
import type { RedisLink } from './redis-link.ts';

export type SharedKeyState = StoredKeyState & {
  /** When the stored health was decided (0: republished from a local store); -1 when Redis holds none. */
  healthAt: number;
};

const healthRecord = z.object({ state: z.string(), at: z.coerce.number() });
const limitSchema = z.object({ limit: z.number(), windowMs: z.number() });

/**
 * Everything Redis holds about the keys: health with its time, learnt limits, cooldowns that end after `now`
 * (an ended one is overwritten by the next), counter totals. One pipelined round trip after the key list.
 */
export async function readRedisSnapshot(link: RedisLink, now: number): Promise<Map<string, SharedKeyState>> {
  const { commands, prefix } = link;
  const fingerprints = await commands.smembers(`${prefix}keys`);
  const pipeline = commands.pipeline();
  for (const fingerprint of fingerprints) {
    pipeline.hgetall(`${prefix}health:${fingerprint}`);
    pipeline.hgetall(`${prefix}cooldowns:${fingerprint}`);
    pipeline.hgetall(`${prefix}counters:${fingerprint}`);
    pipeline.hgetall(`${prefix}limits:${fingerprint}`);
  }
  const replies = (await pipeline.exec()) ?? [];
  const states = new Map<string, SharedKeyState>();
  fingerprints.forEach((fingerprint, index) => {
    const [health, cooldowns, counters, limits] = [0, 1, 2, 3].map((offset) =>
      asHash(replies[index * 4 + offset]?.[1]),
    );
    const state: SharedKeyState = { ...healthyState(fingerprint), healthAt: -1 };
    const record = healthRecord.safeParse(health);
    if (record.success) {
      const change = readKeyStateChange({
        kind: 'health',
        fingerprint,
        at: record.data.at,
        health: parseJsonOrUndefined(record.data.state),
      });
      if (change?.kind === 'health') Object.assign(state, change.health, { healthAt: change.at });
    }
    for (const [model, until] of Object.entries(cooldowns ?? {}))
      if (Number(until) > now) state.cooldowns.set(model, Number(until));
    for (const [model, text] of Object.entries(limits ?? {})) {
      const limit = limitSchema.safeParse(parseJsonOrUndefined(text));
      if (limit.success) state.limits.set(model, limit.data);
    }
    for (const name of Object.keys(state.counters) as Array<keyof typeof state.counters>) {
      const value = Number(counters?.[name] ?? 0);
      if (Number.isFinite(value)) state.counters[name] = value;
    }
    states.set(fingerprint, state);
  });
  return states;
}

function asHash(value: unknown): Record<string, string> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, string>) : undefined;
}
