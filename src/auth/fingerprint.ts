import { createHash } from 'node:crypto';

/**
 * How a key or token is shown anywhere (logs, admin, database): a short hash, no clear characters.
 * Stable across restarts and instances, so a line in one log can be matched to a key in another.
 */
export function fingerprintSecret(secret: string): string {
  return `fp_${createHash('sha256').update(secret).digest('hex').slice(0, 10)}`;
}
