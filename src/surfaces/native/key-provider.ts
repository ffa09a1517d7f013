import { fingerprintSecret } from '../../auth/fingerprint.ts';

export type KeyLease = { id: string; fingerprint: string; secret: string };
export type NoKey = { kind: 'cooling'; retryAfterMs: number } | { kind: 'all-dead' } | { kind: 'empty' };

/** What a surface needs from the key pool: a key for this model now, or why there is none. */
export interface KeyProvider {
  acquire(
    model: string | undefined,
    options?: { preferKeyId?: string; exclude?: ReadonlySet<string> },
  ): KeyLease | NoKey;
}

export function isLease(value: KeyLease | NoKey): value is KeyLease {
  return 'secret' in value;
}

/** Plain round robin, the stand-in until the real pool lands. */
export class RoundRobinKeys implements KeyProvider {
  readonly #leases: KeyLease[];
  #next = 0;

  constructor(secrets: readonly string[]) {
    this.#leases = secrets.map((secret) => {
      const fingerprint = fingerprintSecret(secret);
      return { id: fingerprint, fingerprint, secret };
    });
  }

  acquire(_model: string | undefined, options: { preferKeyId?: string } = {}): KeyLease | NoKey {
    if (this.#leases.length === 0) return { kind: 'empty' };
    const preferred = options.preferKeyId && this.#leases.find((lease) => lease.id === options.preferKeyId);
    if (preferred) return preferred;
    const lease = this.#leases[this.#next % this.#leases.length]!;
    this.#next = (this.#next + 1) % this.#leases.length;
    return lease;
  }
}
