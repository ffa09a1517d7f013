/**
 * The right to use one key for one upstream attempt. One immutable instance per key, reused.
 * The secret is behind a getter on the prototype, so logging, `JSON.stringify` or `util.inspect`
 * of a lease never prints it (note: `{ ...lease }` drops it too).
 */
export class Lease {
  readonly kind = 'lease';
  readonly id: string;
  readonly fingerprint: string;
  readonly #secret: string;

  constructor(fingerprint: string, secret: string) {
    this.id = fingerprint;
    this.fingerprint = fingerprint;
    this.#secret = secret;
  }

  /** For the `x-goog-api-key` header only. */
  get secret(): string {
    return this.#secret;
  }
}

/** Why no key was handed out. */
export type Unavailable =
  /** No key is configured at all. */
  | { kind: 'empty' }
  /** Every key is disabled (invalid, suspended, or by an admin). */
  | { kind: 'all-dead' }
  /**
   * Every enabled key is out of quota for this model or resting; the first frees up in `retryAfterMs`.
   * `cause` is `quota` only when no key rests for a transient reason (a 5xx, a back-off): then the
   * pool really is out of quota for the model.
   */
  | { kind: 'cooling'; retryAfterMs: number; cause: 'quota' | 'resting' }
  /** Keys could serve, but every one of them is in `exclude` (already tried for this request). */
  | { kind: 'exhausted' }
  /** `preferKeyId` names a key that is disabled, removed or excluded: the resource it owns is out of reach. */
  | { kind: 'affinity-unavailable'; id: string };

export type AcquireResult = Lease | Unavailable;
