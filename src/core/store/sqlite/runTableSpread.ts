// "Differing only" for the local store (RunTableQueries.columnSpread): per column over the runs a
// search matches, whether every run has it and whether its value is the same in all of them.
import type { SqliteDatabase } from '../../sqlite/openDatabase.ts';
import type { ColumnSpread, KeySpread, MetricSelection } from '../trackingStore.ts';
import type { SearchRunsQuery } from '../types.ts';
import { runSearchWhere } from './sqliteSearch.ts';
import { setImmediate } from 'node:timers/promises';

type KeyedTable = 'params' | 'tags' | 'latest_metrics';

const PREFIX: Record<KeyedTable, string> = { params: 'params.', tags: 'tags.', latest_metrics: 'metrics.' };


/**
 * The distinct keys of one table over the active runs of some experiments. A skip-scan of the
 * (key, value) index finds each distinct key with one seek, then one EXISTS per key checks it
 * belongs to these experiments: hundreds of seeks, not a scan of millions of rows.
 */
export function distinctKeys(db: SqliteDatabase, table: KeyedTable, experiments: string): string[] {
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

/**
 * One table's keys over the matching runs `m`, without reading every value. The (key, value) index
 * gives each key's smallest and largest value among the matching runs in a seek or two (a key
 * whose two differ is not uniform, and needs no count); only the keys with one value are counted,
 * over that value's index entries, to tell whether every matching run has them. When the matching
 * runs are every run of the store (`everyRun`), nothing needs testing for membership: min(),
 * max() and count() read the index alone.
 */
function keySpreads(db: SqliteDatabase, table: KeyedTable, keys: readonly string[], runs: string, everyRun: boolean): Map<string, KeySpread> {
  const out = new Map<string, KeySpread>();
  const index = `${table}_by_key`;
  const member = everyRun ? '' : ' AND x.run_key IN m';
  const matching = everyRun ? '' : 'm(run_key) AS MATERIALIZED (SELECT value FROM json_each(@runs)), ';
  const probe = (dir: string) => `(SELECT x.value FROM ${table} x INDEXED BY ${index} WHERE x.key = k.value${member} ORDER BY x.value ${dir} LIMIT 1)`;
  const count = (extra: string) => `(SELECT count(*) FROM ${table} x INDEXED BY ${index} WHERE x.key = e.key AND x.value = e.lo${member}${extra})`;
  // A NaN is stored as 0 with is_nan set (the index does not hold is_nan), so a metric whose one
  // value is 0 may hold NaNs too: those are counted apart. The values stay in SQL (a JSON round
  // trip would turn an infinity into null).
  const nans = table === 'latest_metrics' ? `CASE WHEN e.lo = e.hi AND e.lo = 0 THEN ${count(' AND x.is_nan = 1')} END` : 'NULL';
  const rows = db
    .prepare(
      `WITH ${matching}e(key, lo, hi) AS MATERIALIZED (SELECT k.value, ${probe('ASC')}, ${probe('DESC')} FROM json_each(@keys) k)
       SELECT e.key, e.lo IS NOT NULL, e.lo = e.hi, CASE WHEN e.lo = e.hi THEN ${count('')} END, ${nans} FROM e`,
    )
    .raw()
    .all({ keys: JSON.stringify(keys), ...(everyRun ? {} : { runs }) }) as [string, number, number | null, number | null, number | null][];
  for (const [key, found, single, present, nan] of rows) {
    // No matching run has the key: not a column of these runs.
    if (!found) continue;
    // Two values: not uniform, however many runs have it (the count is not needed).
    if (!single || present === null) out.set(PREFIX[table] + key, { present: 1, uniform: false });
    // One value: uniform when every value is NaN or none is.
    else out.set(PREFIX[table] + key, { present, uniform: !nan || nan === present });
  }
  return out;
}

/**
 * Per column over every matching run: whether every run has it (its count when its value is the
 * same everywhere) and whether it is uniform. A few index seeks per key, a count only for the keys
 * with one value; metrics shown as their history's min or max are read per run (those are few).
 * Yields between tables so the extension host stays responsive.
 */
export async function columnSpread(db: SqliteDatabase, query: SearchRunsQuery, metrics: MetricSelection): Promise<ColumnSpread> {
  const columns = new Map<string, KeySpread>();
  if (query.experimentIds.length === 0) return { runs: 0, columns };
  const where = runSearchWhere(query);
  // The matching runs once, as a list of integers; each query checks membership in it.
  const runKeys = db.prepare(`SELECT r.run_key FROM runs r WHERE ${where.text}`).pluck().all(...where.args) as number[];
  const runs = JSON.stringify(runKeys);
  const everyRun = runKeys.length === (db.prepare('SELECT count(*) FROM runs').pluck().get() as number);
  const experiments = JSON.stringify(query.experimentIds.map(Number));
  for (const table of ['params', 'tags', 'latest_metrics'] as const) {
    for (const [id, spread] of keySpreads(db, table, distinctKeys(db, table, experiments), runs, everyRun)) columns.set(id, spread);
    await setImmediate();
  }
  const extremes = (fn: 'min' | 'max') =>
    `WITH m(run_key) AS MATERIALIZED (SELECT value FROM json_each(@runs)) SELECT key, count(*), min(v), max(v) FROM (
       SELECT x.run_key, x.key, ${fn}(x.value) AS v FROM m JOIN metrics x ON x.run_key = m.run_key
       WHERE x.key IN (SELECT value FROM json_each(@keys)) AND x.is_nan = 0 GROUP BY x.run_key, x.key
     ) GROUP BY key`;
  for (const fn of ['min', 'max'] as const) {
    if (metrics[fn].length === 0) continue;
    for (const [key, present, lo, hi] of db.prepare(extremes(fn)).raw().all({ runs, keys: JSON.stringify(metrics[fn]) }) as [string, number, unknown, unknown][]) {
      columns.set(`${fn}:metrics.${key}`, { present, uniform: lo === hi });
    }
    await setImmediate();
  }
  const row = db
    .prepare(
      `SELECT count(*), min(status), max(status), min(user_id), max(user_id), min(start_time), max(start_time),
         min(coalesce(end_time - start_time, -1)), max(coalesce(end_time - start_time, -1))
       FROM runs WHERE run_key IN (SELECT value FROM json_each(?))`,
    )
    .raw()
    .get(runs) as [number, ...unknown[]];
  ['status', 'user_id', 'start_time', 'duration'].forEach((key, i) => columns.set(`attributes.${key}`, { present: row[0], uniform: row[1 + 2 * i] === row[2 + 2 * i] }));
  return { runs: row[0], columns };
}
