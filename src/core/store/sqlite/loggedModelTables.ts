// MLflow 3's LoggedModel entities (what `mlflow.<flavor>.log_model` creates), kept by the local
// store so that models logged through the endpoint are never lost.
import { randomUUID } from 'node:crypto';
import type { SqliteDatabase } from '../../sqlite/openDatabase.ts';
import { invalidParameter, notFound } from '../errors.ts';
import type { Tag } from '../types.ts';

export type LoggedModelStatus = 'LOGGED_MODEL_PENDING' | 'LOGGED_MODEL_READY' | 'LOGGED_MODEL_UPLOAD_FAILED';
export const LOGGED_MODEL_STATUSES: readonly LoggedModelStatus[] = ['LOGGED_MODEL_PENDING', 'LOGGED_MODEL_READY', 'LOGGED_MODEL_UPLOAD_FAILED'];

export interface LoggedModel {
  readonly modelId: string;
  readonly experimentId: string;
  readonly name: string;
  readonly artifactLocation: string;
  readonly creationTimestamp: number;
  readonly lastUpdatedTimestamp: number;
  readonly status: LoggedModelStatus;
  readonly statusMessage: string;
  readonly modelType: string;
  readonly sourceRunId: string;
  readonly tags: readonly Tag[];
  readonly params: readonly Tag[];
}

interface Row {
  model_id: string;
  experiment_id: number;
  name: string;
  artifact_location: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  status: string;
  status_message: string | null;
  model_type: string | null;
  source_run_id: string | null;
}

export interface CreateLoggedModelInput {
  readonly experimentId: string;
  readonly name?: string;
  readonly modelType?: string;
  readonly sourceRunId?: string;
  readonly tags?: readonly Tag[];
  readonly params?: readonly Tag[];
}

/** Callers hold the write transaction for writes. */
export class LoggedModelTables {
  private readonly db: SqliteDatabase;
  private readonly now: () => number;

  constructor(db: SqliteDatabase, now: () => number) {
    this.db = db;
    this.now = now;
  }

  create(input: CreateLoggedModelInput): LoggedModel {
    const exp = this.db.prepare("SELECT experiment_id FROM experiments WHERE experiment_id = ? AND lifecycle_stage = 'active'").get(Number(input.experimentId));
    if (!exp) throw notFound(`No active Experiment with id=${input.experimentId} exists`);
    const modelId = `m-${randomUUID().replace(/-/g, '')}`;
    const now = this.now();
    this.db
      .prepare(
        `INSERT INTO logged_models (model_id, experiment_id, name, artifact_location, creation_timestamp, last_updated_timestamp, status, model_type, source_run_id)
         VALUES (?, ?, ?, ?, ?, ?, 'LOGGED_MODEL_PENDING', ?, ?)`,
      )
      .run(modelId, Number(input.experimentId), input.name || modelId, `mlflow-artifacts:/${input.experimentId}/models/${modelId}/artifacts`, now, now, input.modelType ?? null, input.sourceRunId || null);
    this.setTags(modelId, input.tags ?? []);
    this.logParams(modelId, input.params ?? []);
    return this.get(modelId);
  }

  get(modelId: string): LoggedModel {
    const row = this.db.prepare('SELECT * FROM logged_models WHERE model_id = ?').get(modelId) as Row | undefined;
    if (!row || (row.status as string) === 'deleted') throw notFound(`Logged model with ID '${modelId}' not found.`);
    return this.fromRow(row);
  }

  finalize(modelId: string, status: LoggedModelStatus): LoggedModel {
    if (!LOGGED_MODEL_STATUSES.includes(status)) throw invalidParameter(`Invalid logged model status '${status}'.`);
    this.get(modelId);
    this.db.prepare('UPDATE logged_models SET status = ?, last_updated_timestamp = ? WHERE model_id = ?').run(status, this.now(), modelId);
    return this.get(modelId);
  }

  setTags(modelId: string, tags: readonly Tag[]): void {
    const set = this.db.prepare('INSERT OR REPLACE INTO logged_model_tags (model_id, key, value) VALUES (?, ?, ?)');
    for (const tag of tags) set.run(modelId, tag.key, tag.value);
  }

  deleteTag(modelId: string, key: string): void {
    this.get(modelId);
    this.db.prepare('DELETE FROM logged_model_tags WHERE model_id = ? AND key = ?').run(modelId, key);
  }

  logParams(modelId: string, params: readonly Tag[]): void {
    const set = this.db.prepare('INSERT OR REPLACE INTO logged_model_params (model_id, key, value) VALUES (?, ?, ?)');
    for (const p of params) set.run(modelId, p.key, p.value);
  }

  delete(modelId: string): void {
    this.get(modelId);
    this.db.prepare("UPDATE logged_models SET lifecycle_stage = 'deleted', last_updated_timestamp = ? WHERE model_id = ?").run(this.now(), modelId);
  }

  search(experimentIds: readonly string[], maxResults: number, offset: number): { models: LoggedModel[]; more: boolean } {
    const rows = this.db
      .prepare(
        `SELECT * FROM logged_models WHERE lifecycle_stage = 'active' AND experiment_id IN (SELECT value FROM json_each(?))
         ORDER BY creation_timestamp DESC, model_id LIMIT ? OFFSET ?`,
      )
      .all(JSON.stringify(experimentIds.map(Number)), maxResults + 1, offset) as Row[];
    return { models: rows.slice(0, maxResults).map((r) => this.fromRow(r)), more: rows.length > maxResults };
  }

  private fromRow(row: Row): LoggedModel {
    const pairs = (table: string) => this.db.prepare(`SELECT key, value FROM ${table} WHERE model_id = ? ORDER BY key`).all(row.model_id) as Tag[];
    return {
      modelId: row.model_id,
      experimentId: String(row.experiment_id),
      name: row.name,
      artifactLocation: row.artifact_location,
      creationTimestamp: row.creation_timestamp,
      lastUpdatedTimestamp: row.last_updated_timestamp,
      status: row.status as LoggedModelStatus,
      statusMessage: row.status_message ?? '',
      modelType: row.model_type ?? '',
      sourceRunId: row.source_run_id ?? '',
      tags: pairs('logged_model_tags'),
      params: pairs('logged_model_params'),
    };
  }
}
