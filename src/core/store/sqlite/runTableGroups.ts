// Group aggregates for the local store (RunTableQueries.groupAggregates): per group of the runs a
// search matches, each chosen metric value's count, mean, m2, min and max, computed in SQL.
import type { SqliteDatabase } from '../../sqlite/openDatabase.ts';
import type { GroupAggregatesChunk, GroupByKey, MetricSelection, Moments } from '../trackingStore.ts';
import type { SearchRunsQuery } from '../types.ts';
import { distinctKeys } from './runTableSpread.ts';
import { runSearchWhere } from './sqliteSearch.ts';
import { setImmediate } from 'node:timers/promises';


/** ±Infinity fail this test (NaN points are kept apart by is_nan): the aggregates skip both. */
const FINITE = 'BETWEEN -1.7976931348623157e308 AND 1.7976931348623157e308';

/** Values aggregated per query: a chunk of runs × the chosen metrics (smaller chunks sort faster). */
const VALUES_PER_QUERY = 100_000;
const MIN_CHUNK_RUNS = 100;
const MAX_CHUNK_RUNS = 5000;

/**
 * m2 from the plain sums is kept when it is at least this share of the sum of squares: its
 * rounding error is then below ~1e-10 of it (SQLite's sum() is compensated). Below, the values sit
 * close to their mean (a loss of 0.3 ± 1e-4, 1e9 + small steps) and are aggregated again exactly.
 */
const WELL_CONDITIONED = 1e-5;

const KINDS = ['last:', 'min:', 'max:'] as const;

/** Keys chosen below 1/SEEK_SHARE of the runs' metric keys are read by seeks, not by range scans. */
const SEEK_SHARE = 6;

/**
 * `v(gid, kind, key, value)`: the chosen metrics' values (NaN left out) for a chunk of runs, only
 * the kinds chosen. A mixed chunk is `g(run_key, gid)` from @chunk; a chunk of one group's runs
 * (`single`) is the run keys in @chunk and the group @gid, so no row is joined to its group and
 * the GROUP BY sorts on the key alone. `everyLast`: the last values are every metric the runs
 * have, so no row needs its key tested.
 */
function valuesOf(metrics: MetricSelection, everyLast: boolean, single: boolean): string {
  // Many keys of a run: read its whole key range and test each row, rather than one seek per key.
  const lastTest = everyLast ? '' : `${metrics.last.length > 16 ? '+x.key' : 'x.key'} IN (SELECT value FROM json_each(@last)) AND `;
  const from = (table: string) =>
    single ? `FROM ${table} x WHERE x.run_key IN (SELECT value FROM json_each(@chunk)) AND` : `FROM g JOIN ${table} x ON x.run_key = g.run_key WHERE`;
  const gid = single ? '@gid' : 'g.gid';
  const extremes = (fn: 'min' | 'max', kind: number) =>
    `SELECT ${gid}, ${kind}, x.key, ${fn}(x.value) ${from('metrics')} x.key IN (SELECT value FROM json_each(@${fn})) AND x.is_nan = 0 GROUP BY x.run_key, x.key`;
  const parts = [
    ...(metrics.last.length ? [`SELECT ${gid}, 0, x.key, x.value ${from('latest_metrics')} ${lastTest}x.is_nan = 0`] : []),
    ...(metrics.min.length ? [extremes('min', 1)] : []),
    ...(metrics.max.length ? [extremes('max', 2)] : []),
  ];
  const g = single ? '' : 'g(run_key, gid) AS MATERIALIZED (SELECT value ->> 0, value ->> 1 FROM json_each(@chunk)),';
  return `${g} v(gid, kind, key, value) AS (${parts.join(' UNION ALL ')})`;
}

/**
 * The matching runs in chunks of at most `size`: a group of a quarter of that or more in chunks of
 * its own (single), the smaller groups packed together (mixed), so many tiny groups stay few queries.
 */
