import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const digest = (value: string) => createHash('sha256').update(value).digest();
const maxSessions = 1000;
const failureWindowMs = 15 * 60_000;
/** After this many failed sign-ins from one address within the window, it is refused outright. */
const maxFailures = 20;

export type SignInVerdict = { ok: true; session: string; expiresAt: number } | { ok: false; delayMs: number };

/**
 * The admin's browser sessions and the admin token check. Sessions are random 256-bit ids kept
 * only as SHA-256 digests, expire after `sessionMs`, and end on sign-out. Failed sign-ins are
 * slowed per address: each waits longer (0.5 s, 1 s, 2 s … up to 10 s) and after 20 within
 * 15 minutes the address is refused until the window passes.
 */
export class AdminSessions {
  readonly #adminDigest: Buffer | undefined;
  readonly #sessionMs: number;
  readonly #now: () => number;
  readonly #sessions = new Map<string, number>();
  readonly #failures = new Map<string, { count: number; since: number }>();

  constructor(options: { adminToken: string | undefined; sessionMs: number; now?: () => number }) {
    this.#adminDigest = options.adminToken === undefined ? undefined : digest(options.adminToken);
    this.#sessionMs = options.sessionMs;
    this.#now = options.now ?? Date.now;
  }

  get enabled(): boolean {
    return this.#adminDigest !== undefined;
  }

  get sessionMs(): number {
    return this.#sessionMs;
  }

  /** Constant-time comparison with ADMIN_TOKEN (a client token never matches). */
  isAdminToken(candidate: string | undefined): boolean {
    if (this.#adminDigest === undefined || candidate === undefined) return false;
    return timingSafeEqual(this.#adminDigest, digest(candidate));
  }

  /** Seconds an address must wait before it may try again, or 0. */
  lockedFor(address: string): number {
    const failures = this.#currentFailures(address);
    if (failures === undefined || failures.count < maxFailures) return 0;
    return Math.ceil((failures.since + failureWindowMs - this.#now()) / 1000);
  }

  signIn(address: string, token: string | undefined): SignInVerdict {
    if (!this.isAdminToken(token)) {
      const failures = this.#currentFailures(address) ?? { count: 0, since: this.#now() };
      failures.count++;
      this.#failures.set(address, failures);
      if (this.#failures.size > 10_000) this.#failures.delete(this.#failures.keys().next().value ?? '');
      return { ok: false, delayMs: Math.min(10_000, 500 * 2 ** (failures.count - 1)) };
    }
    this.#failures.delete(address);
    const session = randomBytes(32).toString('base64url');
    const expiresAt = this.#now() + this.#sessionMs;
    if (this.#sessions.size >= maxSessions) this.#sessions.delete(this.#sessions.keys().next().value ?? '');
    this.#sessions.set(digest(session).toString('hex'), expiresAt);
    return { ok: true, session, expiresAt };
  }

  /** The session's expiry when it is valid now. */
  check(session: string | undefined): number | undefined {
    if (session === undefined || session === '') return undefined;
    const id = digest(session).toString('hex');
    const expiresAt = this.#sessions.get(id);
    if (expiresAt === undefined) return undefined;
    if (expiresAt <= this.#now()) {
      this.#sessions.delete(id);
      return undefined;
    }
    return expiresAt;
  }

  signOut(session: string | undefined): void {
    if (session !== undefined) this.#sessions.delete(digest(session).toString('hex'));
  }

  #currentFailures(address: string): { count: number; since: number } | undefined {
    const failures = this.#failures.get(address);
    if (failures !== undefined && failures.since + failureWindowMs <= this.#now()) {
      this.#failures.delete(address);
      return undefined;
    }
    return failures;
  }
}
