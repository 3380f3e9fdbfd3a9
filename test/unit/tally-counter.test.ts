import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { TallyCounter } from '../../src/metrics/tally-counter.js';

describe('TallyCounter', () => {
  it('exports each series with its running total, scrape after scrape', async () => {
    const registry = new Registry();
    const counter = new TallyCounter({
      name: 'test_requests_total',
      help: 'requests',
      labelNames: ['route', 'status'],
      registers: [registry],
    });
    counter.add(1, '/a', '200');
    counter.add(2, '/a', '200');
    counter.add(1, '/a', '500');
    const first = await registry.metrics();
    expect(first).toContain('test_requests_total{route="/a",status="200"} 3');
    expect(first).toContain('test_requests_total{route="/a",status="500"} 1');
    counter.add(4, '/a', '200');
    // Scraping does not count twice: the totals are set anew from the tallies.
    const second = await registry.metrics();
    expect(second).toContain('test_requests_total{route="/a",status="200"} 7');
    expect(second).toContain('test_requests_total{route="/a",status="500"} 1');
  });
});
