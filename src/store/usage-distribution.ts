/**
 * Usage of one UTC day, provider, model and kind, in the form the daily rollup stores and
 * the raw completions are summed into (src/store/usage-rollup.ts), and how such rows are
 * merged into the figures of a bucket. Every figure is exact: tokens are integers, costs are
 * summed as integers of 10⁻¹² dollars, and latency and time to first token travel as counts
 * per millisecond value, from which percentiles come out as PostgreSQL's `percentile_cont`
 * computes them over the rows.
 */
import type { CompletionFigures } from './completion-figures.js';

export interface DailyUsageRow {
  day: Date;
  provider: string;
  model: string;
  kind: string;
  requests: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  reasoningTokens: number;
  cachedTokens: number;
  /** Decimal strings (NUMERIC). */
  inputCost: string;
  outputCost: string;
  searchCost: string;
  totalCost: string;
  latencySum: number;
  ttftSum: number;
  ttftCount: number;
  /** JSON text: milliseconds → completions. */
  latencyCounts: string;
  ttftCounts: string;
}

/** The digits of a cost kept after the point (the columns are NUMERIC(24, 12)). */
const costScale = 12;
const costUnit = 10n ** BigInt(costScale);

/** A NUMERIC decimal string as an integer of 10⁻¹² (the columns' scale, so nothing is lost). */
export function decimalToScaled(text: string): bigint {
  const negative = text.startsWith('-');
  const [whole = '0', fraction = ''] = (negative ? text.slice(1) : text).split('.');
  const scaled = BigInt(whole) * costUnit + BigInt(fraction.slice(0, costScale).padEnd(costScale, '0'));
  return negative ? -scaled : scaled;
}

/** Back to text, as PostgreSQL prints a sum of NUMERIC(24, 12): twelve decimals, or "0" for no rows. */
export function scaledToDecimal(value: bigint): string {
  const negative = value < 0n;
  const magnitude = negative ? -value : value;
  const fraction = (magnitude % costUnit).toString().padStart(costScale, '0');
  return `${negative ? '-' : ''}${magnitude / costUnit}.${fraction}`;
}

/**
 * The continuous percentile of a distribution given as value → count, as `percentile_cont`
 * computes it over the same values: linear interpolation between the two values around
 * position fraction × (n − 1). Null for no values.
 */
export function percentileOfCounts(counts: ReadonlyMap<number, number>, fraction: number): number | null {
  let total = 0;
  for (const count of counts.values()) total += count;
  if (total === 0) return null;
  const values = [...counts.keys()].sort((a, b) => a - b);
  const position = fraction * (total - 1);
  const lowRank = Math.floor(position);
  const highRank = Math.ceil(position);
  let low: number | undefined;
  let high: number | undefined;
  let seen = 0;
  for (const value of values) {
    seen += counts.get(value)!;
    if (low === undefined && seen > lowRank) low = value;
    if (seen > highRank) {
      high = value;
      break;
    }
  }
  return low! + (high! - low!) * (position - lowRank);
}

/** Sums of one bucket while rows are merged into it. */
class FiguresAccumulator {
  requests = 0;
  errors = 0;
  promptTokens = 0;
  completionTokens = 0;
  reasoningTokens = 0;
  cachedTokens = 0;
  inputCost = 0n;
  outputCost = 0n;
  searchCost = 0n;
  totalCost = 0n;
  latencySum = 0;
  ttftSum = 0;
  ttftCount = 0;
  readonly latency = new Map<number, number>();
  readonly ttft = new Map<number, number>();

  add(row: DailyUsageRow): void {
    this.requests += row.requests;
    this.errors += row.errors;
    this.promptTokens += row.promptTokens;
    this.completionTokens += row.completionTokens;
    this.reasoningTokens += row.reasoningTokens;
    this.cachedTokens += row.cachedTokens;
    this.inputCost += decimalToScaled(row.inputCost);
    this.outputCost += decimalToScaled(row.outputCost);
    this.searchCost += decimalToScaled(row.searchCost);
    this.totalCost += decimalToScaled(row.totalCost);
    this.latencySum += row.latencySum;
    this.ttftSum += row.ttftSum;
    this.ttftCount += row.ttftCount;
    addCounts(this.latency, row.latencyCounts);
    addCounts(this.ttft, row.ttftCounts);
  }

  figures(): CompletionFigures {
    return {
      requests: this.requests,
      errors: this.errors,
      promptTokens: this.promptTokens,
      completionTokens: this.completionTokens,
      reasoningTokens: this.reasoningTokens,
      cachedTokens: this.cachedTokens,
      inputCost: this.requests === 0 ? '0' : scaledToDecimal(this.inputCost),
      outputCost: this.requests === 0 ? '0' : scaledToDecimal(this.outputCost),
      searchCost: this.requests === 0 ? '0' : scaledToDecimal(this.searchCost),
      totalCost: this.requests === 0 ? '0' : scaledToDecimal(this.totalCost),
      meanLatencyMs: this.requests === 0 ? null : this.latencySum / this.requests,
      meanTtftMs: this.ttftCount === 0 ? null : this.ttftSum / this.ttftCount,
      latencyP50Ms: percentileOfCounts(this.latency, 0.5),
      latencyP95Ms: percentileOfCounts(this.latency, 0.95),
      ttftP50Ms: percentileOfCounts(this.ttft, 0.5),
      ttftP95Ms: percentileOfCounts(this.ttft, 0.95),
    };
  }
}

function addCounts(into: Map<number, number>, json: string): void {
  const counts = JSON.parse(json) as Record<string, number>;
  for (const key in counts) {
    const value = Number(key);
    into.set(value, (into.get(value) ?? 0) + counts[key]!);
  }
}

/** The figures of all the rows together (usage totals). */
export function totalOfRows(rows: readonly DailyUsageRow[]): CompletionFigures {
  const total = new FiguresAccumulator();
  for (const row of rows) total.add(row);
  return total.figures();
}

/** The rows merged per distinct `keyOf(row)`; the first row of each group is handed back beside its figures. */
export function groupRows(
  rows: readonly DailyUsageRow[],
  keyOf: (row: DailyUsageRow) => string,
): { sample: DailyUsageRow; figures: CompletionFigures }[] {
  const groups = new Map<string, { sample: DailyUsageRow; sum: FiguresAccumulator }>();
  for (const row of rows) {
    const key = keyOf(row);
    let group = groups.get(key);
    if (!group) {
      group = { sample: row, sum: new FiguresAccumulator() };
      groups.set(key, group);
    }
    group.sum.add(row);
  }
  return [...groups.values()].map(({ sample, sum }) => ({ sample, figures: sum.figures() }));
}
