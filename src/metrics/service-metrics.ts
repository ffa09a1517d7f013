import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RequestRecord } from '../store/request-record.ts';

export type KeyStateCounts = { active: number; cooling: number; disabled: number };

const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
/** Model names come from clients: beyond this many distinct ones they are counted as `other`. */
const maxModels = 200;

/**
 * The service's Prometheus metrics, in a registry of its own (several services may share a
 * process in tests). Fed from the same per-request record as the request log.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  readonly #requests: Counter<'surface' | 'model' | 'status'>;
  readonly #latency: Histogram<'surface'>;
  readonly #firstByte: Histogram<'surface'>;
  readonly #attempts: Counter<'outcome'>;
  readonly #retries: Counter<'outcome'>;
  readonly #tokens: Counter<'model' | 'kind'>;
  readonly #models = new Set<string>();
  /** Label children by their values: prom-client hashes a label object on every call otherwise. */
  readonly #counters = new Map<string, { inc(value?: number): void }>();
  readonly #histograms = new Map<string, { observe(value: number): void }>();

  constructor(keyStates: () => KeyStateCounts) {
    const registers = [this.registry];
    this.#requests = new Counter({
      name: 'gemini_balance_requests_total',
      help: 'Answered client requests by surface, model and HTTP status.',
      labelNames: ['surface', 'model', 'status'],
      registers,
    });
    this.#latency = new Histogram({
      name: 'gemini_balance_request_duration_seconds',
      help: 'Time from request to the end of the answer, upstream included.',
      labelNames: ['surface'],
      buckets: latencyBuckets,
      registers,
    });
    this.#firstByte = new Histogram({
      name: 'gemini_balance_time_to_first_byte_seconds',
      help: 'Time from request until the answer started (the upstream first byte for streams).',
      labelNames: ['surface'],
      buckets: latencyBuckets,
      registers,
    });
    this.#attempts = new Counter({
      name: 'gemini_balance_upstream_attempts_total',
      help: 'Upstream attempts with a pool key, by outcome (ok, quota, invalid, transient, client-error).',
      labelNames: ['outcome'],
      registers,
    });
    this.#retries = new Counter({
      name: 'gemini_balance_retries_total',
      help: 'Attempts after the first of a request, by the outcome that caused the retry.',
      labelNames: ['outcome'],
      registers,
    });
    this.#tokens = new Counter({
      name: 'gemini_balance_tokens_total',
      help: 'Tokens by model and kind (prompt, output, thoughts, cached).',
      labelNames: ['model', 'kind'],
      registers,
    });
    new Gauge({
      name: 'gemini_balance_keys',
      help: 'Pool keys by state: active, cooling (for at least one model) or disabled.',
      labelNames: ['state'],
      registers,
      collect() {
        const counts = keyStates();
        for (const [state, count] of Object.entries(counts)) this.set({ state }, count);
      },
    });
  }

  observe(record: RequestRecord): void {
    const model = this.#modelLabel(record.model);
    const surface = record.surface;
    const status = record.status;
    cached(this.#counters, `r\u0000${surface}\u0000${model}\u0000${status}`, () =>
      this.#requests.labels({ surface, model, status: String(status) }),
    ).inc();
    cached(this.#histograms, `l\u0000${surface}`, () => this.#latency.labels({ surface })).observe(
      record.latencyMs / 1000,
    );
    if (record.firstByteMs !== undefined)
      cached(this.#histograms, `f\u0000${surface}`, () => this.#firstByte.labels({ surface })).observe(
        record.firstByteMs / 1000,
      );
    const { attempts } = record;
    for (let index = 0; index < attempts.length; index++) {
      const outcome = attempts[index]!.outcome;
      cached(this.#counters, `a\u0000${outcome}`, () => this.#attempts.labels({ outcome })).inc();
      const previous = attempts[index - 1]?.outcome;
      if (previous !== undefined)
        cached(this.#counters, `x\u0000${previous}`, () => this.#retries.labels({ outcome: previous })).inc();
    }
    this.#countTokens(model, 'prompt', record.promptTokens);
    this.#countTokens(model, 'output', record.outputTokens);
    this.#countTokens(model, 'thoughts', record.thoughtTokens);
    this.#countTokens(model, 'cached', record.cachedTokens);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  #countTokens(model: string, kind: string, count: number): void {
    if (count > 0)
      cached(this.#counters, `t\u0000${model}\u0000${kind}`, () => this.#tokens.labels({ model, kind })).inc(
        count,
      );
  }

  #modelLabel(model: string | undefined): string {
    if (model === undefined) return 'none';
    if (this.#models.has(model)) return model;
    if (this.#models.size >= maxModels || model.length > 100) return 'other';
    this.#models.add(model);
    return model;
  }
}

/** The child for one set of label values, made on first use. */
function cached<Child>(children: Map<string, Child>, name: string, create: () => Child): Child {
  let child = children.get(name);
  if (child === undefined) {
    child = create();
    children.set(name, child);
  }
  return child;
}
