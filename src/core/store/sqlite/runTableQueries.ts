// What the Runs Table asks of the local store beyond the search (RunTableQueries), answered in
// SQL so that 10k runs × 500 columns never pass through JavaScript to be counted or listed.
import type { SqliteDatabase } from '../../sqlite/openDatabase.ts';
import { encodePageToken } from '../pageToken.ts';
import type { ColumnSpread, GroupAggregatesChunk, GroupByKey, KeySpread, MetricExtremes, MetricSelection, RunKeys } from '../trackingStore.ts';
import type { Run, SearchRunsQuery } from '../types.ts';
import { loadRuns } from './runRows.ts';
import { runSearchWhere, searchRunRows } from './sqliteSearch.ts';

/**
 * The distinct keys of one table over the active runs of some experiments. A skip-scan of the
 * (key, value) index finds each distinct key with one seek, then one EXISTS per key checks it
 * belongs to these experiments: hundreds of seeks, not a scan of millions of rows.
 */
function distinctKeys(db: SqliteDatabase, table: 'params' | 'tags' | 'latest_metrics', experiments: string): string[] {
  const sql = `WITH RECURSIVE k(key) AS (
      SELECT min(key) FROM ${table}
      UNION ALL
      SELECT (SELECT min(key) FROM ${table} WHERE key > k.key) FROM k WHERE k.key IS NOT NULL
    )
    SELECT key FROM k WHERE key IS NOT NULL AND EXISTS (
      SELECT 1 FROM ${table} x JOIN runs r ON r.run_key = x.run_key
      WHERE x.key = k.key AND r.lifecycle_stage = 'active' AND r.experiment_id IN (SELECT value FROM json_each(?))
    )`;
  return (db.prepare(sql).pluck().all(experiments) as string[]).sort();
}

export function runKeys(db: SqliteDatabase, experimentIds: readonly string[]): RunKeys {
  const experiments = JSON.stringify(experimentIds.map(Number));
  return { params: distinctKeys(db, 'params', experiments), metrics: distinctKeys(db, 'latest_metrics', experiments), tags: distinctKeys(db, 'tags', experiments) };
}

export function countRuns(db: SqliteDatabase, query: SearchRunsQuery): number {
  if (query.experimentIds.length === 0) return 0;
  const where = runSearchWhere(query);
  return db.prepare(`SELECT count(*) FROM runs r WHERE ${where.text}`).pluck().get(...where.args) as number;
}

export function searchRunsAt(db: SqliteDatabase, query: SearchRunsQuery, offset: number, limit: number, only?: RunKeys): Run[] {
  return loadRuns(db, searchRunRows(db, { ...query, maxResults: limit, pageToken: encodePageToken(offset) }).rows, only);
}

