// Sparklines from a downsampled metric history: one point per bucket (its last value), with the
// bucket's min and max kept so a spike inside a bucket still shows in the range.
import type { MetricBucket } from '../store/types.ts';
import type { JsonNumber, Sparkline, SparkPoint } from './model.ts';

/** How many buckets the panel asks the store for per metric. */
export const SPARKLINE_BUCKETS = 60;

export function sparklineOf(buckets: readonly MetricBucket[]): Sparkline {
  const points: SparkPoint[] = [];
  let min: number | null = null;
  let max: number | null = null;
  let count = 0;
  let skipped = 0;
  for (const bucket of buckets) {
    count += bucket.count;
    // A bucket of only NaN has NaN min/max; infinities would flatten every other point.
    const lo = Number.isFinite(bucket.min) ? bucket.min : null;
    const hi = Number.isFinite(bucket.max) ? bucket.max : null;
    if (lo !== null) min = min === null ? lo : Math.min(min, lo);
    if (hi !== null) max = max === null ? hi : Math.max(max, hi);
    if (!Number.isFinite(bucket.last)) {
      skipped++;
      continue;
    }
    points.push({ step: bucket.lastStep, value: bucket.last, min: lo ?? bucket.last, max: hi ?? bucket.last });
  }
  return { points, min, max, count, skipped };
}

export function jsonNumber(value: number): JsonNumber {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return 'Infinity';
  if (value === Number.NEGATIVE_INFINITY) return '-Infinity';
  return value;
}
