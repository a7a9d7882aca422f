// Reading runs out of the local store in bulk: one query per table for a whole page of runs.
import type { SqliteDatabase } from '../../sqlite/openDatabase.ts';
import type { LifecycleStage, Metric, Param, Run, RunStatus, Tag } from '../types.ts';
import { loadRunIo } from './runIoTable.ts';

export interface RunRow {
  run_key: number;
  run_id: string;
  experiment_id: number;
  run_name: string;
  user_id: string;
  status: string;
  start_time: number;
  end_time: number | null;
  artifact_uri: string;
  lifecycle_stage: string;
}

export const RUN_COLUMNS =
  'r.run_key, r.run_id, r.experiment_id, r.run_name, r.user_id, r.status, r.start_time, r.end_time, r.artifact_uri, r.lifecycle_stage';

interface KeyedRow {
  run_key: number;
  key: string;
  value: string;
}

interface MetricRow {
  run_key: number;
  key: string;
  value: number;
  timestamp: number;
  step: number;
  is_nan: number;
}

export function metricFromRow(row: { key: string; value: number; timestamp: number; step: number; is_nan: number }): Metric {
  return { key: row.key, value: row.is_nan ? Number.NaN : row.value, timestamp: row.timestamp, step: row.step };
}

/** Turns run rows into full runs (latest metrics, params, tags, inputs, outputs), keeping the rows' order. */
export function loadRuns(db: SqliteDatabase, rows: readonly RunRow[]): Run[] {
  if (rows.length === 0) return [];
  const keys = JSON.stringify(rows.map((r) => r.run_key));
  const byRun = <T extends { run_key: number }>(sql: string): Map<number, T[]> => {
    const map = new Map<number, T[]>();
    for (const row of db.prepare(sql).all(keys) as T[]) {
      let list = map.get(row.run_key);
      if (!list) map.set(row.run_key, (list = []));
      list.push(row);
    }
    return map;
  };
  const inKeys = 'run_key IN (SELECT value FROM json_each(?))';
  const params = byRun<KeyedRow>(`SELECT run_key, key, value FROM params WHERE ${inKeys} ORDER BY key`);
  const tags = byRun<KeyedRow>(`SELECT run_key, key, value FROM tags WHERE ${inKeys} ORDER BY key`);
  const metrics = byRun<MetricRow>(`SELECT run_key, key, value, timestamp, step, is_nan FROM latest_metrics WHERE ${inKeys} ORDER BY key`);
  const io = loadRunIo(db, rows.map((r) => r.run_key));
  return rows.map((row) => ({
    info: {
      runId: row.run_id,
      runName: row.run_name,
      experimentId: String(row.experiment_id),
      userId: row.user_id,
      status: row.status as RunStatus,
      startTime: row.start_time,
      endTime: row.end_time,
      artifactUri: row.artifact_uri,
      lifecycleStage: row.lifecycle_stage as LifecycleStage,
    },
    data: {
      metrics: (metrics.get(row.run_key) ?? []).map(metricFromRow),
      params: (params.get(row.run_key) ?? []).map(({ key, value }): Param => ({ key, value })),
      tags: (tags.get(row.run_key) ?? []).map(({ key, value }): Tag => ({ key, value })),
    },
    ...io.get(row.run_key),
  }));
}
