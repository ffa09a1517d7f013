import { normalizeModel } from '../gemini/model-name.ts';
import { fingerprintKey } from '../secrets/fingerprint.ts';
import { addCounters, type KeyStateChange } from '../store/key-state-change.ts';
import type { KeyCounterName, KeyHealth, KeyStateStore, StoredKeyState } from '../store/key-state-store.ts';
import { AvailabilityIndex } from './availability-index.ts';
import { type KeyEntry, type KeyView, restoreEntry, takeCensus, toKeyView } from './key-entry.ts';
import type { AcquireOptions, KeyPoolOptions, KeyPoolStats, ReportVerdict } from './key-pool-options.ts';
import { type RecheckLoop, type RecheckOptions, rotateQueue, startKeyRechecks } from './key-recheck-loop.ts';
import { defaultBackoff, KeyRests } from './key-rests.ts';
import { KnownModels } from './known-models.ts';
import { type AcquireResult, Lease } from './lease.ts';
import type { Outcome } from './outcome.ts';
import { PathFaults } from './path-faults.ts';
import type { PoolEventListener } from './pool-events.ts';
import { QuotaRests } from './quota-rests.ts';
import { verifyPathFault } from './verify-path-fault.ts';

export type { AcquireOptions, KeyPoolOptions, KeyPoolStats, ReportVerdict } from './key-pool-options.ts';

/**
 * The keys behind the endpoint: who serves next, who is cooling, who is dead. Framework-free.
 * Live state is in memory; every change is written behind to the store, keyed by fingerprint.
 * State per model is kept only for names Gemini vouched for (`KnownModels`).
 */
export class KeyPool {
  #entries = new Map<string, KeyEntry>();
  #index: AvailabilityIndex;
  #store: KeyStateStore;
  #now: () => number;
  #rests: KeyRests;
  #enabledCount = 0;
  /** Keys Gemini disabled, in re-check order (a Set keeps insertion order). */
  #recheckQueue = new Set<string>();
  #saved: Map<string, StoredKeyState>;
  #models: KnownModels;
  #quota: QuotaRests;
  #faults = new PathFaults();
  #onEvent: PoolEventListener;
  #rechecks: RecheckLoop | undefined;

