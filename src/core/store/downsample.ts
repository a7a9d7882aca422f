/**
 * The reference implementation of metric downsampling; the SQLite store computes the same in SQL.
 *
 * Rules, so both agree:
 * - no points → no buckets;
 * - when `buckets` ≥ the number of distinct steps, one bucket per distinct step
 *   (`stepStart = stepEnd = step`);
 * - otherwise the integer steps [minStep, maxStep] (span = maxStep − minStep + 1) are cut into
 *   `buckets` equal-width ranges: a point at step s falls in bucket
 *   `floor((s − minStep) · buckets / span)`, and bucket i covers the steps
 *   `minStep + ceil(i · span / buckets)` … `minStep + ceil((i + 1) · span / buckets) − 1`.
 *   Buckets without points are left out;
 * - each bucket keeps count, min and max (NaN values count but do not take part in min/max;
 *   a bucket of only NaN has NaN for both), and its last point: highest step, then latest
 *   timestamp, then largest value.
 */
import { invalidParameter } from './errors.ts';
import { isLater } from './latestMetric.ts';
import type { Metric, MetricBucket } from './types.ts';

interface Accumulator {
  stepStart: number;
  stepEnd: number;
  count: number;
  min: number;
  max: number;
  last: Metric;
}

/** floor(a · b / c) for non-negative integers, exact even past 2^53. */
function mulDivFloor(a: number, b: number, c: number): number {
  const product = a * b;
  if (Number.isSafeInteger(product)) return Math.floor(product / c);
  return Number((BigInt(a) * BigInt(b)) / BigInt(c));
}

/** ceil(a · b / c) for non-negative integers. */
function mulDivCeil(a: number, b: number, c: number): number {
  const product = a * b;
  if (Number.isSafeInteger(product)) return Math.ceil(product / c);
  const big = BigInt(a) * BigInt(b);
  const divisor = BigInt(c);
  return Number((big + divisor - 1n) / divisor);
}

export function downsampleMetricHistory(history: readonly Metric[], buckets: number): MetricBucket[] {
  if (!Number.isInteger(buckets) || buckets < 1) {
    throw invalidParameter(`The number of buckets must be a whole number of at least 1, not ${buckets}.`);
  }
  if (history.length === 0) return [];

  let minStep = Number.POSITIVE_INFINITY;
  let maxStep = Number.NEGATIVE_INFINITY;
  const steps = new Set<number>();
  for (const point of history) {
    if (!Number.isSafeInteger(point.step)) {
      throw invalidParameter(`Metric steps must be whole numbers; "${point.key}" has step ${point.step}.`);
    }
    if (point.step < minStep) minStep = point.step;
    if (point.step > maxStep) maxStep = point.step;
    steps.add(point.step);
  }
  const span = maxStep - minStep + 1;
  const perStep = buckets >= steps.size;

  const byIndex = new Map<number, Accumulator>();
  for (const point of history) {
    const offset = point.step - minStep;
    const index = perStep ? point.step : mulDivFloor(offset, buckets, span);
    let bucket = byIndex.get(index);
    if (bucket === undefined) {
      const stepStart = perStep ? point.step : minStep + mulDivCeil(index, span, buckets);
      const stepEnd = perStep ? point.step : minStep + mulDivCeil(index + 1, span, buckets) - 1;
      bucket = { stepStart, stepEnd, count: 0, min: Number.NaN, max: Number.NaN, last: point };
      byIndex.set(index, bucket);
    }
    bucket.count += 1;
    if (!Number.isNaN(point.value)) {
      // A NaN min/max means "nothing seen yet" here.
      if (Number.isNaN(bucket.min) || point.value < bucket.min) bucket.min = point.value;
      if (Number.isNaN(bucket.max) || point.value > bucket.max) bucket.max = point.value;
    }
    if (isLater(point, bucket.last)) bucket.last = point;
  }

  return [...byIndex.values()]
    .sort((a, b) => a.stepStart - b.stepStart)
    .map((b) => ({
      stepStart: b.stepStart,
      stepEnd: b.stepEnd,
      count: b.count,
      min: b.min,
      max: b.max,
      last: b.last.value,
      lastStep: b.last.step,
      lastTimestamp: b.last.timestamp,
    }));
}
