import { Gauge, Registry } from 'prom-client';
import type { RequestRecord } from '../store/request-record.ts';
import { PlainCounter, PlainHistogram } from './plain-metrics.ts';

export type KeyStateCounts = { active: number; cooling: number; disabled: number };

const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
/** Model names come from clients: beyond this many distinct ones they are counted as `other`. */
const maxModels = 200;

/**
 * The service's Prometheus metrics, in a registry of its own (several services may share a
 * process in tests). Fed from the same per-request record as the request log; counted in plain
 * numbers (see plain-metrics.ts), formatted by prom-client when scraped.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  readonly #requests: PlainCounter;
  readonly #latency: PlainHistogram;
  readonly #firstByte: PlainHistogram;
  readonly #attempts: PlainCounter;
  readonly #retries: PlainCounter;
  readonly #tokens: PlainCounter;
  readonly #models = new Set<string>();

  constructor(keyStates: () => KeyStateCounts) {
    const registry = this.registry;
    this.#requests = new PlainCounter(registry, {
      name: 'gemini_balance_requests_total',
      help: 'Answered client requests by surface, model and HTTP status.',
      labelNames: ['surface', 'model', 'status'],
    });
    this.#latency = new PlainHistogram(registry, {
      name: 'gemini_balance_request_duration_seconds',
      help: 'Time from request to the end of the answer, upstream included.',
      labelNames: ['surface'],
      buckets: latencyBuckets,
    });
    this.#firstByte = new PlainHistogram(registry, {
      name: 'gemini_balance_time_to_first_byte_seconds',
      help: 'Time from request until the answer started (the upstream first byte for streams).',
      labelNames: ['surface'],
      buckets: latencyBuckets,
    });
    this.#attempts = new PlainCounter(registry, {
      name: 'gemini_balance_upstream_attempts_total',
      help: 'Upstream attempts with a pool key, by outcome (ok, quota, invalid, transient, client-error).',
      labelNames: ['outcome'],
    });
    this.#retries = new PlainCounter(registry, {
      name: 'gemini_balance_retries_total',
      help: 'Attempts after the first of a request, by the outcome that caused the retry.',
      labelNames: ['outcome'],
    });
    this.#tokens = new PlainCounter(registry, {
      name: 'gemini_balance_tokens_total',
      help: 'Tokens by model and kind (prompt, output, thoughts, cached).',
      labelNames: ['model', 'kind'],
    });
    new Gauge({
      name: 'gemini_balance_keys',
      help: 'Pool keys by state: active, cooling (for at least one model) or disabled.',
      labelNames: ['state'],
      registers: [registry],
      collect() {
        const counts = keyStates();
        for (const [state, count] of Object.entries(counts)) this.set({ state }, count);
      },
    });
  }

  observe(record: RequestRecord): void {
    const model = this.#modelLabel(record.model);
    const { surface, status } = record;
    this.#requests.inc(1, surface, model, String(status));
    this.#latency.observe(record.latencyMs / 1000, surface);
    if (record.firstByteMs !== undefined) this.#firstByte.observe(record.firstByteMs / 1000, surface);
    const { attempts } = record;
    for (let index = 0; index < attempts.length; index++) {
      const outcome = attempts[index]!.outcome;
      this.#attempts.inc(1, outcome);
      const previous = attempts[index - 1]?.outcome;
      if (previous !== undefined) this.#retries.inc(1, previous);
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
    if (count > 0) this.#tokens.inc(count, model, kind);
  }

  #modelLabel(model: string | undefined): string {
    if (model === undefined) return 'none';
    if (this.#models.has(model)) return model;
    if (this.#models.size >= maxModels || model.length > 100) return 'other';
    this.#models.add(model);
    return model;
  }
}
