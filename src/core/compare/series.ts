// Metric histories for the compare charts: every run × key downsampled by the store into at most
// `buckets` min/max/last buckets, so a spike among millions of points still reaches the chart.
import { TrackingError } from '../store/errors.ts';
import type { ReadableStore } from '../store/trackingStore.ts';
import type { MetricSeries } from './types.ts';

/** Charts are at most a few thousand pixels wide; more buckets than that add nothing. */
export const MAX_BUCKETS = 4000;

/** Series of runs that no longer exist are left out; other store errors propagate. */
export async function metricSeries(store: ReadableStore, runIds: readonly string[], keys: readonly string[], buckets: number): Promise<MetricSeries[]> {
  const n = Math.max(1, Math.min(MAX_BUCKETS, Math.floor(buckets)));
  const pairs = runIds.flatMap((runId) => keys.map((key) => ({ runId, key })));
  const read = await Promise.all(
    pairs.map(async ({ runId, key }) => {
      try {
        return { runId, key, buckets: await store.getMetricHistoryDownsampled(runId, key, n) };
      } catch (err) {
        if (err instanceof TrackingError && err.code === 'RESOURCE_DOES_NOT_EXIST') return undefined;
        throw err;
      }
    }),
  );
  return read.filter((s): s is MetricSeries => s !== undefined);
}
