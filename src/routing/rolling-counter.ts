/**
 * Counts attempts and failures over a sliding time window, in ten buckets, so that
 * recording is O(1) however busy the model is.
 */
export class RollingCounter {
  static readonly bucketCount = 10;
  readonly #bucketMs: number;
  readonly #starts = new Array<number>(RollingCounter.bucketCount).fill(-1);
  readonly #totals = new Array<number>(RollingCounter.bucketCount).fill(0);
  readonly #failures = new Array<number>(RollingCounter.bucketCount).fill(0);

  constructor(windowMs: number) {
    this.#bucketMs = Math.max(1, Math.ceil(windowMs / RollingCounter.bucketCount));
  }

  record(now: number, failed: boolean): void {
    const start = Math.floor(now / this.#bucketMs);
    const slot = start % RollingCounter.bucketCount;
    if (this.#starts[slot] !== start) {
      this.#starts[slot] = start;
      this.#totals[slot] = 0;
      this.#failures[slot] = 0;
    }
    this.#totals[slot]!++;
    if (failed) this.#failures[slot]!++;
  }

  /** Attempts and failures in the window ending at `now`. */
  read(now: number): { total: number; failed: number } {
    const current = Math.floor(now / this.#bucketMs);
    let total = 0;
    let failed = 0;
    for (let slot = 0; slot < RollingCounter.bucketCount; slot++) {
      const start = this.#starts[slot]!;
      if (start >= 0 && current - start < RollingCounter.bucketCount) {
        total += this.#totals[slot]!;
        failed += this.#failures[slot]!;
      }
    }
    return { total, failed };
  }

  reset(): void {
    this.#starts.fill(-1);
  }
}
