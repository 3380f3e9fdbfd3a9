import { useQuery } from '@urql/preact';
import { useMemo, useState } from 'preact/hooks';
import { BarList, type BarRow } from '../components/bar-list.js';
import { EmptyState } from '../components/empty-state.js';
import { ErrorNotice } from '../components/error-notice.js';
import { Loading } from '../components/loading.js';
import { Stat } from '../components/stat.js';
import { formatCount, formatMs, formatPercent, formatUsd } from '../lib/format.js';
import { useMe } from '../lib/me.js';
import { type BucketSize, type PeriodName, periodStart, periods } from '../lib/period.js';
import { Link } from '../lib/router.js';
import { OverviewCharts } from './overview-charts.js';
import { type Figures, type OverviewData, overviewQuery } from './overview-query.js';

type Metric = 'spend' | 'requests' | 'tokens';

const metricOf: Record<Metric, (figures: Figures) => number> = {
  spend: (figures) => Number(figures.totalTokensCost),
  requests: (figures) => figures.requests,
  tokens: (figures) => figures.totalTokens,
};
const displayOf: Record<Metric, (figures: Figures) => string> = {
  spend: (figures) => formatUsd(figures.totalTokensCost),
  requests: (figures) => `${formatCount(figures.requests)} requests`,
  tokens: (figures) => `${formatCount(figures.totalTokens)} tokens`,
};

const toRow = (key: string, label: string, usage: Figures, metric: Metric): BarRow => ({
  key,
  label,
  value: metricOf[metric](usage),
  display: displayOf[metric](usage),
  detail: `${formatCount(usage.requests)} req · ${formatCount(usage.totalTokens)} tok · ${formatUsd(usage.totalTokensCost)} · ${formatPercent(usage.errorRate)} errors`,
});

/** Usage over a period: headline totals (the API's own), charts per bucket, and breakdowns. */
export function Overview() {
  const me = useMe();
  const [period, setPeriod] = useState<PeriodName>('24h');
  const [size, setSize] = useState<BucketSize>('HOUR');
  const [metric, setMetric] = useState<Metric>('spend');
  // The period is fixed when it is chosen (or refreshed), so that every figure covers the same window.
  const [now, setNow] = useState(() => Date.now());
  const from = useMemo(() => periodStart(period, size, now), [period, size, now]);
  const [{ data, fetching, error }, refetch] = useQuery<OverviewData>({
    query: overviewQuery,
    variables: { from: from?.toISOString() ?? null, series: [size] },
    requestPolicy: 'cache-and-network',
  });

  const refresh = () => {
    setNow(Date.now());
    refetch({ requestPolicy: 'network-only' });
  };
  const totals = data?.totals.totals;

  return (
    <section class="page" data-testid="overview" data-from={from?.toISOString() ?? ''}>
      <div class="page-head">
        <h1>Overview</h1>
        <div class="toolbar">
          <label>
            Period
            <select value={period} onChange={(event) => setPeriod(event.currentTarget.value as PeriodName)}>
              {periods.map((one) => (
                <option key={one.name} value={one.name}>
                  {one.label}
                </option>
              ))}
            </select>
          </label>
          <label>
            Buckets
            <select value={size} onChange={(event) => setSize(event.currentTarget.value as BucketSize)}>
              <option value="HOUR">Hours</option>
              <option value="DAY">Days</option>
            </select>
          </label>
          <button type="button" class="button" onClick={refresh} disabled={fetching}>
            {fetching ? 'Refreshing…' : 'Refresh'}
          </button>
        </div>
      </div>
      <p class="muted">
        {me.admin ? 'Every key' : `Key ${me.name}`},{' '}
        {from ? `since ${from.toLocaleString('en-GB')}` : 'all time'} (UTC buckets).
      </p>
      {error ? <ErrorNotice error={error} title="Usage could not be loaded" /> : null}
      {!data && fetching ? <Loading what="Loading usage" /> : null}
      {totals ? (
        <>
          <dl class="stats">
            <Stat label="Requests" display={formatCount(totals.requests)} value={String(totals.requests)} />
            <Stat
              label="Tokens"
              display={formatCount(totals.totalTokens)}
              value={String(totals.totalTokens)}
              detail={`${formatCount(totals.promptTokens)} in · ${formatCount(totals.completionTokens)} out`}
            />
            <Stat label="Spend" display={formatUsd(totals.totalTokensCost)} value={totals.totalTokensCost} />
            <Stat
              label="Error rate"
              display={formatPercent(totals.errorRate)}
              value={String(totals.errorRate)}
              detail={`${formatCount(totals.errors)} failed or cut short`}
            />
            <Stat
              label="Latency p50"
              display={formatMs(totals.latencyP50)}
              value={String(totals.latencyP50)}
              detail={`p95 ${formatMs(totals.latencyP95)}`}
            />
            <Stat
              label="TTFT p50"
              display={formatMs(totals.ttftP50)}
              value={String(totals.ttftP50)}
              detail={`p95 ${formatMs(totals.ttftP95)}`}
            />
          </dl>
          {totals.requests === 0 ? (
            <EmptyState>
              No completions in this period. Try the <Link to="/playground">playground</Link>, or choose a
              longer period.
            </EmptyState>
          ) : (
            <>
              <OverviewCharts buckets={data.series.buckets} size={size} from={from?.getTime()} now={now} />
              <div class="breakdown-head">
                <h2>Breakdown</h2>
                <label>
                  By
                  <select value={metric} onChange={(event) => setMetric(event.currentTarget.value as Metric)}>
                    <option value="spend">Spend</option>
                    <option value="requests">Requests</option>
                    <option value="tokens">Tokens</option>
                  </select>
                </label>
              </div>
              <div class="breakdowns">
                <BarList
                  title="By model"
                  rows={data.byModel.buckets.map((b) => {
                    const label = b.provider && b.model ? `${b.provider}/${b.model}` : 'no model (failed)';
                    return toRow(label, label, b.usage, metric);
                  })}
                />
                <BarList
                  title="By provider"
                  rows={data.byProvider.buckets.map((b) =>
                    toRow(b.provider ?? '—', b.provider ?? 'none', b.usage, metric),
                  )}
                />
                <BarList
                  title="By key"
                  rows={data.byKey.buckets.map((b) =>
                    toRow(b.keyId ?? '—', b.keyName ?? b.keyId ?? '—', b.usage, metric),
                  )}
                />
              </div>
            </>
          )}
        </>
      ) : null}
    </section>
  );
}
