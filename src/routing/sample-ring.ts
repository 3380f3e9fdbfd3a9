/** The last N samples of a figure, for percentiles computed on read (not on the hot path). */
export class SampleRing {
  readonly #samples: number[] = [];
  #next = 0;

  constructor(private readonly capacity = 256) {}

  push(value: number): void {
    if (this.#samples.length < this.capacity) this.#samples.push(value);
    else this.#samples[this.#next] = value;
    this.#next = (this.#next + 1) % this.capacity;
  }

  /** The p-th percentile (0–100) by nearest rank, or undefined with no samples. */
  percentile(p: number): number | undefined {
    if (this.#samples.length === 0) return undefined;
    const sorted = [...this.#samples].sort((a, b) => a - b);
    const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
    return sorted[rank - 1];
  }
}
