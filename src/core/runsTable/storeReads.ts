// What the Runs Table reads from a store beyond a page of runs: metric extremes, and the
// whole-view answers ("differing only", group aggregates) from a store that computes them in SQL.
import { answersRunTableQueries, type GroupByKey, type MetricExtremes, type MetricSelection, type RunTableQueries, type TrackingReader } from '../store/trackingStore.ts';
import type { Run, SearchRunsQuery } from '../store/types.ts';
import { GroupAggregator } from './aggregates.ts';
import { COMMIT_TAG, DIRTY_TAG, NOTE_TAG, parseColumnId, SOURCE_TAG, type ExtremesLookup } from './columns.ts';
import type { Cell, ColumnId, GroupRow, MetricValue } from './types.ts';
import { RunsTableViewError } from './viewQuery.ts';
import { mapLimited } from '../../shared/mapLimited.ts';

/** Concurrent reads when a store has no bulk query (a metric's min/max, sparklines, runs by id). */
export const READ_CONCURRENCY = 8;

/** Which value (last, min, max) each metric column shows. */
export type MetricValueOf = (id: ColumnId) => MetricValue;

/** Runs `task` over `items` with at most `limit` at a time. */

/** Metric keys by the value their columns show: last, or the min or max of their history. */
export function metricSelection(metricColumns: readonly ColumnId[], metricValueOf: MetricValueOf): MetricSelection {
  const out = { last: [] as string[], min: [] as string[], max: [] as string[] };
  for (const id of metricColumns) {
    const parsed = parseColumnId(id);
    if (parsed?.kind === 'metric') out[metricValueOf(id)].push(parsed.key);
  }
  return out;
}

/** The groups and their aggregates from the store's per-chunk moments (computed in SQL), merged here. */
export async function groupsInStore(store: RunTableQueries, query: SearchRunsQuery, groupByIds: readonly ColumnId[], metricColumns: readonly ColumnId[], metricValueOf: MetricValueOf): Promise<GroupRow[]> {
  const groupBy = groupByIds.map((id): GroupByKey => {
    const parsed = parseColumnId(id);
    if (parsed?.kind !== 'param' && parsed?.kind !== 'tag') throw new RunsTableViewError(`Group rows by params or tags; not ${id}.`);
    return { kind: parsed.kind, key: parsed.key };
  });
  // The store names a value `last:loss`; the column showing that value is `metrics.loss`.
  const columnOf = new Map(metricColumns.map((id) => [`${metricValueOf(id)}:${parseColumnId(id)?.key ?? ''}`, id]));
  const aggregator = new GroupAggregator(metricColumns);
  for await (const chunk of store.groupAggregates(query, groupBy, metricSelection(metricColumns, metricValueOf))) {
    for (const [groupKey, runs] of chunk.groups) aggregator.addRun(groupKey, JSON.parse(groupKey) as Cell[], runs);
    for (const [groupKey, name, moments] of chunk.aggregates) {
      const column = columnOf.get(name);
      if (column) aggregator.addMoments(groupKey, column, moments);
    }
  }
  return aggregator.result();
}

/** The attribute columns read from tags: constant when all their tags are. */
const TAGS_OF: Readonly<Record<string, readonly string[]>> = {
  'attributes.source': [`tags.${SOURCE_TAG}`],
  'attributes.git_commit': [`tags.${COMMIT_TAG}`, `tags.${DIRTY_TAG}`],
  'attributes.note': [`tags.${NOTE_TAG}`],
};

/** The columns equal in every matching run, from the store's per-column presence and uniformity (SQL). */
export async function constantInStore(store: RunTableQueries, query: SearchRunsQuery, ids: readonly ColumnId[], metricValueOf: MetricValueOf): Promise<ColumnId[]> {
  const spread = await store.columnSpread(query, metricSelection(ids, metricValueOf));
  const constant = (id: string): boolean => {
    const found = spread.columns.get(id);
    return found === undefined || found.present === 0 || (found.present === spread.runs && found.uniform);
  };
  return ids.filter((id) => {
    const tags = TAGS_OF[id];
    if (tags) return tags.every(constant);
    const value = parseColumnId(id)?.kind === 'metric' ? metricValueOf(id) : 'last';
    return constant(value === 'last' ? id : `${value}:${id}`);
  });
}

/** Min/max of the metric columns shown as min or max, for these runs: one query, or one downsampled read per run and key. */
export async function readExtremes(store: TrackingReader, runs: readonly Run[], columnIds: readonly ColumnId[], metricValueOf: MetricValueOf): Promise<ExtremesLookup | undefined> {
  const keys = columnIds.filter((id) => metricValueOf(id) !== 'last').flatMap((id) => {
    const parsed = parseColumnId(id);
    return parsed?.kind === 'metric' ? [parsed.key] : [];
  });
  if (keys.length === 0 || runs.length === 0) return undefined;
  const runIds = runs.map((r) => r.info.runId);
  let found: ReadonlyMap<string, ReadonlyMap<string, MetricExtremes>>;
  if (answersRunTableQueries(store)) {
    found = await store.metricExtremes(runIds, keys);
  } else {
    const map = new Map<string, Map<string, MetricExtremes>>();
    const pairs = runs.flatMap((run) => keys.filter((k) => run.data.metrics.some((m) => m.key === k)).map((key) => ({ runId: run.info.runId, key })));
    await mapLimited(pairs, READ_CONCURRENCY, async ({ runId, key }) => {
      const [bucket] = await store.getMetricHistoryDownsampled(runId, key, 1);
      // An infinite point makes one extreme infinite, as the local store's min()/max() do; the other still shows.
      if (!bucket || (!Number.isFinite(bucket.min) && !Number.isFinite(bucket.max))) return;
      let byKey = map.get(runId);
      if (!byKey) map.set(runId, (byKey = new Map<string, MetricExtremes>()));
      byKey.set(key, { min: bucket.min, max: bucket.max });
    });
    found = map;
  }
  return (runId, key) => found.get(runId)?.get(key);
}
