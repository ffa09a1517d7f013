/**
 * Resumable uploads: the upstream answers the start request with an `x-goog-upload-url` on its own
 * origin. We point it back at ourselves and remember which key opened the session, because the
 * later chunks must go to the same project.
 */
export class UploadSessions {
  readonly #owners = new Map<string, { keyId: string; expiresAt: number }>();
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(options: { ttlMs?: number; now?: () => number } = {}) {
    // Google keeps an unfinished upload session for about a week.
    this.#ttlMs = options.ttlMs ?? 7 * 24 * 3600_000;
    this.#now = options.now ?? Date.now;
  }

  /** Rewrites the upstream URL onto `publicOrigin` and records the session's key. */
  adopt(uploadUrl: string, publicOrigin: string, keyId: string): string {
    let parsed: URL;
    try {
      parsed = new URL(uploadUrl);
    } catch {
      return uploadUrl;
    }
    parsed.searchParams.delete('key');
    const uploadId = parsed.searchParams.get('upload_id');
    if (uploadId !== null) this.#owners.set(uploadId, { keyId, expiresAt: this.#now() + this.#ttlMs });
    this.#sweep();
    return `${publicOrigin}${parsed.pathname}${parsed.search}`;
  }

  ownerOf(uploadId: string | null): string | undefined {
    if (uploadId === null) return undefined;
    const owner = this.#owners.get(uploadId);
    if (owner === undefined || owner.expiresAt < this.#now()) return undefined;
    return owner.keyId;
  }

  finish(uploadId: string | null): void {
    if (uploadId !== null) this.#owners.delete(uploadId);
  }

  /** Bounded memory without a timer: expired entries go when new ones come. */
  #sweep(): void {
    if (this.#owners.size < 1024) return;
    const now = this.#now();
    for (const [id, owner] of this.#owners) if (owner.expiresAt < now) this.#owners.delete(id);
  }
}
