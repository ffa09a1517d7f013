import { type AppError, errors } from '../errors/app-error.ts';
import type { Unavailable } from '../pool/lease.ts';

/** Why the pool handed out no key, as the error the client gets. */
export function unavailableError(reason: Unavailable, model: string | undefined): AppError {
  switch (reason.kind) {
    case 'cooling':
      return errors.allKeysCooling(model ?? 'this model', Math.max(1, Math.ceil(reason.retryAfterMs / 1000)));
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
