import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  color: string;
  values: (number | null)[];
}

interface TimeChartProps {
  title: string;
  /** Bucket starts, epoch milliseconds. */
  times: number[];
  series: ChartSeries[];
  /** `stacked`: bars on top of each other (parts of a whole); `bars`: drawn over each other (a subset). */
  kind: 'bars' | 'stacked' | 'lines';
  formatValue: (value: number) => string;
}

const stack = (series: ChartSeries[]): (number | null)[][] =>
  series.map((_, index) =>
    series[0]!.values.map((_, at) =>
      series.slice(index).reduce((sum, one) => sum + (one.values[at] ?? 0), 0),
    ),
  );

// Wide enough for the longest tick label, so that none is cut.
const axisSize = (_chart: uPlot, values: string[] | null) =>
  values ? Math.max(40, ...values.map((value) => value.length * 7 + 18)) : 40;

const height = 200;

/** A uPlot chart over the overview's buckets that follows its container's width. */
export function TimeChart({ title, times, series, kind, formatValue }: TimeChartProps) {
  const container = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const barred = kind !== 'lines';
    const bars = uPlot.paths.bars?.({ size: [0.7, 40], gap: 1 });
    // Stacked: each series is drawn as the sum of itself and the ones after it, largest first,
    // so every part shows its own height; the legend still reads each part's own value.
    const plotted = kind === 'stacked' ? stack(series) : series.map((one) => one.values);
    const options: uPlot.Options = {
      width: Math.max(element.clientWidth, 200),
      height,
      legend: { show: true },
      cursor: { points: { show: kind === 'lines' } },
      scales: { x: { time: true } },
      axes: [
        { stroke: '#5b6473', grid: { stroke: '#eef0f3' } },
        {
          stroke: '#5b6473',
          grid: { stroke: '#eef0f3' },
          size: axisSize,
          values: (_chart, ticks) => ticks.map((tick) => formatValue(tick)),
        },
      ],
      series: [
        {},
        ...series.map((one) => ({
          label: one.label,
          stroke: one.color,
          fill: barred ? `${one.color}cc` : undefined,
          width: barred ? 0 : 2,
          paths: barred ? bars : undefined,
          points: { show: !barred && times.length < 40 },
          spanGaps: false,
          value: (_chart: uPlot, _plotted: number | null, _series: number, at: number | null) => {
            const value = at === null ? null : (one.values[at] ?? null);
            return value === null ? '—' : formatValue(value);
          },
        })),
      ],
    };
    const data: uPlot.AlignedData = [times.map((time) => time / 1000), ...plotted];
    const chart = new uPlot(options, data, element);
    const resize = new ResizeObserver(() =>
      chart.setSize({ width: Math.max(element.clientWidth, 200), height }),
    );
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
    };
  }, [times, series, kind, formatValue]);

  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <div ref={container} class="chart-canvas" />
    </figure>
  );
}
