import { normalizeModel } from '../gemini/model-name.ts';
import type { KeyPool } from '../pool/key-pool.ts';
import type { Lease, Unavailable } from '../pool/lease.ts';
import type { Outcome } from '../pool/outcome.ts';
import { RestingKeys } from '../pool/resting-keys.ts';
import { type PathDown, PathHealth } from './path-health.ts';

/** Keys behind a resting path skipped per pick before the call is told the path is down. */
const maxPathSkips = 8;

export type KeyChoice = Lease | Unavailable | PathDown;

/**
 * Which key tries next, and what the pool learns from its answer: probing of unproven keys, keys
 * resting after a 5xx, the health of the path each key's calls take (origin or outbound proxy).
 * Learnt request limits are the pool's (`recordAttempt`). Shared by HTTP calls and Live sessions.
 */
export class KeyChooser {
  readonly #pool: KeyPool;
  /** Keys that have given an answer since start. */
  readonly #proven = new Set<string>();
  /** Unproven keys with their first request in flight: nobody else gets them until it answers. */
  readonly #probing = new Map<string, number>();
  /** Keys resting after a 5xx on a model: a last resort before "come back later". */
  readonly #resting = new RestingKeys();
  readonly #paths = new PathHealth();
  readonly #pathOf: (keyId: string) => string;

  constructor(options: { pool: KeyPool; pathOf?: ((keyId: string) => string) | undefined }) {
    this.#pool = options.pool;
    this.#pathOf = options.pathOf ?? (() => 'upstream');
  }

  /** Per key, the per-minute request limits learnt from 429s (for the admin page). */
  learntLimits(): ReturnType<KeyPool['learntLimits']> {
    return this.#pool.learntLimits();
  }

  /**
   * A key whose path rests is skipped. A key nobody has heard from since start may be dead: while
   * its first request is in flight, other requests pick other keys, so a dead key costs one call,
   * not one per concurrent request. When only such keys are left, they are shared after all.
   */
  acquire(model: string, tried: ReadonlySet<string>, preferKeyId: string | undefined): KeyChoice {
    const skipped = new Set(tried);
    let pathDown: number | undefined;
    let choice = this.#acquire(model, skipped, preferKeyId);
    for (let pick = 0; choice.kind === 'lease' && pick < maxPathSkips; pick++) {
      const resting = this.#paths.restingUntil(this.#pathOf(choice.id), Date.now());
      if (resting === undefined) return choice;
      pathDown = Math.min(pathDown ?? resting, resting);
      skipped.add(choice.id);
      if (preferKeyId !== undefined) break;
      choice = this.#acquire(model, skipped, preferKeyId);
    }
    return pathDown === undefined ? choice : { kind: 'path-down', retryAfterMs: pathDown - Date.now() };
  }

  /**
   * How long to wait for a key, when every key is out of quota or resting but one frees up within
   * `briefMs` (a window opening, the count's margin passing): the call waits that long rather than
   * being refused while a key is about to have room. Undefined otherwise.
   */
  briefWait(choice: KeyChoice, briefMs: number): number | undefined {
    return choice.kind === 'cooling' && choice.retryAfterMs <= briefMs ? choice.retryAfterMs + 1 : undefined;
  }

  /**
   * A key resting on this model after a 5xx, if any is left to try: the longest-resting first; one
   * the pool refuses now (a 429 since, a learnt limit reached) gives way to the next.
   */
  restingLease(model: string, tried: ReadonlySet<string>): Lease | undefined {
    const skipped = new Set(tried);
    for (let spare = this.#resting.pick(normalizeModel(model), skipped); spare !== undefined; ) {
      const lease = this.#pool.acquire(model, { preferKeyId: spare, exclude: tried, onlyIfResting: true });
      if (lease.kind === 'lease') return lease;
      skipped.add(spare);
      spare = this.#resting.pick(normalizeModel(model), skipped);
    }
    return undefined;
  }

  /**
   * One attempt starts with this key: counted against its learnt limit, probed if unproven. Call
   * the returned `settle` once, with whether the key gave an answer (an HTTP status, an open session).
   */
  begin(keyId: string, model: string): (answered: boolean) => void {
    this.#pool.recordAttempt(keyId, model);
    const probe = !this.#proven.has(keyId);
    // Counted: when only probing keys are left they are shared, and the first answer must not
    // release a key another request is still probing.
    if (probe) this.#probing.set(keyId, (this.#probing.get(keyId) ?? 0) + 1);
    return (answered) => {
      if (probe) this.#release(keyId);
      if (answered) this.#proven.add(keyId);
    };
  }

  /**
   * The pool, the resting keys and the path hear what the key's answer meant. Returns `path-fault`
   * when the pool judged a dead-key answer to be the path's or the configuration's fault.
   */
  learn(keyId: string, model: string, outcome: Outcome): 'recorded' | 'path-fault' {
    const verdict = this.#pool.report(keyId, model, outcome);
    const requested = normalizeModel(model);
    if (outcome.kind === 'ok') this.#resting.clear(keyId, requested);
    if (outcome.kind === 'transient' && outcome.scope === 'model') this.#resting.rest(keyId, requested);
    return verdict;
  }

  /** An attempt that ends with no verdict on its key (the client left, our own refusal): see `KeyPool.unanswered`. */
  unheard(keyId: string, model: string): void {
    this.#pool.unanswered(keyId, model);
  }

  /** Whether the path of this key's calls worked: an HTTP answer (`true`) or a network failure. */
  pathAnswered(keyId: string, answered: boolean): void {
    const path = this.#pathOf(keyId);
    if (answered) this.#paths.answered(path);
    else this.#paths.failed(path, Date.now());
  }

  #release(keyId: string): void {
    const count = (this.#probing.get(keyId) ?? 1) - 1;
    if (count > 0) this.#probing.set(keyId, count);
    else this.#probing.delete(keyId);
  }

  #acquire(model: string, tried: ReadonlySet<string>, preferKeyId: string | undefined): Lease | Unavailable {
    const affinity = preferKeyId === undefined ? {} : { preferKeyId };
    if (this.#probing.size === 0 || preferKeyId !== undefined)
      return this.#pool.acquire(model, { exclude: tried, ...affinity });
    const lease = this.#pool.acquire(model, { exclude: new Set([...tried, ...this.#probing.keys()]) });
    return lease.kind === 'lease' ? lease : this.#pool.acquire(model, { exclude: tried });
  }
}
