import { type AppError, errors } from '../errors/app-error.ts';
import type { Unavailable } from '../pool/lease.ts';
import type { PathDown } from './path-health.ts';

const seconds = (milliseconds: number): number => Math.max(1, Math.ceil(milliseconds / 1000));

/** Why no key was handed out, as the error the client gets: each case in its own words. */
export function unavailableError(reason: Unavailable | PathDown, model: string | undefined): AppError {
  switch (reason.kind) {
    case 'cooling':
      return reason.cause === 'quota'
        ? errors.allKeysCooling(model ?? 'this model', seconds(reason.retryAfterMs))
        : errors.keysResting(model ?? 'this model', seconds(reason.retryAfterMs));
    case 'path-down':
      return errors.upstreamPathDown(seconds(reason.retryAfterMs));
    case 'all-dead':
      return errors.allKeysDead();
    case 'affinity-unavailable':
      return errors.affinityKeyUnavailable();
    case 'exhausted':
      return errors.upstreamUnreachable();
    default:
      return errors.noKeysConfigured();
  }
}
