import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { TallyHistogram } from '../../src/metrics/tally-histogram.js';

describe('TallyHistogram', () => {
  it("exports the same buckets, sum and count as prom-client's own histogram", async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const config = { help: 'latency', labelNames: ['provider', 'model'] as const, buckets: [0.1, 1, 10] };
    const tally = new TallyHistogram({ ...config, name: 'test_latency_seconds', registers: [ours] });
    const reference = new Histogram({
      ...config,
      labelNames: [...config.labelNames],
      name: 'test_latency_seconds',
      registers: [theirs],
    });
    for (const [value, model] of [
      [0.05, 'a'],
      [0.1, 'a'],
      [0.5, 'a'],
      [20, 'a'],
      [3, 'b'],
    ] as const) {
      tally.observe(value, 'p', model);
      reference.observe({ provider: 'p', model }, value);
    }
    const lines = (text: string) => text.split('\n').filter(Boolean).sort();
    expect(lines(await ours.metrics())).toEqual(lines(await theirs.metrics()));
  });
});
