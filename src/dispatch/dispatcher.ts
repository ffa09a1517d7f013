import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyBaseLogger } from 'fastify';
import { AppError, errors } from '../errors/app-error.ts';
import { hasDotSegment } from '../http/has-dot-segment.ts';
import {
  type ClassifyOptions,
  classifyNetworkError,
  classifyUpstreamResponse,
} from '../pool/classify-upstream-error.ts';
import type { KeyPool } from '../pool/key-pool.ts';
import type { Lease } from '../pool/lease.ts';
import type { Outcome } from '../pool/outcome.ts';
import { KeyMasker } from '../secrets/key-masker.ts';
import { clientResponseHeaders } from '../upstream/hop-by-hop.ts';
import { readBounded } from '../upstream/read-bounded.ts';
import type { UpstreamClient, UpstreamResponse } from '../upstream/upstream-client.ts';
import { attachRecord, type CallRecord, newCallRecord } from './call-record.ts';
import { type CallSignal, isAborted } from './client-abort-signal.ts';
import {
  afterLastAttempt,
  isFirstByteTimeout,
  isRetryable,
  noKeyLeft,
  settle,
  type Tried,
  unregistered,
} from './final-answer.ts';
import { KeyChooser } from './key-chooser.ts';
import { type LiveSession, openLiveSession } from './live-session.ts';
import type { ResourceAffinity } from './resource-affinity.ts';

export type DispatchCall = {
  method: string;
  /** Path and query; never a key. */
  path: string;
  /** The model the quota is about; calls about no model share one lane. */
  model: string | undefined;
  /** The model as the client named it, for the record; `model` when absent. */
  requestedModel?: string | undefined;
  /** Headers without any credential: the pool key is added per attempt. */
  headers: Record<string, string>;
  /** A Buffer can be replayed on another key; a stream (an upload) gets one attempt only. */
  body: Buffer | Readable | null;
  signal: CallSignal;
  /** Affinity: the key whose project owns a resource this call names; no other key is tried. */
  preferKeyId?: string | undefined;
  /** Google's OpenAI-compatible endpoint wants the key as a bearer token. */
  keyAsBearer?: boolean;
  /**
   * The caller masks a success's body itself, chunk by chunk as it writes it, with `result.masker`
   * (no masking stream in between); otherwise the body comes back masked.
   */
  masksBody?: boolean;
};

/** The answer the client gets (body unread on success) and the record of how it was obtained. */
export type DispatchResult = UpstreamResponse & {
  /** The key that answered (its fingerprint), for affinity. */
  keyId: string;
  record: CallRecord;
  /** Set when the call asked to mask the body itself (`masksBody`) and the body is not yet masked. */
  masker?: KeyMasker | undefined;
};

export type DispatcherOptions = {
  /** The way out; tests hand in a fake with the same `request` (and maybe `pathOf`). */
  upstream: Pick<UpstreamClient, 'request'> & Partial<Pick<UpstreamClient, 'pathOf'>>;
  pool: KeyPool;
  maxRetries: number;
  defaultQuotaDelayMs?: number | undefined;
  quotaMinuteMs?: number | undefined;
  affinity?: ResourceAffinity | undefined;
};

const anyModel = '*';
/** Longer model names are refused before any upstream call. */
const maxModelNameLength = 128;
const maxErrorBodyBytes = 256 * 1024;

/**
 * One client call, sent upstream with pool keys until one answers: a dead key, a quota or a
 * transient failure moves on to another key (up to `maxRetries` more), the client's own mistake
 * comes back at once. The pool learns from every answer. A success's body is returned unread, so
 * a stream starts flowing to the client only after its key has answered: retries never replay text.
 * A failure thrown from `call` keeps its record (`recordOfError`).
 */
export class Dispatcher {
  readonly #upstream: Pick<UpstreamClient, 'request'>;
  readonly #keys: KeyChooser;
  readonly #maxRetries: number;
  readonly #classifyOptions: ClassifyOptions;
  readonly #affinity: ResourceAffinity | undefined;
  /** A key freeing up this soon is waited for, once per call: a "second" of Gemini's minute. */
  readonly #briefWaitMs: number;
  /** One masker per key that answered (its pattern is built once). */
  readonly #maskers = new Map<string, KeyMasker>();

