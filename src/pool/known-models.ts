/** A bounded set of names, oldest first out (a Map keeps insertion order). */
class NameSet {
  readonly #names = new Map<string, number>();
  readonly #max: number;
  #clock = 0;

  constructor(max: number) {
    this.#max = Math.max(1, max);
  }

  has(name: string): boolean {
    return this.#names.has(name);
  }

  /** Adds or refreshes `name` (a refresh moves it back at most once per `max` touches); returns the name pushed out. */
  touch(name: string): string | undefined {
    this.#clock++;
    const stamp = this.#names.get(name);
    let evicted: string | undefined;
    if (stamp !== undefined) {
      if (this.#clock - stamp < this.#max) return undefined;
      this.#names.delete(name);
    } else if (this.#names.size >= this.#max) {
      evicted = this.#names.keys().next().value;
      if (evicted !== undefined) this.#names.delete(evicted);
    }
    this.#names.set(name, this.#clock);
    return evicted;
  }

  delete(name: string): boolean {
    return this.#names.delete(name);
  }

  get size(): number {
    return this.#names.size;
  }
}

/**
 * The model names the pool keeps state for (cooldowns, back-off streaks, learnt limits), so that
 * client-chosen names cost bounded memory and storage. Names Gemini vouched for (a 2xx, a 429
 * whose QuotaFailure names the model, the models list) are kept up to `max`; any other name gets
 * state only while it is among the last `maxUnvouched` such names. A name pushed out of either set
 * loses its state (`onEvict`); the least recently vouched or used goes first.
 */
export class KnownModels {
  readonly #vouched: NameSet;
  readonly #unvouched: NameSet;
  readonly #onEvict: (model: string) => void;

  constructor(options: { max?: number; maxUnvouched?: number; onEvict?: (model: string) => void } = {}) {
    this.#vouched = new NameSet(options.max ?? 256);
    this.#unvouched = new NameSet(options.maxUnvouched ?? 32);
    this.#onEvict = options.onEvict ?? (() => {});
  }

  /** Whether state is kept for `model` now. */
  has(model: string): boolean {
    return this.#vouched.has(model) || this.#unvouched.has(model);
  }

  vouched(model: string): boolean {
    return this.#vouched.has(model);
  }

  /** Gemini vouched for `model`. */
  accept(model: string): void {
    this.#unvouched.delete(model);
    const evicted = this.#vouched.touch(model);
    if (evicted !== undefined) this.#onEvict(evicted);
  }

  /** State is about to be kept for `model`: an unvouched name takes one of the few places for such names. */
  track(model: string): void {
    if (this.#vouched.has(model)) return;
    const evicted = this.#unvouched.touch(model);
    if (evicted !== undefined) this.#onEvict(evicted);
  }

  get size(): number {
    return this.#vouched.size + this.#unvouched.size;
  }
}
