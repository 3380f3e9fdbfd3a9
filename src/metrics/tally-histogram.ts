import type { Registry } from 'prom-client';

interface Series<L extends string> {
  labels: Record<L, string>;
  /** Observations at or below each bound (not yet cumulative). */
  counts: number[];
  sum: number;
  count: number;
}

/**
 * A Prometheus histogram counted in plain arrays and formatted only when /metrics is
 * scraped. prom-client's own hashes the label object and searches the buckets on every
 * observation; here an observation is a Map lookup and a short loop. Registered with the
 * registry as a metric of its own (prom-client reads `name`, `help`, `type` and `get()`).
 */
export class TallyHistogram<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram' as const;
  readonly aggregator = 'sum' as const;
  readonly #buckets: readonly number[];
  readonly #labelNames: readonly L[];
  readonly #series = new Map<string, Series<L>>();

  constructor(config: {
    name: string;
    help: string;
    labelNames: readonly L[];
    buckets: readonly number[];
    registers: Registry[];
  }) {
    this.name = config.name;
    this.help = config.help;
    this.#labelNames = config.labelNames;
    this.#buckets = [...config.buckets].sort((a, b) => a - b);
    for (const registry of config.registers) registry.registerMetric(this as never);
  }

  /** Records `value` in the series of these label values, given in `labelNames` order. */
  observe(value: number, ...labelValues: string[]): void {
    const key = labelValues.join('\u0000');
    let series = this.#series.get(key);
    if (!series) {
      const labels = {} as Record<L, string>;
      this.#labelNames.forEach((name, index) => {
        labels[name] = labelValues[index] ?? '';
      });
      series = { labels, counts: this.#buckets.map(() => 0), sum: 0, count: 0 };
      this.#series.set(key, series);
    }
    const bucket = this.#buckets.findIndex((bound) => value <= bound);
    if (bucket >= 0) series.counts[bucket]!++;
    series.sum += value;
    series.count++;
  }

  /** prom-client's metric interface: the `_bucket`, `_sum` and `_count` samples. */
  get() {
    const values: { labels: Record<string, string | number>; value: number; metricName: string }[] = [];
    for (const series of this.#series.values()) {
      let cumulative = 0;
      this.#buckets.forEach((bound, index) => {
        cumulative += series.counts[index]!;
        values.push({
          labels: { le: bound, ...series.labels },
          value: cumulative,
          metricName: `${this.name}_bucket`,
        });
      });
      values.push({
        labels: { le: '+Inf', ...series.labels },
        value: series.count,
        metricName: `${this.name}_bucket`,
      });
      values.push({ labels: series.labels, value: series.sum, metricName: `${this.name}_sum` });
      values.push({ labels: series.labels, value: series.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  reset(): void {
    this.#series.clear();
  }
}
