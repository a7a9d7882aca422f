// Writes to a run's rows in the local store, each inside the caller's write transaction: the new
// run with its tags, status and end time, the lifecycle stage, a tag's removal, and params (which
// MLflow never lets change once logged).
import type { SqliteDatabase } from '../../sqlite/openDatabase.ts';
import { invalidParameter, notFound } from '../errors.ts';
import type { Param, RunStatus, Tag, UpdateRunInput } from '../types.ts';
import { activeRunRow, runRow, setRunTags, type RunRow } from './runRows.ts';

export interface NewRunRow {
  readonly runId: string;
  readonly experimentKey: number;
  readonly runName: string;
  readonly userId: string;
  readonly status: RunStatus;
  readonly startTime: number;
  readonly artifactUri: string;
  readonly tags: readonly Tag[];
}

/** Inserts the run and its tags (`mlflow.runName` among them, as in MLflow); returns its key. */
export function insertRun(db: SqliteDatabase, run: NewRunRow): number {
  const key = Number(
    db
      .prepare('INSERT INTO runs (run_id, experiment_id, run_name, user_id, status, start_time, artifact_uri) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(run.runId, run.experimentKey, run.runName, run.userId, run.status, run.startTime, run.artifactUri).lastInsertRowid,
  );
  const setTag = db.prepare('INSERT OR REPLACE INTO tags (run_key, key, value) VALUES (?, ?, ?)');
  for (const tag of run.tags) setTag.run(key, tag.key, tag.value);
  setTag.run(key, 'mlflow.runName', run.runName);
  return key;
}

/** Sets what is given of an active run's status, end time (null clears it) and name; returns its key. */
export function updateRunRow(db: SqliteDatabase, runId: string, update: UpdateRunInput): number {
  const row = activeRunRow(db, runId);
  db.prepare('UPDATE runs SET status = coalesce(?, status), end_time = CASE WHEN ? THEN ? ELSE end_time END WHERE run_key = ?')
    .run(update.status ?? null, update.endTime === undefined ? 0 : 1, update.endTime ?? null, row.run_key);
  if (update.runName) setRunTags(db, row, [{ key: 'mlflow.runName', value: update.runName }]);
  return row.run_key;
}

/** Soft-deletes (with the time) or restores a run. */
export function setRunStage(db: SqliteDatabase, runId: string, stage: 'active' | 'deleted', now: number): void {
  const row = runRow(db, runId);
  db.prepare('UPDATE runs SET lifecycle_stage = ?, deleted_time = ? WHERE run_key = ?').run(stage, stage === 'deleted' ? now : null, row.run_key);
}

export function deleteRunTag(db: SqliteDatabase, runId: string, key: string): void {
  const row = activeRunRow(db, runId);
  const removed = db.prepare('DELETE FROM tags WHERE run_key = ? AND key = ?').run(row.run_key, key).changes;
  if (removed === 0) throw notFound(`No tag with name: ${key} in run with id ${runId}`);
}

/** Logs params; one already logged with another value is refused, as MLflow does. */
export function insertParams(db: SqliteDatabase, row: RunRow, runId: string, params: readonly Param[]): void {
  if (params.length === 0) return;
  const existing = db.prepare('SELECT value FROM params WHERE run_key = ? AND key = ?');
  const insert = db.prepare('INSERT OR IGNORE INTO params (run_key, key, value) VALUES (?, ?, ?)');
  for (const p of params) {
    const old = existing.get(row.run_key, p.key) as { value: string } | undefined;
    if (old && old.value !== p.value) {
      throw invalidParameter(
        `Changing param values is not allowed. Param with key='${p.key}' was already logged with value='${old.value}' for run ID='${runId}'. Attempted logging new value '${p.value}'.`,
      );
    }
    insert.run(row.run_key, p.key, p.value);
  }
}
