import { useMemo } from 'preact/hooks';
import { type ChartSeries, TimeChart } from '../components/time-chart.js';
import { formatCount, formatMs } from '../lib/format.js';
import { type BucketSize, bucketStarts } from '../lib/period.js';
import type { Figures, OverviewData } from './overview-query.js';

interface OverviewChartsProps {
  buckets: OverviewData['series']['buckets'];
  size: BucketSize;
  /** The period's start; undefined for all time (then only buckets with traffic are drawn). */
  from: number | undefined;
  now: number;
}

const formatDollars = (value: number) =>
  `$${value < 0.01 && value > 0 ? Number(value.toPrecision(2)) : value.toFixed(2)}`;

/** The overview's time series: requests, tokens, spend and latency per hour or day. */
export function OverviewCharts({ buckets, size, from, now }: OverviewChartsProps) {
  const { times, charts } = useMemo(() => {
    const byStart = new Map<number, Figures>();
    for (const bucket of buckets) {
      const start = bucket.hour ?? bucket.day;
      if (start) byStart.set(Date.parse(start), bucket.usage);
    }
    const starts =
      from === undefined ? [...byStart.keys()].sort((a, b) => a - b) : bucketStarts(from, size, now);
    const pick = (read: (figures: Figures) => number | null, empty: number | null = 0) =>
      starts.map((start) => {
        const figures = byStart.get(start);
        return figures ? read(figures) : empty;
      });
    const series = (label: string, color: string, values: (number | null)[]): ChartSeries => ({
      label,
      color,
      values,
    });
    return {
      times: starts,
      charts: {
        requests: [
          series(
            'Requests',
            '#3867d6',
            pick((f) => f.requests),
          ),
          series(
            'Errors',
            '#eb3b5a',
            pick((f) => f.errors),
          ),
        ],
        tokens: [
          series(
            'Prompt',
            '#20bf6b',
            pick((f) => f.promptTokens),
          ),
          series(
            'Completion',
            '#0fb9b1',
            pick((f) => f.completionTokens),
          ),
        ],
        spend: [
          series(
            'Spend',
            '#8854d0',
            pick((f) => Number(f.totalTokensCost)),
          ),
        ],
        latency: [
          series(
            'Latency p50',
            '#3867d6',
            pick((f) => f.latencyP50, null),
          ),
          series(
            'Latency p95',
            '#a5b1c2',
            pick((f) => f.latencyP95, null),
          ),
          series(
            'TTFT p50',
            '#fa8231',
            pick((f) => f.ttftP50, null),
          ),
          series(
            'TTFT p95',
            '#f7b731',
            pick((f) => f.ttftP95, null),
          ),
        ],
      },
    };
  }, [buckets, size, from, now]);

  return (
    <div class="charts">
      <TimeChart
        title="Requests and errors"
        times={times}
        series={charts.requests}
        kind="bars"
        formatValue={formatCount}
      />
      <TimeChart
        title="Tokens"
        times={times}
        series={charts.tokens}
        kind="stacked"
        formatValue={formatCount}
      />
      <TimeChart
        title="Spend (US dollars)"
        times={times}
        series={charts.spend}
        kind="bars"
        formatValue={formatDollars}
      />
      <TimeChart
        title="Latency and time to first token"
        times={times}
        series={charts.latency}
        kind="lines"
        formatValue={formatMs}
      />
    </div>
  );
}
