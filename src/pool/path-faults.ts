/** No key reached Google: a proxy or gateway in between stripped it. Never the key's fault. */
export const unregisteredCaller = 'UNREGISTERED_CALLER';

/** Two keys dead for the same reason within this long is a pattern, not two dead keys. */
const burstMs = 10_000;
/** How long a suspicion holds without a new re-check. */
const suspicionMs = 60_000;
/** Reports remembered per reason: enough to see a burst. */
const remembered = 8;

export type DeadKeyVerdict =
  /** One key, its own reason: disable it. */
  | { kind: 'disable' }
  /** A fault of the path or configuration: disable nothing. `verify` is set when this report opened the suspicion. */
  | { kind: 'path-fault'; verify: boolean; burst: string[] };

/**
 * Tells a dead key from a systemic fault: "unregistered callers" (no key arrived), or the same
 * dead-key reason from several keys within seconds (a client header, a proxy, a project-wide
 * change). While a suspicion is open (one key being re-checked), that reason disables nothing.
 */
export class PathFaults {
  readonly #recent = new Map<string, Array<{ keyId: string; at: number }>>();
  readonly #suspected = new Map<string, number>();

  judge(keyId: string, reason: string, now: number): DeadKeyVerdict {
    const open = this.#suspected.get(reason);
    if (open !== undefined && now - open < suspicionMs)
      return { kind: 'path-fault', verify: false, burst: [] };
    const recent = (this.#recent.get(reason) ?? []).filter((report) => now - report.at < burstMs);
    const others = recent.filter((report) => report.keyId !== keyId);
    if (reason !== unregisteredCaller && others.length === 0) {
      recent.push({ keyId, at: now });
      this.#recent.set(reason, recent.slice(-remembered));
      return { kind: 'disable' };
    }
    this.#suspected.set(reason, now);
    this.#recent.delete(reason);
    return { kind: 'path-fault', verify: true, burst: others.map((report) => report.keyId) };
  }

  /**
   * The re-check ended. A dead key closes the suspicion (the reason is judged afresh, key by key);
   * anything else keeps it open for a minute more, so the pattern cannot disable keys one by one.
   */
  settle(reason: string, keyDead: boolean, now: number): void {
    if (keyDead) this.#suspected.delete(reason);
    else this.#suspected.set(reason, now);
  }
}
