/** Where state about model names nobody has vouched for goes: one shared lane, one cooldown per key. */
export const unknownModel = '(unknown model)';

/**
 * The model names the pool keeps state for: those Gemini accepted (a 2xx, or a 429 whose
 * QuotaFailure names the model) or listed. Any other name a client sends shares one state with
 * every other unvouched name, so ten thousand invented names cost one lane, not ten thousand.
 * Bounded: past `max` names, the least recently vouched one is forgotten (`onEvict`).
 */
export class KnownModels {
  readonly #names = new Map<string, number>();
  readonly #max: number;
  readonly #onEvict: (model: string) => void;
  #clock = 0;

  constructor(options: { max?: number; onEvict?: (model: string) => void } = {}) {
    this.#max = Math.max(1, options.max ?? 256);
    this.#onEvict = options.onEvict ?? (() => {});
  }

  /** The name state is kept under: the model itself when known, else the shared unknown name. */
  stateName(model: string): string {
    return this.#names.has(model) ? model : unknownModel;
  }

  has(model: string): boolean {
    return this.#names.has(model);
  }

  /** Gemini vouched for `model` (again). Refreshing costs a map write only every so often. */
  accept(model: string): void {
    const stamp = this.#names.get(model);
    this.#clock++;
    if (stamp !== undefined) {
      // Move to the back of the eviction order at most once per `max` acceptances.
      if (this.#clock - stamp < this.#max) return;
      this.#names.delete(model);
    } else if (this.#names.size >= this.#max) {
      const oldest = this.#names.keys().next().value;
      if (oldest !== undefined) {
        this.#names.delete(oldest);
        this.#onEvict(oldest);
      }
    }
    this.#names.set(model, this.#clock);
  }

  get size(): number {
    return this.#names.size;
  }
}
