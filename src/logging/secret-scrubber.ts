import { fingerprintKey } from '../secrets/fingerprint.ts';

/** Google API keys have this shape; anything like it is masked even if we never configured it. */
const googleKeyPattern = 'AIza[0-9A-Za-z_-]{35}';

/**
 * Last line of defence for logs: every known secret (pool keys, client tokens, admin token) and
 * anything shaped like a Google key becomes its fingerprint before a line is written. Code should
 * never log a secret in the first place; this catches what slips through (an upstream message
 * that quotes the key, a third-party error).
 */
export class SecretScrubber {
  #secrets = new Set<string>();
  #pattern: RegExp | undefined;
  readonly #enabled: boolean;

  constructor(options: { enabled?: boolean } = {}) {
    this.#enabled = options.enabled !== false;
  }

  add(secrets: Iterable<string>): void {
    for (const secret of secrets) if (secret.length >= 4) this.#secrets.add(secret);
    this.#pattern = undefined;
  }

  delete(secret: string): void {
    this.#secrets.delete(secret);
    this.#pattern = undefined;
  }

  scrub(text: string): string {
    if (!this.#enabled) return text;
    // One pass: the configured secrets (longest first) and anything shaped like a Google key.
    this.#pattern ??= new RegExp(
      [
        ...[...this.#secrets]
          .sort((left, right) => right.length - left.length)
          .map((secret) => secret.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')),
        googleKeyPattern,
      ].join('|'),
      'g',
    );
    return text.replace(this.#pattern, mask);
  }
}

const mask = (match: string) => fingerprintKey(match);
