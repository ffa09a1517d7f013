/** What the operator should hear about: one warn line each (see `describePoolEvent`). */
export type PoolEvent =
  | { type: 'key-disabled'; keyFingerprint: string; reason: string; by: 'admin' | 'upstream' }
  | { type: 'key-revived'; keyFingerprint: string; by: 'admin' | 'recheck' | 'path-fault' }
  | { type: 'key-cooling-for-day'; keyFingerprint: string; model: string; until: number }
  /**
   * Keys look dead for a reason that is not theirs: no key reached Google ("unregistered callers"),
   * or several keys gave the same dead-key reason within seconds. Nothing is disabled; one key is
   * re-checked with a plain models.list, and `finding` says what that showed.
   */
  | {
      type: 'path-fault';
      keyFingerprint: string;
      reason: string;
      finding: 'suspected' | 'key-works' | 'key-dead' | 'path-broken' | 'unverified';
    }
  /** What 429s showed about how Gemini lays out its per-minute windows (see `WindowLayout`). */
  | { type: 'window-layout'; verdict: 'phased' | 'refuted' };

export type PoolEventListener = (event: PoolEvent) => void;

const findings: Record<Extract<PoolEvent, { type: 'path-fault' }>['finding'], string> = {
  suspected:
    'keys rejected for a reason that is not theirs (no key reached Google, or several keys at once): nothing disabled, re-checking one key',
  'key-works':
    'the re-checked key works with a plain models.list: the fault is the path (proxy, gateway) or what the client sent, not the keys',
  'key-dead': 'the re-checked key is dead too: it is disabled, the others are judged one by one',
  'path-broken':
    'even a plain models.list reaches Google without a key: a proxy or gateway between us and Google strips it; fix the path, no key was disabled',
  unverified: 'the re-check of the key failed; nothing disabled',
};

/** The log line for an event: a message and its level. */
export function describePoolEvent(event: PoolEvent): { level: 'warn' | 'error'; message: string } {
  switch (event.type) {
    case 'key-disabled':
      return { level: 'warn', message: `key disabled (${event.by}): ${event.reason}` };
    case 'key-revived':
      return { level: 'warn', message: `key back in service (${event.by})` };
    case 'key-cooling-for-day':
      return {
        level: 'warn',
        message: `key out of its daily quota for ${event.model} until ${new Date(event.until).toISOString()}`,
      };
    case 'window-layout':
      return {
        level: 'warn',
        message:
          event.verdict === 'phased'
            ? 'per-minute windows are phased (learnt from 429s): each key now fills every window to its learnt limit'
            : 'per-minute windows are not phased (a call they allowed got a 429, or one they would refuse was accepted): each key now fills every window that opens at its first call',
      };
    case 'path-fault':
      return {
        level: 'error',
        message: `path or configuration fault (${event.reason}): ${findings[event.finding]}`,
      };
  }
}
