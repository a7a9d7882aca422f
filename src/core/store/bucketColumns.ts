// Downsampled buckets as Float64Array columns (MetricBucketColumns): for stores that answer with
// bucket objects, and for the local store's point-level reads.
import type { MetricBucket, MetricBucketColumns } from './types.ts';

export function bucketColumns(buckets: readonly MetricBucket[]): MetricBucketColumns {
  const n = buckets.length;
  const columns = { step: new Float64Array(n), timestamp: new Float64Array(n), min: new Float64Array(n), max: new Float64Array(n), last: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    const b = buckets[i] as MetricBucket;
    columns.step[i] = b.lastStep;
    columns.timestamp[i] = b.lastTimestamp;
    columns.min[i] = b.min;
    columns.max[i] = b.max;
    columns.last[i] = b.last;
  }
  return columns;
}