  constructor(options: DispatcherOptions) {
    this.#affinity = options.affinity;
    const upstream = options.upstream;
    this.#keys = new KeyChooser({
      pool: options.pool,
      pathOf: upstream.pathOf === undefined ? undefined : (keyId) => upstream.pathOf?.(keyId) ?? 'upstream',
    });
    this.#upstream = options.upstream;
    this.#maxRetries = options.maxRetries;
    this.#briefWaitMs = (options.quotaMinuteMs ?? 60_000) / 60;
    this.#classifyOptions = {
      ...(options.defaultQuotaDelayMs === undefined
        ? {}
        : { defaultQuotaDelayMs: options.defaultQuotaDelayMs }),
      ...(options.quotaMinuteMs === undefined ? {} : { secondMs: options.quotaMinuteMs / 60 }),
    };
  }

  async call(call: DispatchCall, log: FastifyBaseLogger): Promise<DispatchResult> {
    // Whatever a surface built from client input (a model id of ".."), no path walks to another route.
    if (hasDotSegment(call.path)) throw errors.invalidArgument('A path segment may not be "." or "..".');
    const record = newCallRecord(call);
    try {
      return await this.#dispatch(call, record, log);
    } catch (error) {
      attachRecord(error, record);
      throw error;
    }
  }

  /** Per key, the per-minute request limits learnt from 429s (for the admin page). */
  learntLimits(): ReturnType<KeyChooser['learntLimits']> {
    return this.#keys.learntLimits();
  }

  /** A Live session's key, chosen like any call's; one attempt (a session is not replayed). */
  openLive(path: string): LiveSession | AppError {
    return openLiveSession(this.#keys, path, this.#classifyOptions);
  }

  async #dispatch(call: DispatchCall, record: CallRecord, log: FastifyBaseLogger): Promise<DispatchResult> {
    if ((call.model?.length ?? 0) > maxModelNameLength) throw errors.modelNameTooLong(maxModelNameLength);
    const model = call.model ?? anyModel;
    const tried = new Set<string>();
    const started = performance.now();
    // A call naming a resource (file, cached content…) must use the key whose project owns it.
    const owner =
      call.preferKeyId === undefined
        ? this.#affinity?.ownerFor(call.path, Buffer.isBuffer(call.body) ? call.body : null)
        : undefined;
    const preferKeyId = call.preferKeyId ?? (owner === undefined ? undefined : await owner);
    const replayable = call.body === null || Buffer.isBuffer(call.body);
    let latest: Tried | undefined;
    let restingTried = false;
    let waited = false;
    let timeouts = 0;
    let pathFaults = 0;
    for (let attempt = 0; attempt <= this.#maxRetries; attempt++) {
      let lease = this.#keys.acquire(model, tried, preferKeyId);
      const wait = waited ? undefined : this.#keys.briefWait(lease, this.#briefWaitMs);
      if (wait !== undefined) {
        waited = true;
        await sleep(wait);
        lease = this.#keys.acquire(model, tried, preferKeyId);
      }
      // Every key is unavailable but some only rest after a 5xx: one of them gets one try.
      if (lease.kind === 'cooling' && preferKeyId === undefined && !restingTried) {
        restingTried = true;
        lease = this.#keys.restingLease(model, tried) ?? lease;
      }
      if (lease.kind !== 'lease') return answered(noKeyLeft(lease, latest, call.model), started);
      tried.add(lease.id);
      latest = await this.#tryKey(call, lease, model, record);
      // A path fault disables nothing: no key reached Google (stop now), or several keys gave the same
      // dead-key reason at once (one more key may tell; a second such answer stops the call).
      if (latest.pathFault && (unregistered(latest.outcome) || ++pathFaults >= 2))
        throw errors.upstreamPathFault();
      // A generation that never started is retried once, on another key: not four times five minutes.
      if (isFirstByteTimeout(latest.failure) && ++timeouts >= 2) break;
      if (!replayable || preferKeyId !== undefined || !isRetryable(latest.outcome))
        return answered(settle(latest), started);
      if (attempt < this.#maxRetries) {
        log.info(
          { keyFingerprint: lease.fingerprint, outcome: latest.outcome.kind, attempt: attempt + 1 },
          'retrying on another key',
        );
      }
    }
    const now = this.#keys.acquire(model, tried, undefined);
    return answered(afterLastAttempt(latest, now, call.model), started);
  }

  /** One attempt with one key: counted against its window, probed if unproven, recorded. */
  async #tryKey(call: DispatchCall, lease: Lease, model: string, record: CallRecord): Promise<Tried> {
    const settleKey = this.#keys.begin(lease.id, model);
    let answer: Answer;
    try {
      answer = await this.#send(call, lease, model, record);
    } catch (error) {
      // Thrown only for the client's abort or our own refusal: no verdict was learnt.
      settleKey(false);
      this.#keys.unheard(lease.id, model);
      throw error;
    }
    settleKey(answer.response !== undefined);
    const pathFault = answer.verdict === 'path-fault';
    record.attempts.push({
      keyFingerprint: lease.fingerprint,
      outcome: answer.outcome.kind,
      status: answer.response?.status,
    });
    return answer.response === undefined
      ? { outcome: answer.outcome, failure: answer.failure, pathFault }
      : { outcome: answer.outcome, result: answer.response, pathFault };
  }

  async #send(call: DispatchCall, lease: Lease, model: string, record: CallRecord): Promise<Answer> {
    const headers = { ...call.headers };
    if (call.keyAsBearer) headers.authorization = `Bearer ${lease.secret}`;
    else headers['x-goog-api-key'] = lease.secret;
    let response: UpstreamResponse;
    try {
      // undici reads a signal's abort only while the call is under way: a client gone before it
      // (during a brief wait, an owner lookup, between attempts) must not cost a key a call.
      if (isAborted(call.signal)) throw new DOMException('The client went away.', 'AbortError');
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
      if (isAborted(call.signal) || (failure instanceof AppError && failure.status < 500)) throw failure;
      // No first byte: that (key, model) rests; the connection worked, so the path is not blamed.
      if (isFirstByteTimeout(failure)) {
        const outcome: Outcome = { kind: 'transient', scope: 'model' };
        return { outcome, failure, verdict: this.#keys.learn(lease.id, model, outcome) };
      }
      const outcome = classifyNetworkError(failure);
      this.#keys.pathAnswered(lease.id, false);
      return { outcome, failure, verdict: this.#keys.learn(lease.id, model, outcome) };
    }
    this.#keys.pathAnswered(lease.id, true);
    // Google sometimes quotes the key back ("Consumer 'api_key:…' has been suspended"): every byte
    // that leaves us is masked, headers (Location too), bodies and streams, literal or \u-escaped.
    // The headers come back as the client gets them: masked and without hop-by-hop ones, one copy.
    const masker = this.#maskerFor(lease);
    const headersOut = clientResponseHeaders(response.headers, masker);
    if (response.status < 400) {
      const outcome: Outcome = { kind: 'ok' };
      this.#keys.learn(lease.id, model, outcome);
      // The call's result, built whole (no spread from other objects): this runs on every call.
      const body = call.masksBody === true ? response.body : masker.maskStream(response.body);
      const { status } = response;
      const result: DispatchResult = { status, headers: headersOut, body, masker, keyId: lease.id, record };
      if (call.masksBody !== true) result.masker = undefined;
      return { outcome, response: result };
    }
    const { bytes, truncated } = await readBounded(response.body, maxErrorBodyBytes);
    const outcome = classifyUpstreamResponse(
      response.status,
      bytes.toString('utf8'),
      new Date(),
      this.#classifyOptions,
    );
    const verdict = this.#keys.learn(lease.id, model, outcome);
    if (truncated) delete headersOut['content-length'];
    const body = masker.maskBytes(bytes);
    const result = { status: response.status, headers: headersOut, body: Readable.from([body]) };
    return { outcome, verdict, response: { ...result, keyId: lease.id, record } };
  }

  #maskerFor(lease: Lease): KeyMasker {
    let masker = this.#maskers.get(lease.id);
    if (masker === undefined) {
      masker = new KeyMasker(lease.secret);
      this.#maskers.set(lease.id, masker);
    }
    return masker;
  }
}

/** The answering key and the time to its answer go into the record. */
function answered(result: DispatchResult, started: number): DispatchResult {
  result.record.keyFingerprint = result.keyId;
  result.record.firstByteMs = Math.round((performance.now() - started) * 100) / 100;
  return result;
}

type Answer = {
  outcome: Outcome;
  response?: DispatchResult;
  failure?: unknown;
  verdict?: 'recorded' | 'path-fault';
};
