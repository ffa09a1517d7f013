/**
 * Thought signatures Gemini gave out, remembered by tool-call id, so a signature a client dropped
 * can be put back on its `functionCall` part (see src/translate/thought-signatures.ts).
 *
 * `owner` is the client token's fingerprint (never the token): one client cannot read another's
 * entries. Entries are bounded by age and by count; the oldest go first. Asynchronous like every
 * store, so a shared engine (Redis) can implement it later.
 */
export interface SignatureStore {
  /** Remembers `signature` for each tool-call id of this owner (a later value replaces an earlier). */
  remember(
    owner: string,
    entries: ReadonlyArray<{ id: string; signature: string }>,
    now: number,
  ): Promise<void>;
  /** The signatures known for these ids, fresh at `now`; ids without one are absent from the map. */
  recall(owner: string, ids: readonly string[], now: number): Promise<Map<string, string>>;
}

export type SignatureStoreLimits = {
  /** How long a signature is kept; a tool loop rarely spans more than hours. */
  maxAgeMs: number;
  /** How many entries at most, all owners together. */
  maxEntries: number;
};

export const defaultSignatureLimits: SignatureStoreLimits = { maxAgeMs: 24 * 3600_000, maxEntries: 50_000 };
