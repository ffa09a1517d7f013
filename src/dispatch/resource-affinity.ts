import { createHash } from 'node:crypto';
import type { AffinityStore } from '../store/affinity-store.ts';

/**
 * An upload session: its id (a bearer capability, as at Google) and the path it was handed out for.
 * The id opens that path only; the store keeps only a hash of both.
 */
export type UploadSession = { id: string; path: string };

const uploadResource = (session: UploadSession) =>
  `upload/${createHash('sha256').update(`${session.path}\n${session.id}`).digest('hex')}`;

/** The upload session a request target names (`/upload/…?upload_id=…`), if any. */
export function uploadSessionOf(target: string): UploadSession | undefined {
  if (!target.startsWith('/upload/')) return undefined;
  const url = new URL(target, 'http://local');
  const id = url.searchParams.get('upload_id');
  return id === null || id === '' ? undefined : { id, path: url.pathname };
}

/** Resources that live in one key's Google project. */
const resourcePattern =
  /\b(files|cachedContents|batches|tunedModels|fileSearchStores|operations|corpora)\/[A-Za-z0-9_.-]+/;
const bodyReferencePattern =
  /"(?:fileUri|file_uri|cachedContent|cached_content)"\s*:\s*"[^"]*?\b((?:files|cachedContents)\/[A-Za-z0-9_.-]+)/g;
const createdNamePattern =
  /"name"\s*:\s*"((?:files|cachedContents|batches|tunedModels|fileSearchStores|operations|corpora)\/[A-Za-z0-9_.-]+)/g;
/** Calls that create a resource; their (small JSON) answer names it. */
const creatingCall =
  /(\/upload\/|\/(cachedContents|tunedModels|fileSearchStores|batches|corpora)$|:(batchGenerateContent|asyncBatchEmbedContent|importFile|uploadToFileSearchStore)$)/;

/** Searched for as bytes: a string would be converted to bytes on every search. */
const filesBytes = Buffer.from('files/');
const cachedContentsBytes = Buffer.from('cachedContents/');

/** The path of a request target, without building an array (these run on every call). */
function withoutQuery(target: string): string {
  const queryStart = target.indexOf('?');
  return queryStart === -1 ? target : target.slice(0, queryStart);
}

// Files expire after 48 h at Google; other resources can live longer. A week bounds the table.
const rememberMs = 7 * 24 * 3600_000;

/**
 * Which key a call must use because it names a resource created with that key: in the path, or in
 * the body as `fileData.fileUri` / `cachedContent`. Bodies are searched only when they can name one.
 */
export class ResourceAffinity {
  readonly #store: AffinityStore;
  readonly #now: () => number;

  constructor(store: AffinityStore, now: () => number = Date.now) {
    this.#store = store;
    this.#now = now;
  }

  /** Undefined at once (no promise) when the call names no resource, as most do. */
  ownerFor(path: string, body: Buffer | null): Promise<string | undefined> | undefined {
    const inPath = resourcePattern.exec(withoutQuery(path))?.[0];
    if (inPath !== undefined) return this.#store.lookup(inPath, this.#now());
    if (body === null || body.length === 0) return undefined;
    // Search the bytes first: most bodies name no resource and are never decoded.
    if (!body.includes(filesBytes) && !body.includes(cachedContentsBytes)) return undefined;
    return this.#ownerInBody(body.toString('utf8'));
  }

  async #ownerInBody(text: string): Promise<string | undefined> {
    for (const match of text.matchAll(bodyReferencePattern)) {
      const owner = await this.#store.lookup(match[1] ?? '', this.#now());
      if (owner !== undefined) return owner;
    }
    return undefined;
  }

  /** Whether an answer to this call should be read for the names it creates. */
  creates(method: string, path: string): boolean {
    return method === 'POST' && creatingCall.test(withoutQuery(path));
  }

  async rememberCreated(responseText: string, keyId: string): Promise<void> {
    for (const match of responseText.matchAll(createdNamePattern)) {
      const name = match[1];
      if (name !== undefined)
        await this.#store.remember(name.split('/').slice(0, 2).join('/'), keyId, this.#now() + rememberMs);
    }
  }

  async uploadOwner(session: UploadSession | undefined): Promise<string | undefined> {
    return session === undefined ? undefined : this.#store.lookup(uploadResource(session), this.#now());
  }

  async rememberUpload(session: UploadSession, keyId: string): Promise<void> {
    await this.#store.remember(uploadResource(session), keyId, this.#now() + rememberMs);
  }

  async forgetUpload(session: UploadSession | undefined): Promise<void> {
    if (session !== undefined) await this.#store.forget(uploadResource(session));
  }
}
