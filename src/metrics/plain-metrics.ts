import type { Registry } from 'prom-client';

type Labels = Record<string, string>;
type Sample = { labels: Record<string, string | number>; value: number; metricName?: string };
type Exported = {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  values: Sample[];
  aggregator: 'sum';
};

/**
 * A counter and a histogram counted in plain numbers, found by their label values (up to three):
 * prom-client's own hash a label object on every `inc` or `observe` (its label children too), which
 * the request path paid once per record and metric. prom-client still formats them: each is
 * registered in the service's registry as a metric whose `get()` gives the usual samples.
 */
abstract class PlainMetric {
  readonly name: string;
  readonly help: string;
  readonly aggregator = 'sum';
  readonly #labelNames: readonly string[];

  constructor(registry: Registry, config: { name: string; help: string; labelNames: readonly string[] }) {
    this.name = config.name;
    this.help = config.help;
    this.#labelNames = config.labelNames;
    registry.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  abstract get(): Promise<Exported>;

  protected labels(values: ReadonlyArray<string | undefined>): Labels {
    const labels: Labels = {};
    for (const [index, name] of this.#labelNames.entries()) labels[name] = values[index] ?? '';
    return labels;
  }
}

type Series = { labels: Labels; value: number };

export class PlainCounter extends PlainMetric {
  readonly type = 'counter';
  /** By the first, second and third label value: found without building a key string. */
  readonly #tree = new Map<string, Map<string, Map<string, Series>>>();
  /** The same series in the order they appeared, as prom-client lists them. */
  readonly #series: Series[] = [];

  /** Adds `amount` to the series of these label values (in `labelNames` order). */
  inc(amount: number, first: string, second = '', third = ''): void {
    let seconds = this.#tree.get(first);
    if (seconds === undefined) {
      seconds = new Map();
      this.#tree.set(first, seconds);
    }
    let thirds = seconds.get(second);
    if (thirds === undefined) {
      thirds = new Map();
      seconds.set(second, thirds);
    }
    const series = thirds.get(third);
    if (series !== undefined) {
      series.value += amount;
      return;
    }
    const created = { labels: this.labels([first, second, third]), value: amount };
    thirds.set(third, created);
    this.#series.push(created);
  }

  async get(): Promise<Exported> {
    const values = this.#series.map(({ labels, value }) => ({ labels: { ...labels }, value }));
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }
}

type Buckets = { labels: Labels; counts: number[]; sum: number; count: number };

export class PlainHistogram extends PlainMetric {
  readonly type = 'histogram';
  readonly #bounds: readonly number[];
  readonly #series = new Map<string, Buckets>();

  constructor(
    registry: Registry,
    config: { name: string; help: string; labelNames: readonly string[]; buckets: readonly number[] },
  ) {
    super(registry, config);
    this.#bounds = [...config.buckets].sort((left, right) => left - right);
  }

  /** Counts `value` for this label value (as prom-client does: in the first bucket it is ≤ to). */
  observe(value: number, label: string): void {
    let series = this.#series.get(label);
    if (series === undefined) {
      const counts = new Array<number>(this.#bounds.length).fill(0);
      series = { labels: this.labels([label]), counts, sum: 0, count: 0 };
      this.#series.set(label, series);
    }
    const bounds = this.#bounds;
    let index = 0;
    while (index < bounds.length && value > bounds[index]!) index++;
    if (index < bounds.length) series.counts[index]!++;
    series.sum += value;
    series.count++;
  }

  async get(): Promise<Exported> {
    const values: Sample[] = [];
    const bucket = `${this.name}_bucket`;
    for (const { labels, counts, sum, count } of this.#series.values()) {
      let cumulative = 0;
      for (const [index, bound] of this.#bounds.entries()) {
        cumulative += counts[index] ?? 0;
        values.push({ labels: { le: bound, ...labels }, value: cumulative, metricName: bucket });
      }
      values.push({ labels: { le: '+Inf', ...labels }, value: count, metricName: bucket });
      values.push({ labels: { ...labels }, value: sum, metricName: `${this.name}_sum` });
      values.push({ labels: { ...labels }, value: count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }
}
