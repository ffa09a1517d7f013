import type { Lease } from './lease.ts';
import type { Outcome } from './outcome.ts';
import { unregisteredCaller } from './path-faults.ts';
import type { PoolEvent } from './pool-events.ts';

type Finding = Exclude<Extract<PoolEvent, { type: 'path-fault' }>['finding'], 'suspected'>;

export type PathFaultCheck = {
  /** The key whose answer opened the suspicion. */
  lease: Lease;
  reason: string;
  /** Keys that gave the same reason just before (and may have been disabled for it). */
  burst: readonly string[];
  /** A plain models.list with the key alone (no client headers); absent when no re-check loop runs. */
  check: ((lease: Lease) => Promise<Outcome>) | undefined;
  reinstate: (id: string) => boolean;
  /** Disables the checked key: it is dead after all. */
  disable: () => unknown;
  emit: (event: PoolEvent) => void;
};

/**
 * Re-checks one key after a suspected path fault and acts on what it shows: the key works → the
 * keys of the burst come back; the key is dead → it alone is disabled; no key reaches Google even
 * on a plain call → the path strips keys, nothing is disabled. Never rejects.
 */
export async function verifyPathFault(fault: PathFaultCheck): Promise<Finding> {
  const finding = await check(fault);
  if (finding === 'key-works') for (const id of fault.burst) fault.reinstate(id);
  if (finding === 'key-dead') fault.disable();
  fault.emit({ type: 'path-fault', keyFingerprint: fault.lease.fingerprint, reason: fault.reason, finding });
  return finding;
}

async function check(fault: PathFaultCheck): Promise<Finding> {
  if (fault.check === undefined) return 'unverified';
  try {
    const outcome = await fault.check(fault.lease);
    if (outcome.kind === 'ok' || outcome.kind === 'quota') return 'key-works';
    if (outcome.kind !== 'invalid') return 'unverified';
    return outcome.reason === unregisteredCaller ? 'path-broken' : 'key-dead';
  } catch {
    return 'unverified';
  }
}
