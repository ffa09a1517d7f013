import { Readable } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import { AppError, errors } from '../errors/app-error.ts';
import { normalizeModel } from '../gemini/model-name.ts';
import {
  type ClassifyOptions,
  classifyNetworkError,
  classifyUpstreamResponse,
} from '../pool/classify-upstream-error.ts';
import type { KeyPool } from '../pool/key-pool.ts';
import type { Lease, Unavailable } from '../pool/lease.ts';
import type { Outcome } from '../pool/outcome.ts';
import { QuotaWindows } from '../pool/quota-windows.ts';
import { RestingKeys } from '../pool/resting-keys.ts';
import { readBounded } from '../upstream/read-bounded.ts';
import type { UpstreamClient, UpstreamResponse } from '../upstream/upstream-client.ts';
import type { ResourceAffinity } from './resource-affinity.ts';

export type PoolCall = {
  method: string;
  /** Path and query; never a key. */
  path: string;
  /** The model the quota is about; calls about no model share one lane. */
  model: string | undefined;
  /** Headers without any credential: the pool key is added per attempt. */
  headers: Record<string, string>;
  /** A Buffer can be replayed on another key; a stream (an upload) gets one attempt only. */
  body: Buffer | Readable | null;
  signal: AbortSignal;
  /** Affinity: the key whose project owns a resource this call names; no other key is tried. */
  preferKeyId?: string | undefined;
  /** Google's OpenAI-compatible endpoint wants the key as a bearer token. */
  keyAsBearer?: boolean;
  /** Filled attempt by attempt, so the caller's log line has them even when the call fails. */
  attempts?: Attempt[];
};

export type Attempt = { key: string; outcome: Outcome['kind']; status: number | undefined };

export type PoolResult = UpstreamResponse & { lease: Lease; attempts: Attempt[] };

const anyModel = '*';
const maxErrorBodyBytes = 256 * 1024;

/**
 * One client call, sent upstream with pool keys until one answers: a dead key, a quota or a
 * transient failure moves on to another key (up to `maxRetries` more), the client's own mistake
 * comes back at once. The pool learns from every answer. A success's body is returned unread, so
 * a stream starts flowing to the client only after its key has answered: retries never replay text.
 */
export class PoolCaller {
  readonly #upstream: UpstreamClient;
  readonly #pool: KeyPool;
  readonly #maxRetries: number;
  /** Keys that have given an HTTP answer since start. */
  readonly #proven = new Set<string>();
  /** Unproven keys with their first request in flight: nobody else gets them until it answers. */
  readonly #probing = new Map<string, number>();
  /** Per-minute request quotas learnt from 429s, counted so keys rest before the next one. */
  readonly #windows: QuotaWindows;
  /** Keys resting after a 5xx on a model: a last resort before "come back later". */
  readonly #resting = new RestingKeys();

  readonly #classifyOptions: ClassifyOptions;
  readonly #affinity: ResourceAffinity | undefined;

