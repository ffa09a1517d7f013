import type { KeyPool } from '../pool/key-pool.ts';
import { Lease } from '../pool/lease.ts';
import type { Outcome } from '../pool/outcome.ts';
import { fingerprintKey } from '../secrets/fingerprint.ts';
import type { RuntimeKeyStore } from '../store/runtime-key-store.ts';
import { extractKeys } from './extract-keys.ts';
import { type VerifyTask, VerifyTasks } from './verify-tasks.ts';

/** One cheap authenticated call with the key (the service's re-check call). */
export type CheckKey = (lease: Lease, signal: AbortSignal) => Promise<Outcome>;

export type AddedKey = { fingerprint: string; added: boolean; outcome: string | undefined };
export type KeySource = 'config' | 'runtime';

const verifyTimeoutMs = 30_000;

/**
 * The admin's hands on the pool: adds keys from free text (stored sealed, see RuntimeKeyStore),
 * verifies, enables, disables, deletes and exports them. Secrets stay in leases here and in the
 * pool; only `export` hands them out.
 */
export class AdminKeys {
  readonly #pool: KeyPool;
  readonly #runtime: RuntimeKeyStore;
  readonly #check: CheckKey;
  readonly #leases = new Map<string, Lease>();
  readonly #configured = new Set<string>();
  readonly tasks: VerifyTasks;

  constructor(options: {
    pool: KeyPool;
    runtime: RuntimeKeyStore;
    configured: readonly string[];
    check: CheckKey;
    concurrency: number;
  }) {
    this.#pool = options.pool;
    this.#runtime = options.runtime;
    this.#check = options.check;
    this.tasks = new VerifyTasks(options.concurrency);
    for (const secret of options.configured) {
      const id = this.#remember(secret);
      this.#configured.add(id);
    }
  }

  get persistent(): boolean {
    return this.#runtime.persistent;
  }

  /** Puts the keys added at runtime back in the pool; returns the fingerprints that could not be decrypted. */
  restore(): string[] {
    const { secrets, unreadable } = this.#runtime.load();
    for (const secret of secrets) {
      this.#remember(secret);
      this.#pool.add(secret);
    }
    return unreadable;
  }

  source(id: string): KeySource {
    return this.#configured.has(id) ? 'config' : 'runtime';
  }

  /** Extracts keys from free text, adds the new ones and verifies each; known keys are reported, not re-added. */
  async add(text: string): Promise<AddedKey[]> {
    const results: AddedKey[] = [];
    const fresh: string[] = [];
    for (const secret of extractKeys(text)) {
      const fingerprint = fingerprintKey(secret);
      const known = this.#pool.get(fingerprint) !== undefined;
      results.push({ fingerprint, added: !known, outcome: undefined });
      if (known) continue;
      this.#remember(secret);
      this.#runtime.save(secret);
      this.#pool.add(secret);
      fresh.push(fingerprint);
    }
    const task = this.tasks.start(fresh, (id) => this.verify(id));
    await this.tasks.finished(task.id);
    for (const result of results) result.outcome = task.results[result.fingerprint];
    return results;
  }

  /** Checks one key with Google and applies the answer: a dead key is disabled, a revived one reinstated. */
  async verify(id: string): Promise<string> {
    const lease = this.#leases.get(id);
    if (lease === undefined || this.#pool.get(id) === undefined) return 'unknown';
    const outcome = await this.#check(lease, AbortSignal.timeout(verifyTimeoutMs));
    if (outcome.kind === 'invalid') this.#pool.report(id, '*', outcome);
    if (outcome.kind === 'ok') this.#pool.reinstate(id);
    return outcome.kind;
  }

  startVerify(ids: readonly string[] | undefined): VerifyTask {
    const known = (ids ?? this.#pool.list().map((key) => key.id)).filter((id) => this.#leases.has(id));
    return this.tasks.start(known, (id) => this.verify(id));
  }

  /** Deletes a key (a configured one comes back at the next start). */
  remove(id: string): boolean {
    const removed = this.#pool.remove(id);
    if (removed) {
      this.#runtime.remove(id);
      if (!this.#configured.has(id)) this.#leases.delete(id);
    }
    return removed;
  }

  /** The secrets themselves, for the explicit export only. */
  export(state: 'all' | 'active' | 'disabled'): string[] {
    return this.#pool
      .list()
      .filter((key) => state === 'all' || (state === 'active') === key.enabled)
      .flatMap((key) => {
        const lease = this.#leases.get(key.id);
        return lease === undefined ? [] : [lease.secret];
      });
  }

  #remember(secret: string): string {
    const trimmed = secret.trim();
    const id = fingerprintKey(trimmed);
    if (!this.#leases.has(id)) this.#leases.set(id, new Lease(id, trimmed));
    return id;
  }
}