export function metricExtremes(db: SqliteDatabase, runIds: readonly string[], keys: readonly string[]): Map<string, Map<string, MetricExtremes>> {
  const out = new Map<string, Map<string, MetricExtremes>>();
  if (runIds.length === 0 || keys.length === 0) return out;
  const rows = db
    .prepare(
      `SELECT r.run_id AS runId, m.key AS key, min(m.value) AS min, max(m.value) AS max
       FROM runs r JOIN metrics m ON m.run_key = r.run_key
       WHERE r.run_id IN (SELECT value FROM json_each(?)) AND m.key IN (SELECT value FROM json_each(?)) AND m.is_nan = 0
       GROUP BY r.run_id, m.key`,
    )
    .all(JSON.stringify(runIds), JSON.stringify(keys)) as { runId: string; key: string; min: number; max: number }[];
  for (const row of rows) {
    let byKey = out.get(row.runId);
    if (!byKey) out.set(row.runId, (byKey = new Map<string, MetricExtremes>()));
    byKey.set(row.key, { min: row.min, max: row.max });
  }
  return out;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Keys per "differing only" query, and runs per query of the NaN count: each query stays short. */
const KEYS_PER_QUERY = 16;
const NAN_CHUNK_RUNS = 1000;

/** ±Infinity fail this test (NaN points are kept apart by is_nan): the aggregates skip both. */
const FINITE = 'BETWEEN -1.7976931348623157e308 AND 1.7976931348623157e308';

/** Values aggregated per query: a chunk of runs × the chosen metrics, about 50 ms of SQLite's work. */
const VALUES_PER_QUERY = 40_000;
const MIN_CHUNK_RUNS = 100;
const MAX_CHUNK_RUNS = 5000;

/**
 * One query per table over every matching run: per key, how many runs have it and its smallest
 * and largest value. The (key, value) index is read in key order, so the grouping streams (no
 * sort); a column is uniform when all its values are equal.
 */
export async function columnSpread(db: SqliteDatabase, query: SearchRunsQuery, metrics: MetricSelection): Promise<ColumnSpread> {
  const columns = new Map<string, KeySpread>();
  if (query.experimentIds.length === 0) return { runs: 0, columns };
  const where = runSearchWhere(query);
  // The matching runs once, as a list of integers; each table's query checks membership in it.
  const runKeyList = JSON.stringify(db.prepare(`SELECT r.run_key FROM runs r WHERE ${where.text}`).pluck().all(...where.args));
  const matching = `m(run_key) AS MATERIALIZED (SELECT value FROM json_each(@runs))`;
  // A batch of keys per query (the index is read for those keys only), so no query holds the
  // extension host's thread for long at 10k runs × 500 columns; the caller yields between them.
  const keyed = (table: string, index: string, value: string) =>
    `WITH ${matching} SELECT x.key, count(*), min(${value}), max(${value}) FROM ${table} x INDEXED BY ${index}
     WHERE x.key IN (SELECT value FROM json_each(@keys)) AND x.run_key IN m GROUP BY x.key`;
  const extremes = (fn: 'min' | 'max') =>
    `WITH ${matching} SELECT key, count(*), min(v), max(v) FROM (
       SELECT x.run_key, x.key, ${fn}(x.value) AS v FROM m JOIN metrics x ON x.run_key = m.run_key
       WHERE x.key IN (SELECT value FROM json_each(@keys)) AND x.is_nan = 0 GROUP BY x.run_key, x.key
     ) GROUP BY key`;
  const experiments = JSON.stringify(query.experimentIds.map(Number));
  const batches = (table: 'params' | 'tags' | 'latest_metrics') => {
    const keys = distinctKeys(db, table, experiments);
    const out: Record<string, string>[] = [];
    for (let i = 0; i < keys.length; i += KEYS_PER_QUERY) out.push({ keys: JSON.stringify(keys.slice(i, i + KEYS_PER_QUERY)) });
    return out;
  };
  const reads: [string, string, Record<string, string>][] = [
    ...batches('params').map((args): [string, string, Record<string, string>] => ['params.', keyed('params', 'params_by_key', 'x.value'), args]),
    ...batches('tags').map((args): [string, string, Record<string, string>] => ['tags.', keyed('tags', 'tags_by_key', 'x.value'), args]),
    // The (key, value) index does not hold is_nan (a NaN's value column holds 0): NaNs are counted apart below.
    ...batches('latest_metrics').map((args): [string, string, Record<string, string>] => ['metrics.', keyed('latest_metrics', 'latest_metrics_by_key', 'x.value'), args]),
    ...(metrics.min.length ? [['min:metrics.', extremes('min'), { keys: JSON.stringify(metrics.min) }] as [string, string, Record<string, string>]] : []),
    ...(metrics.max.length ? [['max:metrics.', extremes('max'), { keys: JSON.stringify(metrics.max) }] as [string, string, Record<string, string>]] : []),
  ];
  for (const [prefix, sql, args] of reads) {
    for (const [key, present, lo, hi] of db.prepare(sql).raw().all({ runs: runKeyList, ...args }) as [string, number, unknown, unknown][]) {
      columns.set(prefix + key, { present, uniform: lo === hi });
    }
    await nextTurn();
  }
  // NaN counts as a value of its own: a column is uniform when all its values are NaN or none is and all are equal.
  // Read by the primary key (run_key, key), a chunk of runs at a time.
  const nanStatement = db.prepare(`SELECT key, count(*) FROM latest_metrics WHERE run_key IN (SELECT value FROM json_each(?)) AND is_nan = 1 GROUP BY key`).raw();
  const runKeys = JSON.parse(runKeyList) as number[];
  const nans = new Map<string, number>();
  for (let i = 0; i < runKeys.length; i += NAN_CHUNK_RUNS) {
    for (const [key, count] of nanStatement.all(JSON.stringify(runKeys.slice(i, i + NAN_CHUNK_RUNS))) as [string, number][]) nans.set(key, (nans.get(key) ?? 0) + count);
    await nextTurn();
  }
  for (const [key, count] of nans) {
    const found = columns.get(`metrics.${key}`);
    if (found) columns.set(`metrics.${key}`, { present: found.present, uniform: count === found.present });
  }
  const row = db
    .prepare(
      `SELECT count(*), min(status), max(status), min(user_id), max(user_id), min(start_time), max(start_time),
         min(coalesce(end_time - start_time, -1)), max(coalesce(end_time - start_time, -1))
       FROM runs WHERE run_key IN (SELECT value FROM json_each(?))`,
    )
    .raw()
    .get(runKeyList) as [number, ...unknown[]];
  ['status', 'user_id', 'start_time', 'duration'].forEach((key, i) => columns.set(`attributes.${key}`, { present: row[0], uniform: row[1 + 2 * i] === row[2 + 2 * i] }));
  return { runs: row[0], columns };
}

/**
 * Group aggregates in SQL: the matching runs' group keys first (one query), then, a chunk of runs
 * at a time, per group and metric value the count, mean, min, max and the sum of squared
 * deviations from the group's mean in the chunk (a two-level query: the window's average first,
 * then the squares), merged across chunks by the caller. No metric value passes through JavaScript.
 */
export async function* groupAggregates(db: SqliteDatabase, query: SearchRunsQuery, groupBy: readonly GroupByKey[], metrics: MetricSelection): AsyncGenerator<GroupAggregatesChunk> {
  if (groupBy.length === 0 || query.experimentIds.length === 0) return;
  const where = runSearchWhere(query);
  const keyColumns = groupBy.map((g) => `(SELECT x.value FROM ${g.kind === 'param' ? 'params' : 'tags'} x WHERE x.run_key = r.run_key AND x.key = ?)`);
  const runs = db
    .prepare(`SELECT r.run_key, json_array(${keyColumns.join(', ')}) FROM runs r WHERE ${where.text} ORDER BY r.run_key`)
    .raw()
    .all(...groupBy.map((g) => g.key), ...where.args) as [number, string][];
  // Each group gets a small integer: the query sorts on it, not on the key's text.
  const ids = new Map<string, number>();
  const counts: number[] = [];
  const pairs = runs.map(([runKey, groupKey]) => {
    let id = ids.get(groupKey);
    if (id === undefined) ids.set(groupKey, (id = ids.size));
    counts[id] = (counts[id] ?? 0) + 1;
    return [runKey, id];
  });
  const keyOf = [...ids.keys()];
  yield { groups: keyOf.map((key, id) => [key, counts[id] ?? 0] as const), aggregates: [] };
  const chosen = metrics.last.length + metrics.min.length + metrics.max.length;
  if (chosen === 0) return;
  // Many keys of a run: read its whole key range and test each row, rather than one seek per key.
  const lastTest = metrics.last.length > 16 ? '+x.key' : 'x.key';
  const extremes = (fn: 'min' | 'max', kind: number) =>
    `SELECT g.gid, ${kind}, x.key, ${fn}(x.value) FROM g JOIN metrics x ON x.run_key = g.run_key
     WHERE x.key IN (SELECT value FROM json_each(@${fn})) AND x.is_nan = 0 GROUP BY g.run_key, x.key`;
  const statement = db
    .prepare(
      `WITH g(run_key, gid) AS MATERIALIZED (SELECT value ->> 0, value ->> 1 FROM json_each(@chunk)),
       v(gid, kind, key, value) AS (
         SELECT g.gid, 0, x.key, x.value FROM g JOIN latest_metrics x ON x.run_key = g.run_key
         WHERE ${lastTest} IN (SELECT value FROM json_each(@last)) AND x.is_nan = 0
         UNION ALL ${extremes('min', 1)}
         UNION ALL ${extremes('max', 2)}
       ),
       w AS (SELECT gid, kind, key, value, avg(value) OVER (PARTITION BY gid, kind, key) AS mean FROM v WHERE value ${FINITE})
       SELECT gid, kind, key, count(*), avg(value), sum((value - mean) * (value - mean)), min(value), max(value) FROM w GROUP BY gid, kind, key`,
    )
    .raw();
  const lists = { last: JSON.stringify(metrics.last), min: JSON.stringify(metrics.min), max: JSON.stringify(metrics.max) };
  const kinds = ['last:', 'min:', 'max:'];
  const chunkRuns = Math.max(MIN_CHUNK_RUNS, Math.min(MAX_CHUNK_RUNS, Math.floor(VALUES_PER_QUERY / chosen)));
  for (let at = 0; at < pairs.length; at += chunkRuns) {
    const rows = statement.all({ chunk: JSON.stringify(pairs.slice(at, at + chunkRuns)), ...lists }) as [number, number, string, number, number, number, number, number][];
    yield {
      groups: [],
      aggregates: rows.map(([gid, kind, key, n, mean, m2, min, max]) => [keyOf[gid] as string, `${kinds[kind] ?? ''}${key}`, { n, mean, m2: Math.max(0, m2), min, max }] as const),
    };
    await nextTurn();
  }
}