  constructor(options: {
    upstream: UpstreamClient;
    pool: KeyPool;
    maxRetries: number;
    defaultQuotaDelayMs?: number;
    quotaMinuteMs?: number;
    affinity?: ResourceAffinity;
  }) {
    this.#affinity = options.affinity;
    this.#windows = new QuotaWindows(
      options.quotaMinuteMs === undefined ? {} : { minuteMs: options.quotaMinuteMs },
    );
    this.#upstream = options.upstream;
    this.#pool = options.pool;
    this.#maxRetries = options.maxRetries;
    this.#classifyOptions = {
      ...(options.defaultQuotaDelayMs === undefined
        ? {}
        : { defaultQuotaDelayMs: options.defaultQuotaDelayMs }),
      ...(options.quotaMinuteMs === undefined ? {} : { secondMs: options.quotaMinuteMs / 60 }),
    };
  }

  async call(call: PoolCall, log: FastifyBaseLogger): Promise<PoolResult> {
    const model = call.model ?? anyModel;
    const tried = new Set<string>();
    const attempts: Attempt[] = call.attempts ?? [];
    // A call naming a resource (file, cached content…) must use the key whose project owns it.
    const preferKeyId =
      call.preferKeyId ??
      (await this.#affinity?.ownerFor(call.path, Buffer.isBuffer(call.body) ? call.body : null));
    const replayable = call.body === null || Buffer.isBuffer(call.body);
    let latest: Tried | undefined;
    let restingTried = false;
    for (let attempt = 0; attempt <= this.#maxRetries; attempt++) {
      let lease = this.#acquire(model, tried, preferKeyId);
      // Every key is unavailable but some only rest after a 5xx: one of them gets one try.
      if (lease.kind === 'cooling' && preferKeyId === undefined && !restingTried) {
        restingTried = true;
        lease = this.#restingLease(model, tried) ?? lease;
      }
      if (lease.kind !== 'lease') return noKeyLeft(lease, latest, call.model);
      tried.add(lease.id);
      latest = await this.#try(call, lease, model, attempts);
      if (!replayable || preferKeyId !== undefined || !isRetryable(latest.outcome)) break;
      if (attempt < this.#maxRetries) {
        log.info(
          { keyFingerprint: lease.fingerprint, outcome: latest.outcome.kind, attempt: attempt + 1 },
          'retrying on another key',
        );
      }
    }
    return settle(latest);
  }

  /** One attempt with one key: counted against its window, probed if unproven, recorded. */
  async #try(call: PoolCall, lease: Lease, model: string, attempts: Attempt[]): Promise<Tried> {
    this.#countAgainstWindow(lease.id, model);
    const probe = !this.#proven.has(lease.id);
    // Counted: when only probing keys are left they are shared, and the first answer must not
    // release a key another request is still probing.
    if (probe) this.#probing.set(lease.id, (this.#probing.get(lease.id) ?? 0) + 1);
    const answer = await this.#attempt(call, lease, model).finally(() => {
      if (probe) this.#release(lease.id);
    });
    if (answer.response !== undefined) this.#proven.add(lease.id);
    attempts.push({ key: lease.fingerprint, outcome: answer.outcome.kind, status: answer.response?.status });
    return answer.response === undefined
      ? { outcome: answer.outcome, failure: answer.failure }
      : { outcome: answer.outcome, result: { ...answer.response, lease, attempts } };
  }

  /** A key resting on this model after a 5xx, if any is left to try. */
  #restingLease(model: string, tried: ReadonlySet<string>): Lease | undefined {
    const spare = this.#resting.pick(normalizeModel(model), tried);
    if (spare === undefined) return undefined;
    const lease = this.#pool.acquire(model, { preferKeyId: spare, exclude: tried });
    return lease.kind === 'lease' ? lease : undefined;
  }

  #release(keyId: string): void {
    const count = (this.#probing.get(keyId) ?? 1) - 1;
    if (count > 0) this.#probing.set(keyId, count);
    else this.#probing.delete(keyId);
  }

  /** The lease that fills its key's known window is the last one: the key rests until the window ends. */
  #countAgainstWindow(keyId: string, model: string): void {
    const requested = normalizeModel(model);
    const full = this.#windows.onLease(keyId, requested, Date.now());
    if (full === undefined) return;
    this.#pool.coolUntil(keyId, requested, full);
    const counted = this.#windows.quotaModel(requested);
    if (counted !== requested) this.#pool.coolUntil(keyId, counted, full);
  }

  /**
   * A key nobody has heard from since start may be dead: while its first request is in flight,
   * other requests pick other keys, so a dead key costs one call, not one per concurrent request.
   * When only such keys are left, they are shared after all.
   */
  #acquire(model: string, tried: ReadonlySet<string>, preferKeyId: string | undefined): Lease | Unavailable {
    const affinity = preferKeyId === undefined ? {} : { preferKeyId };
    if (this.#probing.size === 0 || preferKeyId !== undefined)
      return this.#pool.acquire(model, { exclude: tried, ...affinity });
    const lease = this.#pool.acquire(model, { exclude: new Set([...tried, ...this.#probing.keys()]) });
    return lease.kind === 'lease' ? lease : this.#pool.acquire(model, { exclude: tried });
  }

  async #attempt(
    call: PoolCall,
    lease: Lease,
    model: string,
  ): Promise<{ outcome: Outcome; response?: UpstreamResponse; failure?: unknown }> {
    const headers = { ...call.headers };
    if (call.keyAsBearer) headers.authorization = `Bearer ${lease.secret}`;
    else headers['x-goog-api-key'] = lease.secret;
    let response: UpstreamResponse;
    try {
      response = await this.#upstream.request({
        method: call.method,
        path: call.path,
        headers,
        body: call.body,
        signal: call.signal,
        keyId: lease.id,
      });
    } catch (failure) {
      // Our own refusals (size limit) and the client's abort say nothing about the key.
      if (call.signal.aborted || (failure instanceof AppError && failure.status < 500)) throw failure;
      const outcome = classifyNetworkError(failure);
      this.#pool.report(lease.id, model, outcome);
      return { outcome, failure };
    }
    if (response.status < 400) {
      this.#pool.report(lease.id, model, { kind: 'ok' });
      this.#resting.clear(lease.id, normalizeModel(model));
      return { outcome: { kind: 'ok' }, response };
    }
    const { bytes, truncated } = await readBounded(response.body, maxErrorBodyBytes);
    const text = bytes.toString('utf8');
    const outcome = classifyUpstreamResponse(response.status, text, new Date(), this.#classifyOptions);
    this.#pool.report(lease.id, model, outcome);
    if (outcome.kind === 'transient' && outcome.scope === 'model')
      this.#resting.rest(lease.id, normalizeModel(model));
    if (outcome.kind === 'quota' && !outcome.perDay) {
      const requested = normalizeModel(model);
      const named = outcome.model === undefined ? requested : normalizeModel(outcome.model);
      this.#windows.onQuota(
        lease.id,
        requested,
        outcome.requestLimit,
        outcome.retryAfterMs,
        Date.now(),
        named,
      );
    }
    // Google sometimes quotes the key back ("Consumer 'api_key:…' has been suspended").
    const headersOut = { ...response.headers };
    const scrubbed = text.includes(lease.secret)
      ? Buffer.from(text.replaceAll(lease.secret, lease.fingerprint))
      : bytes;
    if (truncated || scrubbed !== bytes) delete headersOut['content-length'];
    return {
      outcome,
      response: { status: response.status, headers: headersOut, body: Readable.from([scrubbed]) },
    };
  }
}

