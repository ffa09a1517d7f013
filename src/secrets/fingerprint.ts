import { createHash } from 'node:crypto';

/**
 * A stable, non-reversible name for an API key, safe to log, store and show.
 * 12 hex digits (48 bits) keep accidental collisions negligible even with 100,000 keys,
 * while revealing no character of the key itself.
 */
export function fingerprintKey(secret: string): string {
  return `key_${createHash('sha256').update(secret).digest('hex').slice(0, 12)}`;
}
