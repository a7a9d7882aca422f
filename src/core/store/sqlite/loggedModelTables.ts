// MLflow 3's LoggedModel entities (what `mlflow.<flavor>.log_model` creates), kept by the local
// store so that models logged through the endpoint are never lost.
import { randomUUID } from 'node:crypto';
import type { SqliteDatabase } from '../../sqlite/openDatabase.ts';
import { invalidParameter, notFound } from '../errors.ts';
import { LOGGED_MODEL_STATUSES } from '../types.ts';
import type { LoggedModel, LoggedModelStatus, Metric, Tag } from '../types.ts';

export { LOGGED_MODEL_STATUSES } from '../types.ts';
export type { LoggedModel, LoggedModelStatus } from '../types.ts';

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
  lifecycle_stage: string;
}

interface MetricRow {
  key: string;
  value: number;
  timestamp: number;
  step: number;
  is_nan: number;
  run_id: string;
  dataset_name: string;
  dataset_digest: string;
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
    if (!row || row.lifecycle_stage === 'deleted') throw notFound(`Logged model with ID '${modelId}' not found.`);
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

  /** Keeps the values of `metrics` that name a model (`model_id`) as that model's metrics too. */
  logMetrics(runId: string, metrics: readonly Metric[]): void {
    if (!metrics.some((m) => m.modelId)) return;
    const insert = this.db.prepare(
      `INSERT OR IGNORE INTO logged_model_metrics (model_id, run_id, key, step, timestamp, value, is_nan, dataset_name, dataset_digest)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const m of metrics) {
      if (!m.modelId) continue;
      const nan = Number.isNaN(m.value);
      insert.run(m.modelId, runId, m.key, m.step, m.timestamp, nan ? 0 : m.value, nan ? 1 : 0, m.datasetName ?? '', m.datasetDigest ?? '');
    }
  }

  /** The values of a run's `key` that were logged for a model, with their links. */
  runMetricLinks(runId: string, key: string): Metric[] {
    const rows = this.db
      .prepare('SELECT model_id, step, timestamp, value, is_nan, dataset_name, dataset_digest FROM logged_model_metrics WHERE run_id = ? AND key = ?')
      .all(runId, key) as (MetricRow & { model_id: string })[];
    return rows.map((r) => ({ key, value: r.is_nan ? Number.NaN : r.value, timestamp: r.timestamp, step: r.step, ...links(r.model_id, r) }));
  }

  delete(modelId: string): void {
    this.get(modelId);
    this.db.prepare("UPDATE logged_models SET lifecycle_stage = 'deleted', last_updated_timestamp = ? WHERE model_id = ?").run(this.now(), modelId);
  }

  /** Every active model of the experiments, newest first (searchLoggedModels filters and pages). */
  list(experimentIds: readonly string[]): LoggedModel[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM logged_models WHERE lifecycle_stage = 'active' AND experiment_id IN (SELECT value FROM json_each(?))
         ORDER BY creation_timestamp DESC, model_id`,
      )
      .all(JSON.stringify(experimentIds.filter((id) => /^\d+$/.test(id)).map(Number))) as Row[];
    return rows.map((r) => this.fromRow(r));
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
      metrics: (
        this.db
          .prepare('SELECT key, value, timestamp, step, is_nan, run_id, dataset_name, dataset_digest FROM logged_model_metrics WHERE model_id = ? ORDER BY key, step, timestamp, run_id')
          .all(row.model_id) as MetricRow[]
      ).map((m) => ({ key: m.key, value: m.is_nan ? Number.NaN : m.value, timestamp: m.timestamp, step: m.step, ...links(row.model_id, m), ...(m.run_id ? { runId: m.run_id } : {}) })),
    };
  }
}

function links(modelId: string, row: { dataset_name: string; dataset_digest: string }): Pick<Metric, 'modelId' | 'datasetName' | 'datasetDigest'> {
  return { modelId, ...(row.dataset_name ? { datasetName: row.dataset_name } : {}), ...(row.dataset_digest ? { datasetDigest: row.dataset_digest } : {}) };
}
