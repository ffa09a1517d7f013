import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import { fingerprintKey } from '../secrets/fingerprint.ts';

const schema = `
CREATE TABLE IF NOT EXISTS runtime_key (
  fingerprint TEXT PRIMARY KEY,
  iv BLOB NOT NULL,
  ciphertext BLOB NOT NULL,
  tag BLOB NOT NULL,
  added_at INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS key_note (
  fingerprint TEXT PRIMARY KEY,
  note TEXT NOT NULL
) STRICT;
`;

export type LoadedKeys = { secrets: string[]; unreadable: string[] };

/**
 * Keys an admin added at runtime. With an encryption key they are kept in SQLite encrypted with
 * AES-256-GCM (a key derived from ENCRYPTION_KEY by HKDF, a fresh IV per key, the fingerprint as
 * associated data so a row cannot be moved to another); without one they live in memory and last
 * until restart. A secret is never written in clear.
 */
export class RuntimeKeyStore {
  readonly #database: DatabaseSync;
  readonly #key: Buffer | undefined;
  readonly #memory = new Map<string, string>();

  constructor(database: DatabaseSync, encryptionKey: string | undefined) {
    this.#database = database;
    database.exec(schema);
    this.#key =
      encryptionKey === undefined
        ? undefined
        : Buffer.from(hkdfSync('sha256', encryptionKey, 'gemini-balance', 'runtime-keys', 32));
  }

  /** True when added keys survive a restart. */
  get persistent(): boolean {
    return this.#key !== undefined;
  }

  /** Fingerprints of every runtime-added key (also those this process could not decrypt). */
  fingerprints(): Set<string> {
    const rows = this.#database.prepare('SELECT fingerprint FROM runtime_key').all();
    return new Set([...this.#memory.keys(), ...rows.map((row) => String(row.fingerprint))]);
  }

  /** Decrypts the stored keys; rows sealed with another ENCRYPTION_KEY are reported by fingerprint. */
  load(): LoadedKeys {
    const loaded: LoadedKeys = { secrets: [...this.#memory.values()], unreadable: [] };
    const rows = this.#database.prepare('SELECT * FROM runtime_key').all();
    for (const row of rows) {
      const fingerprint = String(row.fingerprint);
      try {
        if (this.#key === undefined) throw new Error('no ENCRYPTION_KEY');
        const decipher = createDecipheriv('aes-256-gcm', this.#key, row.iv as Uint8Array);
        decipher.setAAD(Buffer.from(fingerprint));
        decipher.setAuthTag(row.tag as Uint8Array);
        const secret = Buffer.concat([decipher.update(row.ciphertext as Uint8Array), decipher.final()]);
        loaded.secrets.push(secret.toString('utf8'));
      } catch {
        loaded.unreadable.push(fingerprint);
      }
    }
    return loaded;
  }

  save(secret: string, now = Date.now()): void {
    const fingerprint = fingerprintKey(secret);
    if (this.#key === undefined) {
      this.#memory.set(fingerprint, secret);
      return;
    }
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(fingerprint));
    const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    this.#database
      .prepare(`INSERT INTO runtime_key (fingerprint, iv, ciphertext, tag, added_at) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (fingerprint) DO UPDATE SET iv = excluded.iv, ciphertext = excluded.ciphertext,
        tag = excluded.tag`)
      .run(fingerprint, iv, ciphertext, cipher.getAuthTag(), now);
  }

  remove(fingerprint: string): void {
    this.#memory.delete(fingerprint);
    this.#database.prepare('DELETE FROM runtime_key WHERE fingerprint = ?').run(fingerprint);
    this.#database.prepare('DELETE FROM key_note WHERE fingerprint = ?').run(fingerprint);
  }

  notes(): Map<string, string> {
    const rows = this.#database.prepare('SELECT fingerprint, note FROM key_note').all();
    return new Map(rows.map((row) => [String(row.fingerprint), String(row.note)]));
  }

  setNote(fingerprint: string, note: string): void {
    if (note === '') {
      this.#database.prepare('DELETE FROM key_note WHERE fingerprint = ?').run(fingerprint);
      return;
    }
    this.#database
      .prepare(`INSERT INTO key_note (fingerprint, note) VALUES (?, ?)
        ON CONFLICT (fingerprint) DO UPDATE SET note = excluded.note`)
      .run(fingerprint, note);
  }
}
