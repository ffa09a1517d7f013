import { createHash } from 'node:crypto';

/**
 * Which outbound proxy a key always uses: rendezvous (highest-random-weight) hashing over
 * (key fingerprint, proxy). Every instance and every restart computes the same answer from the
 * same list, and adding or removing one proxy moves only the keys that pick it.
 */
export function proxyForKey(keyId: string, proxies: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestWeight = -1n;
  for (const proxy of proxies) {
    const weight = createHash('sha256').update(`${keyId}\u0000${proxy}`).digest().readBigUInt64BE(0);
    if (weight > bestWeight) {
      best = proxy;
      bestWeight = weight;
    }
  }
  return best;
}
