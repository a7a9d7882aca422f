// Metric histories for the compare charts: every run × key downsampled by the store into at most
// `buckets` min/max/last buckets, so a spike among millions of points still reaches the chart, and
// packed into Float64Array columns (MetricSeries) that cross to the webview without JSON.
import { isNotFound } from '../store/errors.ts';
import { bucketColumns } from '../store/bucketColumns.ts';
import { readsBucketColumns, type ReadableStore } from '../store/trackingStore.ts';
import type { MetricBucket, MetricBucketColumns } from '../store/types.ts';
import type { MetricSeries, SeriesFacts } from './types.ts';

/** Charts are at most a few thousand pixels wide; more buckets than that add nothing. */
export const MAX_BUCKETS = 4000;

/** The bucket count a request may ask for, as the store is asked. */
export function bucketCount(buckets: number): number {
  return Math.max(1, Math.min(MAX_BUCKETS, Math.floor(buckets)));
}

/**
 * What a chart would test point by point before it draws the columns as they are. Tested here, in
 * the host, where the loop runs compiled: a page runs its first chart's code cold.
 */
export function seriesFacts({ step, min, max, last }: MetricBucketColumns): SeriesFacts {
  let stepsAscending = true;
  let finite = true;
  let positive = true;
  for (let i = 0; i < step.length; i++) {
    if (i > 0 && (step[i] as number) < (step[i - 1] as number)) stepsAscending = false;
    const low = min[i] as number;
    const high = max[i] as number;
    const value = last[i] as number;
    // NaN fails every comparison.
    if (!(low > -Infinity && low < Infinity && high > -Infinity && high < Infinity && value > -Infinity && value < Infinity)) finite = false;
    if (!(low > 0)) positive = false;
  }
  return { stepsAscending, finite, positive };
}

function series(runId: string, key: string, columns: MetricBucketColumns): MetricSeries {
  return { runId, key, ...columns, facts: seriesFacts(columns) };
}

/** The store's buckets as columns. */
function packBuckets(runId: string, key: string, buckets: readonly MetricBucket[]): MetricSeries {
  return series(runId, key, bucketColumns(buckets));
}

/** `key`'s history of `runId` in at most `buckets` buckets, as columns (straight from a store that reads them so). */
export async function readColumns(store: ReadableStore, runId: string, key: string, buckets: number): Promise<MetricSeries> {
  if (readsBucketColumns(store)) return series(runId, key, await store.getMetricHistoryColumns(runId, key, buckets));
  return packBuckets(runId, key, await store.getMetricHistoryDownsampled(runId, key, buckets));
}

/** One run's series of `key`; undefined when the run no longer exists (other store errors propagate). */
export async function readSeries(store: ReadableStore, runId: string, key: string, buckets: number): Promise<MetricSeries | undefined> {
  try {
    return await readColumns(store, runId, key, bucketCount(buckets));
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** Reads series through a cache (SeriesCache). */
export interface SeriesReader {
  read(store: ReadableStore, runId: string, key: string, buckets: number): Promise<MetricSeries | undefined>;
}

function sameValues(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Series whose steps equal an earlier one's take that one's step column (the inputs are not
 * changed): VS Code's postMessage sends each ArrayBuffer of a message once, and the page's chart
 * sees one x axis without comparing the columns point by point (runs logged at the same steps are
 * the common case).
 */
export function shareSteps(series: readonly MetricSeries[]): MetricSeries[] {
  const distinct: Float64Array[] = [];
  return series.map((s) => {
    const same = distinct.find((step) => step === s.step || sameValues(step, s.step));
    if (same === undefined) distinct.push(s.step);
    return same === undefined || same === s.step ? s : { ...s, step: same };
  });
}

/**
 * Series of every run × key, run-major (the order of `runIds`, then of `keys`); runs that no
 * longer exist are left out. With a cache, a (run, key, buckets) read before is served from it.
 */
export async function metricSeries(store: ReadableStore, runIds: readonly string[], keys: readonly string[], buckets: number, cache?: SeriesReader): Promise<MetricSeries[]> {
  const n = bucketCount(buckets);
  const pairs = runIds.flatMap((runId) => keys.map((key) => ({ runId, key })));
  const read = await Promise.all(pairs.map(({ runId, key }) => (cache ? cache.read(store, runId, key, n) : readSeries(store, runId, key, n))));
  return read.filter((s): s is MetricSeries => s !== undefined);
}
