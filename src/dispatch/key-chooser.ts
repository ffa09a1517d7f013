import { normalizeModel } from '../gemini/model-name.ts';
import type { KeyPool } from '../pool/key-pool.ts';
import type { Lease, Unavailable } from '../pool/lease.ts';
import type { Outcome } from '../pool/outcome.ts';
import { QuotaWindows } from '../pool/quota-windows.ts';
import { RestingKeys } from '../pool/resting-keys.ts';

/**
 * Which key tries next, and what the pool learns from its answer: probing of unproven keys, learnt
 * per-minute request windows, keys resting after a 5xx. Shared by HTTP calls and Live sessions.
 */
export class KeyChooser {
  readonly #pool: KeyPool;
  /** Keys that have given an answer since start. */
  readonly #proven = new Set<string>();
  /** Unproven keys with their first request in flight: nobody else gets them until it answers. */
  readonly #probing = new Map<string, number>();
  /** Per-minute request quotas learnt from 429s, counted so keys rest before the next one. */
  readonly #windows: QuotaWindows;
  /** Keys resting after a 5xx on a model: a last resort before "come back later". */
  readonly #resting = new RestingKeys();

  constructor(options: { pool: KeyPool; quotaMinuteMs?: number | undefined }) {
    this.#pool = options.pool;
    this.#windows = new QuotaWindows(
      options.quotaMinuteMs === undefined ? {} : { minuteMs: options.quotaMinuteMs },
    );
  }

  /** Per key, the per-minute request limits learnt from 429s (for the admin page). */
  learntLimits(): ReturnType<QuotaWindows['learnt']> {
    return this.#windows.learnt();
  }

  /**
   * A key nobody has heard from since start may be dead: while its first request is in flight,
   * other requests pick other keys, so a dead key costs one call, not one per concurrent request.
   * When only such keys are left, they are shared after all.
   */
  acquire(model: string, tried: ReadonlySet<string>, preferKeyId: string | undefined): Lease | Unavailable {
    const affinity = preferKeyId === undefined ? {} : { preferKeyId };
    if (this.#probing.size === 0 || preferKeyId !== undefined)
      return this.#pool.acquire(model, { exclude: tried, ...affinity });
    const lease = this.#pool.acquire(model, { exclude: new Set([...tried, ...this.#probing.keys()]) });
    return lease.kind === 'lease' ? lease : this.#pool.acquire(model, { exclude: tried });
  }

  /** A key resting on this model after a 5xx, if any is left to try. */
  restingLease(model: string, tried: ReadonlySet<string>): Lease | undefined {
    const spare = this.#resting.pick(normalizeModel(model), tried);
    if (spare === undefined) return undefined;
    const lease = this.#pool.acquire(model, { preferKeyId: spare, exclude: tried });
    return lease.kind === 'lease' ? lease : undefined;
  }

  /**
   * One attempt starts with this key: counted against its window, probed if unproven. Call the
   * returned `settle` once, with whether the key gave an answer (an HTTP status, an open session).
   */
  begin(keyId: string, model: string): (answered: boolean) => void {
    this.#countAgainstWindow(keyId, model);
    const probe = !this.#proven.has(keyId);
    // Counted: when only probing keys are left they are shared, and the first answer must not
    // release a key another request is still probing.
    if (probe) this.#probing.set(keyId, (this.#probing.get(keyId) ?? 0) + 1);
    return (answered) => {
      if (probe) this.#release(keyId);
      if (answered) this.#proven.add(keyId);
    };
  }

  /** The pool, the resting keys and the learnt windows hear what the key's answer meant. */
  learn(keyId: string, model: string, outcome: Outcome): void {
    this.#pool.report(keyId, model, outcome);
    const requested = normalizeModel(model);
    if (outcome.kind === 'ok') this.#resting.clear(keyId, requested);
    if (outcome.kind === 'transient' && outcome.scope === 'model') this.#resting.rest(keyId, requested);
    if (outcome.kind === 'quota' && !outcome.perDay) {
      const named = outcome.model === undefined ? requested : normalizeModel(outcome.model);
      this.#windows.onQuota(keyId, requested, outcome.requestLimit, outcome.retryAfterMs, Date.now(), named);
    }
  }

  #release(keyId: string): void {
    const count = (this.#probing.get(keyId) ?? 1) - 1;
    if (count > 0) this.#probing.set(keyId, count);
    else this.#probing.delete(keyId);
  }

  /** The lease that fills its key's known window is the last one: the key rests until the window ends. */
  #countAgainstWindow(keyId: string, model: string): void {
    const requested = normalizeModel(model);
    const full = this.#windows.onLease(keyId, requested, Date.now());
    if (full === undefined) return;
    this.#pool.coolUntil(keyId, requested, full);
    const counted = this.#windows.quotaModel(requested);
    if (counted !== requested) this.#pool.coolUntil(keyId, counted, full);
  }
}
