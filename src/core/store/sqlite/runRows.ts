// Runs in the local store: reading one by id, or in bulk (one query per table for a whole page of
// runs); setting a run's tags; and the default name of a new run.
import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from '../../sqlite/openDatabase.ts';
import { invalidParameter, notFound, TrackingError } from '../errors.ts';
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

/**
 * Turns run rows into full runs (latest metrics, params, tags, inputs, outputs), keeping the rows'
 * order. `only` limits the params, metrics and tags read to those keys (the Runs Table's visible columns).
 */
export function loadRuns(db: SqliteDatabase, rows: readonly RunRow[], only?: { readonly params: readonly string[]; readonly metrics: readonly string[]; readonly tags: readonly string[] }): Run[] {
  if (rows.length === 0) return [];
  const keys = JSON.stringify(rows.map((r) => r.run_key));
  const byRun = <T extends { run_key: number }>(columns: string, table: string, wanted: readonly string[] | undefined): Map<number, T[]> => {
    const map = new Map<number, T[]>();
    // Many wanted keys (a page of 500 columns): each run's key range read and its rows tested beats a seek per key.
    const onlyWanted = wanted ? ` AND ${wanted.length > 16 ? '+key' : 'key'} IN (SELECT value FROM json_each(?))` : '';
    // The primary key's order (run, then key): ORDER BY key alone led SQLite through the (key, value)
    // index, every run's value of every wanted key (minutes at 10k runs × 250 metrics).
    const sql = `SELECT run_key, ${columns} FROM ${table} WHERE run_key IN (SELECT value FROM json_each(?))${onlyWanted} ORDER BY run_key, key`;
    for (const row of db.prepare(sql).all(keys, ...(wanted ? [JSON.stringify(wanted)] : [])) as T[]) {
      let list = map.get(row.run_key);
      if (!list) map.set(row.run_key, (list = []));
      list.push(row);
    }
    return map;
  };
  const params = byRun<KeyedRow>('key, value', 'params', only?.params);
  const tags = byRun<KeyedRow>('key, value', 'tags', only?.tags);
  const metrics = byRun<MetricRow>('key, value, timestamp, step, is_nan', 'latest_metrics', only?.metrics);
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

/** The run-by-id statement, prepared once per connection: every write looks its run up. */
const runById = new WeakMap<SqliteDatabase, Statement>();

export function runRow(db: SqliteDatabase, runId: string): RunRow {
  let statement = runById.get(db);
  if (!statement) {
    statement = db.prepare(`SELECT ${RUN_COLUMNS} FROM runs r WHERE r.run_id = ?`);
    runById.set(db, statement);
  }
  const row = statement.get(runId) as RunRow | undefined;
  if (!row) throw notFound(`Run with id=${runId} not found`);
  return row;
}

/** The run's row, refusing a deleted run (the writes' rule, as in MLflow). */
export function activeRunRow(db: SqliteDatabase, runId: string): RunRow {
  const row = runRow(db, runId);
  if (row.lifecycle_stage !== 'active') {
    throw invalidParameter(`The run ${runId} must be in the 'active' state. Current state is ${row.lifecycle_stage}.`);
  }
  return row;
}

export function runByKey(db: SqliteDatabase, runKey: number): Run {
  const row = db.prepare(`SELECT ${RUN_COLUMNS} FROM runs r WHERE r.run_key = ?`).get(runKey) as RunRow;
  const [run] = loadRuns(db, [row]);
  if (!run) throw new TrackingError('INTERNAL_ERROR', `Run ${runKey} vanished while being read.`);
  return run;
}

/** Sets tags on a run (the caller holds the write transaction). */
export function setRunTags(db: SqliteDatabase, row: RunRow, tags: readonly Tag[]): void {
  const setTag = db.prepare('INSERT OR REPLACE INTO tags (run_key, key, value) VALUES (?, ?, ?)');
  for (const tag of tags) {
    setTag.run(row.run_key, tag.key, tag.value);
    // The run name lives in both places, as in MLflow.
    if (tag.key === 'mlflow.runName' && tag.value) db.prepare('UPDATE runs SET run_name = ? WHERE run_key = ?').run(tag.value, row.run_key);
  }
}

const ADJECTIVES = ['bright', 'calm', 'clever', 'bold', 'eager', 'gentle', 'keen', 'lucky', 'merry', 'quiet', 'rare', 'swift', 'warm', 'wise'];
const NOUNS = ['otter', 'falcon', 'heron', 'lynx', 'panda', 'raven', 'robin', 'seal', 'trout', 'wolf', 'yak', 'zebra', 'moth', 'newt'];

/** A readable default name like MLflow's (`bright-otter-123`). */
export function generateRunName(): string {
  const pick = (list: readonly string[]) => list[Math.floor(Math.random() * list.length)] ?? list[0];
  return `${pick(ADJECTIVES)}-${pick(NOUNS)}-${Math.floor(Math.random() * 1000)}`;
}
