import { Counter, type Registry } from 'prom-client';

interface Tally<L extends string> {
  labels: Record<L, string>;
  value: number;
}

/**
 * A Prometheus counter counted in plain numbers and handed to prom-client only when
 * /metrics is scraped. prom-client sorts, hashes and validates the labels on every
 * increment, several times per request; here an increment is one Map lookup.
 */
export class TallyCounter<L extends string> {
  readonly #tallies = new Map<string, Tally<L>>();
  readonly #labelNames: readonly L[];

  constructor(config: { name: string; help: string; labelNames: readonly L[]; registers: Registry[] }) {
    this.#labelNames = config.labelNames;
    const tallies = this.#tallies;
    new Counter<L>({
      ...config,
      labelNames: [...config.labelNames],
      collect() {
        this.reset();
        for (const tally of tallies.values()) this.inc(tally.labels, tally.value);
      },
    });
  }

  /** Adds `value` to the series of these label values, given in `labelNames` order. */
  add(value: number, ...labelValues: string[]): void {
    const key = labelValues.join('\u0000');
    const tally = this.#tallies.get(key);
    if (tally) {
      tally.value += value;
      return;
    }
    const labels = {} as Record<L, string>;
    this.#labelNames.forEach((name, index) => {
      labels[name] = labelValues[index] ?? '';
    });
    this.#tallies.set(key, { labels, value });
  }
}
