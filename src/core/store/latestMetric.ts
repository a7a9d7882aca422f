// A metric's "latest" value as MLflow defines it (the value a run's `metrics.<key>` shows and
// searches compare): the point with the highest step, then the latest timestamp, then the largest
// value. One rule for every reader and writer: the local store's latest-value table and tiles,
// mlruns files, logged models' linked metrics, the promotion gate and What Changed.
import type { Metric } from './types.ts';

/** Whether `a` is later than `b`. */
export function isLater(a: Metric, b: Metric): boolean {
  if (a.step !== b.step) return a.step > b.step;
  if (a.timestamp !== b.timestamp) return a.timestamp > b.timestamp;
  // NaN compares false both ways, so a NaN never displaces a number on a full tie.
  return a.value > b.value || (Number.isNaN(b.value) && !Number.isNaN(a.value));
}

/** The latest of some points of one metric. */
export function latestPoint(points: Iterable<Metric>): Metric | undefined {
  let best: Metric | undefined;
  for (const p of points) if (best === undefined || isLater(p, best)) best = p;
  return best;
}

/** The latest point of each key among mixed points. */
export function latestByKey(points: Iterable<Metric>): Map<string, Metric> {
  const best = new Map<string, Metric>();
  for (const p of points) {
    const seen = best.get(p.key);
    if (seen === undefined || isLater(p, seen)) best.set(p.key, p);
  }
  return best;
}
