// What the Runs Table asks of the local store beyond the search (RunTableQueries), answered in
// SQL so that 10k runs × 500 columns never pass through JavaScript to be counted or listed.
import type { SqliteDatabase } from '../../sqlite/openDatabase.ts';
import { encodePageToken } from '../pageToken.ts';
import type { MetricExtremes, RunKeys } from '../trackingStore.ts';
import type { Run, SearchRunsQuery } from '../types.ts';
import { loadRuns } from './runRows.ts';
import { distinctKeys } from './runTableSpread.ts';
import { runSearchWhere, searchRunRows } from './sqliteSearch.ts';

export { columnSpread } from './runTableSpread.ts';
export { groupAggregates } from './runTableGroups.ts';

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
