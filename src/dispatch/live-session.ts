import type { AppError } from '../errors/app-error.ts';
import { type ClassifyOptions, classifyUpstreamResponse } from '../pool/classify-upstream-error.ts';
import type { Lease } from '../pool/lease.ts';
import type { Outcome } from '../pool/outcome.ts';
import { type CallRecord, newCallRecord } from './call-record.ts';
import type { KeyChooser } from './key-chooser.ts';
import { unavailableError } from './unavailable-error.ts';

/** The model is only named inside a Live session's first frame: sessions draw from the shared lane. */
const liveModel = '*';

/**
 * A Live session's key and what the pool learns from its handshake. Exactly one of `opened`,
 * `refused` or `abandoned` is called; later calls are ignored.
 */
export type LiveSession = {
  /** Its secret goes in `x-goog-api-key`, its id picks the outbound proxy. */
  lease: Lease;
  record: CallRecord;
  /** The upstream accepted the session: the key works. */
  opened(): void;
  /** The upstream refused the handshake: status and body say what that means for the key. */
  refused(status: number, bodyText: string | undefined): Outcome;
  /** The connection ended before any answer (the client left, the network failed): no verdict. */
  abandoned(): void;
};

/** Picks a key the way every call does (probing, learnt windows); a session gets one attempt. */
export function openLiveSession(
  keys: KeyChooser,
  path: string,
  classifyOptions: ClassifyOptions,
): LiveSession | AppError {
  const lease = keys.acquire(liveModel, new Set(), undefined);
  if (lease.kind !== 'lease') return unavailableError(lease, undefined);
  const record = newCallRecord({ path, model: undefined });
  record.keyFingerprint = lease.fingerprint;
  const started = performance.now();
  const settleKey = keys.begin(lease.id, liveModel);
  let settled = false;
  const finish = (outcome: Outcome | undefined, status: number | undefined): void => {
    settled = true;
    settleKey(outcome !== undefined);
    if (outcome === undefined) {
      keys.unheard(lease.id, liveModel);
      return;
    }
    keys.learn(lease.id, liveModel, outcome);
    record.attempts.push({ keyFingerprint: lease.fingerprint, outcome: outcome.kind, status });
    record.firstByteMs = Math.round((performance.now() - started) * 100) / 100;
  };
  return {
    lease,
    record,
    opened: () => {
      if (!settled) finish({ kind: 'ok' }, 101);
    },
    refused: (status, bodyText) => {
      const outcome = classifyUpstreamResponse(status, bodyText, new Date(), classifyOptions);
      if (!settled) finish(outcome, status);
      return outcome;
    },
    abandoned: () => {
      if (!settled) finish(undefined, undefined);
    },
  };
}
