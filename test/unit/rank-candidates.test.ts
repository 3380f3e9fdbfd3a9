import { describe, expect, it } from 'vitest';
import type { ModelEstimate } from '../../src/routing/health-tracker.js';
import { rankCandidates } from '../../src/routing/rank-candidates.js';
import { FakeClock } from '../support/fake-clock.js';
import { candidate } from '../support/scripted-model.js';

const clock = new FakeClock();
const priced = (id: string, input: number, output: number) =>
  candidate(id, clock, [], { prices: { input, output, cachedInput: input } }).candidate;
const unpriced = (id: string) => candidate(id, clock, [], { prices: undefined }).candidate;
const ids = (list: { info: { id: string } }[]) => list.map((c) => c.info.id);
const request = { promptTokens: 1_000, expectedOutputTokens: 500 };
const unseen: ModelEstimate = { ttftMs: undefined, msPerOutputToken: undefined, errorRate: 0 };
const estimates = (table: Record<string, Partial<ModelEstimate>>) => (id: string) => ({
  ...unseen,
  ...table[id],
});

describe('rankCandidates', () => {
  const pool = [
    priced('p/dear', 10, 30),
    unpriced('p/unknown'),
    priced('p/cheap', 1, 2),
    priced('p/mid', 3, 6),
  ];

  it('keeps the given order for "ordered"', () => {
    expect(ids(rankCandidates(pool, 'ordered', estimates({}), request))).toEqual([
      'p/dear',
      'p/unknown',
      'p/cheap',
      'p/mid',
    ]);
  });

  it('orders by the expected cost of this request for "cheapest", unpriced last', () => {
    expect(ids(rankCandidates(pool, 'cheapest', estimates({}), request))).toEqual([
      'p/cheap',
      'p/mid',
      'p/dear',
      'p/unknown',
    ]);
  });

  it('weighs prompt and answer sizes: a model cheap on input wins a long prompt', () => {
    const inputCheap = priced('p/input-cheap', 1, 100);
    const outputCheap = priced('p/output-cheap', 10, 1);
    const longPrompt = { promptTokens: 100_000, expectedOutputTokens: 10 };
    const longAnswer = { promptTokens: 10, expectedOutputTokens: 10_000 };
    expect(ids(rankCandidates([outputCheap, inputCheap], 'cheapest', estimates({}), longPrompt))[0]).toBe(
      'p/input-cheap',
    );
    expect(ids(rankCandidates([inputCheap, outputCheap], 'cheapest', estimates({}), longAnswer))[0]).toBe(
      'p/output-cheap',
    );
  });

  it('orders by observed speed for "fastest", trying models not seen yet first', () => {
    const table = {
      'p/dear': { ttftMs: 200, msPerOutputToken: 10 },
      'p/cheap': { ttftMs: 100, msPerOutputToken: 20 },
      'p/mid': { ttftMs: 900, msPerOutputToken: 1 },
    };
    // Expected: dear 200+5000, cheap 100+10000, mid 900+500.
    expect(ids(rankCandidates(pool, 'fastest', estimates(table), request))).toEqual([
      'p/unknown',
      'p/mid',
      'p/dear',
      'p/cheap',
    ]);
  });

  it('balances cost and latency, and penalises recent failures', () => {
    const fastDear = priced('p/fast-dear', 10, 10);
    const slowCheap = priced('p/slow-cheap', 1, 1);
    const middle = priced('p/middle', 4, 4);
    const table = {
      'p/fast-dear': { ttftMs: 100, msPerOutputToken: 0 },
      'p/slow-cheap': { ttftMs: 1_000, msPerOutputToken: 0 },
      'p/middle': { ttftMs: 300, msPerOutputToken: 0 },
    };
    // Scores: fast-dear 0.5+0.05, slow-cheap 0.05+0.5, middle 0.2+0.15.
    expect(ids(rankCandidates([fastDear, slowCheap, middle], 'balanced', estimates(table), request))).toEqual(
      ['p/middle', 'p/fast-dear', 'p/slow-cheap'],
    );
    const failing = { ...table, 'p/middle': { ...table['p/middle'], errorRate: 0.5 } };
    expect(
      ids(rankCandidates([fastDear, slowCheap, middle], 'balanced', estimates(failing), request))[2],
    ).toBe('p/middle');
  });
});
