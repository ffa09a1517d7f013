/** Consecutive network failures on one path before it rests as a whole. */
const failuresBeforeRest = 3;

/** Every key behind a resting path is out: the answer is "come back in `retryAfterMs`". */
export type PathDown = { kind: 'path-down'; retryAfterMs: number };

/**
 * The health of the ways out: the upstream origin, or each outbound proxy (`PROXY_URLS`). A
 * network failure (reset, refused, TLS, DNS, connect timeout) is the path's, not the key's; a path
 * that keeps failing rests (1 s · 2^k, capped), and every key behind it with it. Any HTTP answer
 * through the path ends its streak.
 */
export class PathHealth {
  readonly #paths = new Map<string, { streak: number; until: number }>();
  readonly #baseMs: number;
  readonly #maxMs: number;

  constructor(options: { baseMs?: number; maxMs?: number } = {}) {
    this.#baseMs = options.baseMs ?? 1000;
    this.#maxMs = options.maxMs ?? 30_000;
  }

  failed(path: string, now: number): void {
    const state = this.#paths.get(path) ?? { streak: 0, until: 0 };
    state.streak++;
    if (state.streak >= failuresBeforeRest) {
      const delay = Math.min(
        this.#maxMs,
        this.#baseMs * 2 ** Math.min(state.streak - failuresBeforeRest, 20),
      );
      state.until = Math.max(state.until, now + delay);
    }
    this.#paths.set(path, state);
  }

  answered(path: string): void {
    this.#paths.delete(path);
  }

  /** Epoch ms until which the path rests, when it does. */
  restingUntil(path: string, now: number): number | undefined {
    const until = this.#paths.get(path)?.until ?? 0;
    return until > now ? until : undefined;
  }
}