  constructor(options: KeyPoolOptions) {
    this.#store = options.store;
    this.#now = options.now ?? Date.now;
    this.#onEvent = options.onEvent ?? (() => {});
    this.#index = new AvailabilityIndex(options.maxModels ?? 64);
    const backoff = options.transientBackoff ?? defaultBackoff(options.quotaMinuteMs);
    this.#rests = new KeyRests(this.#index, this.#store, backoff, options.random ?? Math.random);
    this.#models = new KnownModels({
      ...(options.maxKnownModels === undefined ? {} : { max: options.maxKnownModels }),
      onEvict: (model) => this.#forgetModel(model),
    });
    const parts = { rests: this.#rests, models: this.#models, store: this.#store, emit: this.#onEvent };
    const { quotaMinuteMs: minuteMs, quotaMarginMs: marginMs, quotaCount: policy } = options;
    this.#quota = new QuotaRests(parts, { minuteMs, marginMs, policy });
    this.#saved = this.#store.load(this.#now());
    for (const secret of options.keys) this.add(secret);
  }

  /** Adds a key (idempotent) and returns its id; state saved under its fingerprint is restored. */
  add(secret: string): string {
    const trimmed = secret.trim();
    if (trimmed === '') throw new TypeError('An API key cannot be empty.');
    const id = fingerprintKey(trimmed);
    if (this.#entries.has(id)) return id;
    const saved = this.#saved.get(id);
    this.#saved.delete(id);
    const entry = restoreEntry(new Lease(id, trimmed), this.#index.reserveSlot(), saved);
    // Names saved with state were vouched for when it was saved.
    for (const model of entry.cooldowns.keys()) {
      this.#models.accept(model);
      this.#rests.register(entry, model);
    }
    this.#quota.restore(id, saved?.limits ?? new Map());
    this.#entries.set(id, entry);
    if (entry.disabled === undefined) this.#enabledCount++;
    else if (entry.disabled.by === 'upstream') this.#recheckQueue.add(id);
    this.#index.insert(entry, this.#now());
    return id;
  }

  /** Drops a key and everything stored about it. */
  remove(id: string): boolean {
    const entry = this.#entries.get(id);
    if (entry === undefined) return false;
    this.#index.delete(entry);
    this.#entries.delete(id);
    this.#recheckQueue.delete(id);
    this.#quota.windows.forget(id);
    if (entry.disabled === undefined) this.#enabledCount--;
    this.#store.forget(id);
    return true;
  }

  /** Puts a disabled key back in service, with a clean slate (no streak, no back-off). */
  enable(id: string, by: 'admin' | 'recheck' | 'path-fault' = 'admin'): boolean {
    const entry = this.#entries.get(id);
    if (entry === undefined) return false;
    if (entry.disabled === undefined) return true;
    this.#setHealth(entry, { disabled: undefined, failureStreak: 0, backoffUntil: 0 });
    this.#onEvent({ type: 'key-revived', keyFingerprint: id, by });
    return true;
  }

  /** An admin's decision: the key stays out (and is not re-checked) until enabled. */
  disable(id: string, reason: string): boolean {
    const entry = this.#entries.get(id);
    if (entry === undefined) return false;
    this.#disable(entry, reason, 'admin');
    return true;
  }

  /** Re-enables a key after a successful re-check, unless an admin disabled it meanwhile. */
  reinstate(id: string, by: 'recheck' | 'path-fault' = 'recheck', reason?: string): boolean {
    const entry = this.#entries.get(id);
    if (entry?.disabled?.by !== 'upstream') return false;
    if (reason !== undefined && entry.disabled.reason !== reason) return false;
    return this.enable(id, by);
  }

  get(id: string): KeyView | undefined {
    const entry = this.#entries.get(id);
    return entry === undefined ? undefined : toKeyView(entry, this.#now());
  }

  /** O(n): for the admin page, not the hot path. */
  list(): KeyView[] {
    const now = this.#now();
    return [...this.#entries.values()].map((entry) => toKeyView(entry, now));
  }

  stats(): KeyPoolStats {
    const total = this.#entries.size;
    return { total, enabled: this.#enabledCount, disabled: total - this.#enabledCount };
  }

  /** O(n): usable now, resting (cooling on some model or backing off), disabled; for the start line. */
  census(): ReturnType<typeof takeCensus> {
    return takeCensus(this.#entries.values(), this.#now());
  }

  /** Whether the pool keeps per-model state for `model` now (see `KnownModels`). */
  tracksModel(model: string): boolean {
    return this.#models.has(normalizeModel(model));
  }

  /** Per key, the per-minute request limits learnt from 429s: O(n), for the admin page. */
  learntLimits(): Map<string, Array<{ model: string; limit: number; windowMs: number }>> {
    return this.#quota.windows.learnt();
  }

  /** Model names Gemini lists (models.list): the pool may keep state for them. */
  learnModels(models: Iterable<string>): void {
    for (const model of models) this.#models.accept(normalizeModel(model));
  }

  /** The next key, round robin, that can serve `model` now. O(1) amortised. */
  acquire(model: string, options: AcquireOptions = {}): AcquireResult {
    if (options.preferKeyId !== undefined)
      return this.#acquirePreferred(options.preferKeyId, options, normalizeModel(model));
    const now = this.#now();
    const state = normalizeModel(model);
    const picked = this.#index.pick(state, now, options.exclude);
    if (picked !== undefined && picked !== 'exhausted') return picked.lease;
    if (this.#entries.size === 0) return { kind: 'empty' };
    if (this.#enabledCount === 0) return { kind: 'all-dead' };
    if (picked === 'exhausted') return { kind: 'exhausted' };
    const earliest = this.#index.earliest(state) ?? now + this.#rests.baseMs;
    const cause = this.#rests.transientRest(state, now) ? 'resting' : 'quota';
    return { kind: 'cooling', retryAfterMs: Math.max(0, earliest - now), cause };
  }

  /** An attempt with this key is about to leave: counted against its learnt limits (full, it rests). */
  recordAttempt(id: string, model: string): void {
    const entry = this.#entries.get(id);
    if (entry !== undefined) this.#quota.attempt(entry, model, this.#now());
  }

  /** An attempt ended with no verdict (client gone, our refusal): the window layout still hears of it. */
  unanswered(id: string, model: string): void {
    this.#quota.windows.onAnswer(id, normalizeModel(model), 'other');
  }

  /** What became of an attempt with a key, as classified from the upstream answer. */
  report(id: string, model: string, outcome: Outcome): ReportVerdict {
    const entry = this.#entries.get(id);
    if (entry === undefined) return 'recorded'; // Removed while the request was in flight.
    const now = this.#now();
    this.#quota.answered(entry, model, outcome);
    switch (outcome.kind) {
      case 'ok':
        this.#count(entry, 'successes');
        this.#models.accept(normalizeModel(model));
        this.#rests.recovered(entry, normalizeModel(model));
        return 'recorded';
      case 'invalid':
        this.#count(entry, 'invalid');
        return entry.disabled === undefined ? this.#judgeDead(entry, outcome.reason, now) : 'recorded';
      case 'quota':
        this.#count(entry, 'quota');
        this.#quota.exhausted(entry, model, outcome, now);
        return 'recorded';
      case 'transient':
        this.#count(entry, 'transient');
        if (outcome.scope === 'model') {
          this.#models.track(normalizeModel(model));
          this.#rests.backOffModel(entry, normalizeModel(model), now);
        } else if (outcome.scope !== 'path') this.#rests.backOff(entry, now);
        return 'recorded';
      case 'client-error':
        this.#count(entry, 'clientErrors');
        return 'recorded';
    }
  }

  /** What another instance learnt, relayed by a shared store (which keeps it and sends it on to no one). */
  applyShared(change: KeyStateChange): void {
    const entry = this.#entries.get(change.fingerprint);
    if (entry === undefined) return;
    if (change.kind === 'health') this.#setHealth(entry, change.health);
    else if (change.kind === 'counters') addCounters(entry.counters, change.counters);
    else if (change.kind === 'limit') this.#quota.restore(entry.id, new Map([[change.model, change.limit]]));
    else {
      this.#models.accept(change.model); // Another instance's upstream vouched for the name.
      this.#rests.cool(entry, change.model, change.until, this.#now());
    }
  }

  /** Up to `limit` keys Gemini disabled, oldest re-check first; they move to the back of the queue. */
  nextRecheckBatch(limit: number): Lease[] {
    return rotateQueue(this.#recheckQueue, limit).flatMap((id) => this.#entries.get(id)?.lease ?? []);
  }

  /** Re-checks keys Gemini disabled in the background, and keys suspected in a path fault; see `startKeyRechecks`. */
  startRechecks(options: RecheckOptions): RecheckLoop {
    this.#rechecks = startKeyRechecks(this, options);
    return this.#rechecks;
  }

  #acquirePreferred(id: string, options: AcquireOptions, model: string): AcquireResult {
    const entry = this.#entries.get(id);
    const onQuota = options.onlyIfResting && !this.#rests.onlyTransient(entry, model, this.#now());
    if (entry === undefined || entry.disabled !== undefined || options.exclude?.has(id) || onQuota)
      return { kind: 'affinity-unavailable', id };
    return entry.lease;
  }

  /** A dead-key answer: the key's own death, or part of a pattern that is the path's fault. */
  #judgeDead(entry: KeyEntry, reason: string, now: number): ReportVerdict {
    const verdict = this.#faults.judge(entry.id, reason, now);
    if (verdict.kind === 'disable') {
      this.#disable(entry, reason, 'upstream');
      return 'recorded';
    }
    if (!verdict.verify) return 'path-fault';
    this.#onEvent({ type: 'path-fault', keyFingerprint: entry.id, reason, finding: 'suspected' });
    void verifyPathFault({
      lease: entry.lease,
      reason,
      burst: verdict.burst,
      check: this.#rechecks?.check,
      reinstate: (id) => this.reinstate(id, 'path-fault', reason),
      disable: () => entry.disabled === undefined && this.#disable(entry, reason, 'upstream'),
      emit: this.#onEvent,
    }).then((finding) => this.#faults.settle(reason, finding === 'key-dead', this.#now()));
    return 'path-fault';
  }

  #disable(entry: KeyEntry, reason: string, by: 'admin' | 'upstream'): void {
    this.#setHealth(entry, { ...entry, disabled: { reason, since: this.#now(), by } });
    this.#onEvent({ type: 'key-disabled', keyFingerprint: entry.id, reason, by });
  }

  /** Sets a key's health, keeping the enabled count, the re-check queue and the rings in step. */
  #setHealth(entry: KeyEntry, health: KeyHealth): void {
    if ((health.disabled === undefined) !== (entry.disabled === undefined))
      this.#enabledCount += health.disabled === undefined ? 1 : -1;
    if (health.disabled?.by === 'upstream') this.#recheckQueue.add(entry.id);
    else this.#recheckQueue.delete(entry.id);
    entry.disabled = health.disabled;
    entry.failureStreak = health.failureStreak;
    entry.backoffUntil = health.backoffUntil;
    this.#rests.saveHealth(entry);
    this.#index.place(entry, this.#now());
  }

  /** A model name evicted from the known ones: its state goes with it. O(keys that had state for it). */
  #forgetModel(model: string): void {
    for (const id of this.#rests.forgetModel(model)) this.#entries.get(id)?.cooldowns.delete(model);
    this.#index.dropLane(model);
    this.#quota.windows.forgetModel(model);
    this.#store.forgetModel(model);
  }

  #count(entry: KeyEntry, counter: KeyCounterName): void {
    entry.counters[counter]++;
    this.#store.increment(entry.id, counter);
  }
}
