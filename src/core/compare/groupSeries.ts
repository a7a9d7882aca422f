// A group of runs (the seeds of one configuration) drawn as one line: per x bucket, the mean,
// standard deviation, min and max of the group's runs' values. Pure; the host reads the runs'
// downsampled series (through the series cache) and the page draws the mean with a band.
import { mapLimited } from '../../shared/mapLimited.ts';
import { isNotFound } from '../store/errors.ts';
import type { ReadableStore } from '../store/trackingStore.ts';
import { bucketCount, metricSeries, type SeriesReader } from './series.ts';
import type { CompareGroup, GroupSeries, MetricSeries, XAxisMode } from './types.ts';

/** Groups that name runs the panel does not compare, or have no label. */
export class InvalidGroupsError extends Error {
  override readonly name = 'InvalidGroupsError';
}

/**
 * The groups as a panel keeps them: each run id once, empty groups dropped. Throws
 * InvalidGroupsError when a group has no label or names a run that is not among `runIds`.
 */
export function checkGroups(runIds: readonly string[], groups: readonly CompareGroup[]): CompareGroup[] {
  const compared = new Set(runIds);
  return groups.flatMap((group) => {
    if (!group.label.trim()) throw new InvalidGroupsError('Every group of runs needs a label.');
    const stranger = group.runIds.find((id) => !compared.has(id));
    if (stranger !== undefined) throw new InvalidGroupsError(`The group '${group.label}' names the run ${stranger}, which is not among the compared runs.`);
    const members = [...new Set(group.runIds)];
    return members.length ? [{ label: group.label, runIds: members }] : [];
  });
}

/** A run's series with what its x values need. */
export interface GroupMember {
  readonly series: MetricSeries;
  /** The run's start (ms), for the relative-time axis. */
  readonly startTime: number;
}

function xOf(mode: XAxisMode, series: MetricSeries, i: number, startTime: number): number {
  if (mode === 'step') return series.step[i] as number;
  if (mode === 'wall') return (series.timestamp[i] as number) / 1000;
  return ((series.timestamp[i] as number) - startTime) / 1000;
}

/**
 * Aggregates the members' last-value lines into at most `buckets` buckets of equal width over the
 * x range the members span. In each bucket a run counts once, with its value at its largest x
 * there (its "last" in the bucket, as its own line shows it). Runs that log at different steps:
 * a bucket aggregates over the runs that have a value in it, and `runs` says how many those are —
 * a run that stopped early or started late narrows the group there, it is not counted as a gap or
 * a zero. x is the largest x of the values aggregated, so a group whose runs share their steps
 * keeps them exactly. Non-finite values are left out. std is the sample standard deviation
 * (n − 1; 0 where one run has a value), as the Runs Table's aggregates.
 */
export function aggregateGroup(label: string, key: string, members: readonly GroupMember[], mode: XAxisMode, buckets: number): GroupSeries {
  const n = bucketCount(buckets);
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const { series, startTime } of members) {
    for (let i = 0; i < series.last.length; i++) {
      if (!Number.isFinite(series.last[i])) continue;
      const x = xOf(mode, series, i, startTime);
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
  }
  const width = hi > lo ? (hi - lo) / n : 1;
  const bucketOf = (x: number) => Math.min(n - 1, Math.floor((x - lo) / width));
  // Welford's running mean and squared deviations per bucket: stable for values far from 0.
  const count = new Float64Array(n);
  const mean = new Float64Array(n);
  const m2 = new Float64Array(n);
  const min = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  const max = new Float64Array(n).fill(Number.NEGATIVE_INFINITY);
  const xs = new Float64Array(n).fill(Number.NEGATIVE_INFINITY);
  const runX = new Float64Array(n).fill(Number.NEGATIVE_INFINITY);
  const runY = new Float64Array(n);
  for (const { series, startTime } of members) {
    const touched: number[] = [];
    for (let i = 0; i < series.last.length; i++) {
      const y = series.last[i] as number;
      if (!Number.isFinite(y)) continue;
      const x = xOf(mode, series, i, startTime);
      const b = bucketOf(x);
      if (runX[b] === Number.NEGATIVE_INFINITY) touched.push(b);
      if (x >= (runX[b] as number)) {
        runX[b] = x;
        runY[b] = y;
      }
    }
    for (const b of touched) {
      const y = runY[b] as number;
      const c = (count[b] as number) + 1;
      const delta = y - (mean[b] as number);
      const next = (mean[b] as number) + delta / c;
      count[b] = c;
      mean[b] = next;
      m2[b] = (m2[b] as number) + delta * (y - next);
      min[b] = Math.min(min[b] as number, y);
      max[b] = Math.max(max[b] as number, y);
      xs[b] = Math.max(xs[b] as number, runX[b] as number);
      runX[b] = Number.NEGATIVE_INFINITY;
    }
  }
  const filled: number[] = [];
  for (let b = 0; b < n; b++) if ((count[b] as number) > 0) filled.push(b);
  const pick = (column: Float64Array) => Float64Array.from(filled, (b) => column[b] as number);
  return {
    label,
    key,
    runIds: members.filter((m) => m.series.last.length > 0).map((m) => m.series.runId),
    x: pick(xs),
    mean: pick(mean),
    std: Float64Array.from(filled, (b) => ((count[b] as number) > 1 ? Math.sqrt((m2[b] as number) / ((count[b] as number) - 1)) : 0)),
    min: pick(min),
    max: pick(max),
    runs: pick(count),
  };
}

/**
 * Every group × key, aggregated from the runs' series at `buckets` buckets (the same series the
 * per-run lines use, so a cache serves both). Runs that no longer exist are left out of their group.
 */
export async function groupSeries(
  store: ReadableStore,
  groups: readonly CompareGroup[],
  keys: readonly string[],
  buckets: number,
  mode: XAxisMode,
  cache?: SeriesReader,
  knownStarts?: ReadonlyMap<string, number>,
): Promise<GroupSeries[]> {
  const runIds = [...new Set(groups.flatMap((g) => g.runIds))];
  const series = await metricSeries(store, runIds, keys, buckets, cache);
  const starts = new Map<string, number>();
  if (mode === 'relative') {
    // Start times the caller knows (the comparison's runs) are not read again.
    await mapLimited(runIds, 8, async (runId) => {
      const known = knownStarts?.get(runId);
      if (known !== undefined) return void starts.set(runId, known);
      try {
        starts.set(runId, (await store.getRun(runId)).info.startTime);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    });
  }
  const byRunKey = new Map(series.map((s) => [JSON.stringify([s.runId, s.key]), s]));
  return groups.flatMap((group) =>
    keys.map((key) => {
      const members = group.runIds.flatMap((runId) => {
        const found = byRunKey.get(JSON.stringify([runId, key]));
        return found ? [{ series: found, startTime: starts.get(runId) ?? 0 }] : [];
      });
      return aggregateGroup(group.label, key, members, mode, buckets);
    }),
  );
}
