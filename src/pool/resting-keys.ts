/** How long a rest is remembered at most: the longest transient back-off. */
const memoryMs = 60_000;
/** Models with resting keys remembered at most. */
const maxModels = 64;

/**
 * Keys resting on a model after a 5xx. Unlike a quota (Gemini said so), that rest is our guess: when
 * every key is unavailable for the model and some only rest, one of them is worth a try before
 * telling the client to come back later.
 */
export class RestingKeys {
  readonly #byModel = new Map<string, Map<string, number>>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  rest(keyId: string, model: string): void {
    let keys = this.#byModel.get(model);
    if (keys === undefined) {
      keys = new Map();
      // Bounded: client-chosen model names must not grow this (the oldest model's rests go first).
      if (this.#byModel.size >= maxModels) this.#byModel.delete(this.#byModel.keys().next().value ?? '');
      this.#byModel.set(model, keys);
    }
    keys.delete(keyId); // re-inserted last: the oldest rest is offered first
    keys.set(keyId, this.#now());
  }

  clear(keyId: string, model: string): void {
    const keys = this.#byModel.get(model);
    keys?.delete(keyId);
    if (keys?.size === 0) this.#byModel.delete(model);
  }

  /** A key resting on this model, not in `exclude`, longest-resting first. */
  pick(model: string, exclude: ReadonlySet<string>): string | undefined {
    const keys = this.#byModel.get(model);
    if (keys === undefined) return undefined;
    const now = this.#now();
    for (const [keyId, since] of keys) {
      if (now - since > memoryMs) keys.delete(keyId);
      else if (!exclude.has(keyId)) return keyId;
    }
    return undefined;
  }
}