function chunksOf(pairs: readonly (readonly [number, number])[], counts: readonly number[], size: number): { gid: number; runs: (readonly [number, number])[] }[] {
  const out: { gid: number; runs: (readonly [number, number])[] }[] = [];
  const own = new Map<number, (readonly [number, number])[]>();
  let mixed: (readonly [number, number])[] = [];
  for (const pair of pairs) {
    const gid = pair[1];
    if ((counts[gid] ?? 0) * 4 >= size) {
      let list = own.get(gid);
      if (!list) own.set(gid, (list = []));
      list.push(pair);
      if (list.length >= size) out.push({ gid, runs: list.splice(0) });
    } else {
      mixed.push(pair);
      if (mixed.length >= size) {
        out.push({ gid: -1, runs: mixed });
        mixed = [];
      }
    }
  }
  for (const [gid, list] of own) if (list.length) out.push({ gid, runs: list });
  if (mixed.length) out.push({ gid: -1, runs: mixed });
  return out;
}

function listsOf(metrics: MetricSelection): Record<string, string> {
  return { last: JSON.stringify(metrics.last), min: JSON.stringify(metrics.min), max: JSON.stringify(metrics.max) };
}

/**
 * Group aggregates in SQL: the matching runs' group keys first (one query, each group numbered),
 * then, a chunk of runs at a time, per group and metric value one GROUP BY pass of count, sum, sum
 * of squares, min and max. The few (group, value) pairs that pass cannot answer exactly, values
 * too close to their mean for plain sums (see WELL_CONDITIONED) or an infinity among them, are
 * aggregated again by an exact query over those keys only: finite values, a window's mean, then
 * the squared deviations. Chunks are merged by the caller (Chan et al.); no metric value passes
 * through JavaScript, and the caller's turn comes back between queries.
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
  const pairs = runs.map(([runKey, groupKey]): readonly [number, number] => {
    let id = ids.get(groupKey);
    if (id === undefined) ids.set(groupKey, (id = ids.size));
    counts[id] = (counts[id] ?? 0) + 1;
    return [runKey, id];
  });
  const keyOf = [...ids.keys()];
  yield { groups: keyOf.map((key, id) => [key, counts[id] ?? 0] as const), aggregates: [] };
  const chosen = metrics.last.length + metrics.min.length + metrics.max.length;
  if (chosen === 0) return;
  const chosenLast = new Set(metrics.last);
  const keysInStore = metrics.last.length > 0 ? distinctKeys(db, 'latest_metrics', JSON.stringify(query.experimentIds.map(Number))) : [];
  const everyLast = metrics.last.length > 0 && keysInStore.every((k) => chosenLast.has(k));
  const sums = (single: boolean) => {
    const moments = (value: string) => `count(*), sum(${value}), sum(${value} * ${value}), min(${value}), max(${value})`;
    // A few of many keys (the columns on screen): one primary-key seek per run and key beats reading
    // each run's whole key range (20 of 250 keys: 110 against 211 ms on 10k runs; even near 40).
    if (metrics.min.length === 0 && metrics.max.length === 0 && metrics.last.length * SEEK_SHARE < keysInStore.length) {
      const runs = single ? 'c(run_key) AS MATERIALIZED (SELECT value FROM json_each(@chunk))' : 'g(run_key, gid) AS MATERIALIZED (SELECT value ->> 0, value ->> 1 FROM json_each(@chunk))';
      const keys = 'k(key) AS MATERIALIZED (SELECT DISTINCT value FROM json_each(@last))';
      return db
        .prepare(
          `WITH ${runs}, ${keys}
           SELECT ${single ? '@gid' : 'g.gid'}, 0, x.key, ${moments('x.value')} FROM ${single ? 'c' : 'g'} CROSS JOIN k CROSS JOIN latest_metrics x
           ON x.run_key = ${single ? 'c' : 'g'}.run_key AND x.key = k.key WHERE x.is_nan = 0 GROUP BY ${single ? '' : 'g.gid, '}x.key`,
        )
        .raw();
    }
    // Last values only: the plainest query (no union to read through; of one group, the key alone to sort on).
    if (metrics.min.length === 0 && metrics.max.length === 0) {
      const lastTest = everyLast ? '' : `AND ${metrics.last.length > 16 ? '+x.key' : 'x.key'} IN (SELECT value FROM json_each(@last))`;
      return single
        ? db.prepare(`SELECT @gid, 0, x.key, ${moments('x.value')} FROM latest_metrics x WHERE x.run_key IN (SELECT value FROM json_each(@chunk)) ${lastTest} AND x.is_nan = 0 GROUP BY x.key`).raw()
        : db
            .prepare(
              `WITH g(run_key, gid) AS MATERIALIZED (SELECT value ->> 0, value ->> 1 FROM json_each(@chunk))
               SELECT g.gid, 0, x.key, ${moments('x.value')} FROM g JOIN latest_metrics x ON x.run_key = g.run_key WHERE x.is_nan = 0 ${lastTest} GROUP BY g.gid, x.key`,
            )
            .raw();
    }
    return db.prepare(`WITH ${valuesOf(metrics, everyLast, single)} SELECT ${single ? '@gid' : 'gid'}, kind, key, ${moments('value')} FROM v GROUP BY ${single ? '' : 'gid, '}kind, key`).raw();
  };
  const statements = { single: sums(true), mixed: sums(false) };
  const lists = listsOf(metrics);
  const chunkRuns = Math.max(MIN_CHUNK_RUNS, Math.min(MAX_CHUNK_RUNS, Math.floor(VALUES_PER_QUERY / chosen)));
  for (const { gid: only, runs: chunkPairs } of chunksOf(pairs, counts, chunkRuns)) {
    const chunk = JSON.stringify(chunkPairs);
    const rows = only >= 0 ? statements.single.all({ chunk: JSON.stringify(chunkPairs.map(([runKey]) => runKey)), gid: only, ...lists }) : statements.mixed.all({ chunk, ...lists });
    const aggregates: [string, string, Moments][] = [];
    const again: [number, string][] = [];
    for (const [gid, kind, key, n, sum, squares, min, max] of rows as [number, number, string, number, number, number, number, number][]) {
      const mean = sum / n;
      const m2 = n === 1 ? 0 : squares - sum * mean;
      if (Number.isFinite(min) && Number.isFinite(max) && Number.isFinite(m2) && (n === 1 || m2 >= WELL_CONDITIONED * squares)) {
        aggregates.push([keyOf[gid] as string, `${KINDS[kind] ?? ''}${key}`, { n, mean, m2, min, max }]);
      } else {
        again.push([kind, key]);
      }
    }
    if (again.length) {
      await setImmediate();
      const flagged = new Set(again.map(([kind, key]) => `${kind}\n${key}`));
      // The exact query covers every group for these keys: keep the pass's answer for none of them.
      const kept = aggregates.filter(([, name]) => {
        const kind = KINDS.findIndex((k) => name.startsWith(k));
        return !flagged.has(`${kind}\n${name.slice(KINDS[kind]?.length ?? 0)}`);
      });
      aggregates.length = 0;
      aggregates.push(...kept, ...exactMoments(db, chunk, again, keyOf));
    }
    yield { groups: [], aggregates };
    await setImmediate();
  }
}

/** Count, mean, m2, min and max of the finite values of some keys for a chunk of runs, exactly (two levels: a window's mean, then the squares). */
function exactMoments(db: SqliteDatabase, chunk: string, keys: readonly [number, string][], keyOf: readonly string[]): [string, string, Moments][] {
  const of = (kind: number) => [...new Set(keys.filter(([k]) => k === kind).map(([, key]) => key))];
  const narrowed: MetricSelection = { last: of(0), min: of(1), max: of(2) };
  const rows = db
    .prepare(
      `WITH ${valuesOf(narrowed, false, false)},
       w AS (SELECT gid, kind, key, value, avg(value) OVER (PARTITION BY gid, kind, key) AS mean FROM v WHERE value ${FINITE})
       SELECT gid, kind, key, count(*), avg(value), sum((value - mean) * (value - mean)), min(value), max(value) FROM w GROUP BY gid, kind, key`,
    )
    .raw()
    .all({ chunk, ...listsOf(narrowed) }) as [number, number, string, number, number, number, number, number][];
  return rows.map(([gid, kind, key, n, mean, m2, min, max]) => [keyOf[gid] as string, `${KINDS[kind] ?? ''}${key}`, { n, mean, m2: Math.max(0, m2), min, max }]);
}