/** The latest attempt: an upstream answer, or a failure to get one. */
type Tried = { outcome: Outcome; result?: PoolResult; failure?: unknown };

function settle(latest: Tried | undefined): PoolResult {
  if (latest?.result !== undefined) return latest.result;
  throw latest?.failure ?? errors.noKeysConfigured();
}

/**
 * No key is left to try. The last key just died under this call → the pool is dead, not "API key
 * not valid". Keys resting after a quota → our 429 with Retry-After. After anything else (5xx, a
 * dead key, no connection) the client gets the latest upstream answer or failure unchanged.
 */
function noKeyLeft(reason: Unavailable, latest: Tried | undefined, model: string | undefined): PoolResult {
  if (reason.kind === 'all-dead') throw errors.allKeysDead();
  if (latest !== undefined && !(reason.kind === 'cooling' && latest.outcome.kind === 'quota'))
    return settle(latest);
  throw unavailableError(reason, model);
}

function isRetryable(outcome: Outcome): boolean {
  return outcome.kind === 'invalid' || outcome.kind === 'quota' || outcome.kind === 'transient';
}

export function unavailableError(reason: Unavailable, model: string | undefined): AppError {
  switch (reason.kind) {
    case 'cooling':
      return errors.allKeysCooling(model ?? 'this model', Math.max(1, Math.ceil(reason.retryAfterMs / 1000)));
    case 'all-dead':
      return errors.allKeysDead();
    case 'affinity-unavailable':
      return new AppError(
        'AFFINITY_KEY_UNAVAILABLE',
        503,
        'The key that owns the named resource (file, cached content, upload) is disabled; the resource cannot be reached.',
      );
    case 'exhausted':
      return errors.upstreamUnreachable();
    default:
      return errors.noKeysConfigured();
  }
}
