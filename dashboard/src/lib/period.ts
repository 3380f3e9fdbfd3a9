/** A window of the overview, ending now. */
export type PeriodName = '24h' | '7d' | '30d' | 'all';
export type BucketSize = 'HOUR' | 'DAY';

export const periods: { name: PeriodName; label: string }[] = [
  { name: '24h', label: 'Last 24 hours' },
  { name: '7d', label: 'Last 7 days' },
  { name: '30d', label: 'Last 30 days' },
  { name: 'all', label: 'All time' },
];

const hourMs = 3_600_000;
const dayMs = 24 * hourMs;
const lengthMs: Record<Exclude<PeriodName, 'all'>, number> = {
  '24h': dayMs,
  '7d': 7 * dayMs,
  '30d': 30 * dayMs,
};

export const bucketMs = (size: BucketSize): number => (size === 'HOUR' ? hourMs : dayMs);

/** Bucket starts are UTC, as the API groups them. */
export const bucketStart = (time: number, size: BucketSize): number => time - (time % bucketMs(size));

/**
 * The first instant of the period, at a bucket start so that the first bar is whole; undefined
 * for all time. The period ends now: `usage` is asked without `to`.
 */
export function periodStart(name: PeriodName, size: BucketSize, now: number): Date | undefined {
  if (name === 'all') return undefined;
  return new Date(bucketStart(now - lengthMs[name], size) + bucketMs(size));
}

/** Every bucket start from `from` to now, so that quiet hours show as zero, not as a gap. */
export function bucketStarts(from: number, size: BucketSize, now: number): number[] {
  const starts: number[] = [];
  for (let time = bucketStart(from, size); time <= now; time += bucketMs(size)) starts.push(time);
  return starts;
}
