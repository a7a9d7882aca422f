/**
 * What MLflow's SQLAlchemy schema keeps about run inputs, outputs and MLflow 3's logged models,
 * read as Labbook's types: `inputs` rows link a dataset to a run (DATASET → RUN, with
 * `input_tags`), a run to a model it used (RUN_INPUT → MODEL_INPUT) or made (RUN_OUTPUT →
 * MODEL_OUTPUT, with a step); `logged_models` and their params, tags and metrics. Databases from
 * before these tables existed read as runs with no inputs and no logged models.
 */
import { push } from './mlflowDbSchema.ts';
import type { MlflowDbSchema, SqlValue, TagRow } from './mlflowDbSchema.ts';
import type { DatasetInput, LoggedModel, LoggedModelStatus, Metric, RunInputs, RunOutputs, Tag } from '../types.ts';
import { LOGGED_MODEL_STATUSES } from '../types.ts';

/** A `WHERE` fragment over `runs r` (mlflowDbTables' RunScope). */
interface RunScope {
  readonly where: string;
  readonly args: readonly SqlValue[];
}

export interface RunIo {
  readonly inputs: RunInputs;
  readonly outputs: RunOutputs;
}

interface DatasetRow {
  run_uuid: string;
  input_uuid: string;
  name: string;
  digest: string;
  dataset_source_type: string | null;
  dataset_source: string | null;
  dataset_schema: string | null;
  dataset_profile: string | null;
}

/** Each in-scope run's inputs and outputs, in the order MLflow logged them. */
export function readRunIo(schema: MlflowDbSchema, scope: RunScope, runIds: readonly string[]): Map<string, RunIo> {
  const datasets = new Map<string, DatasetInput[]>();
  const modelInputs = new Map<string, { modelId: string }[]>();
  const modelOutputs = new Map<string, { modelId: string; step: number }[]>();
  const { db } = schema;
  if (schema.hasTable('inputs') && schema.hasTable('datasets')) {
    const rows = db
      .prepare(
        `SELECT i.destination_id AS run_uuid, i.input_uuid, d.name, d.digest, d.dataset_source_type, d.dataset_source,
                ${schema.optional('datasets', 'dataset_schema', 'd', 'NULL')}, ${schema.optional('datasets', 'dataset_profile', 'd', 'NULL')}
         FROM inputs i JOIN datasets d ON d.dataset_uuid = i.source_id JOIN runs r ON r.run_uuid = i.destination_id
         WHERE i.source_type = 'DATASET' AND i.destination_type = 'RUN' AND ${scope.where} ORDER BY i.rowid`,
      )
      .all(...scope.args) as DatasetRow[];
    const tags = new Map<string, Tag[]>();
    if (schema.hasTable('input_tags')) {
      const tagRows = db
        .prepare(
          `SELECT t.input_uuid AS owner, t.name AS key, t.value FROM input_tags t JOIN inputs i ON i.input_uuid = t.input_uuid
           JOIN runs r ON r.run_uuid = i.destination_id WHERE i.destination_type = 'RUN' AND ${scope.where} ORDER BY t.rowid`,
        )
        .all(...scope.args) as TagRow[];
      for (const t of tagRows) push(tags, String(t.owner), { key: t.key, value: t.value ?? '' });
    }
    for (const row of rows) {
      // MLflow logs a dataset to a run once; should a database hold it twice, show it once.
      if (datasets.get(row.run_uuid)?.some((d) => d.dataset.name === row.name && d.dataset.digest === row.digest)) continue;
      push(datasets, row.run_uuid, {
        tags: [...(tags.get(row.input_uuid) ?? [])],
        dataset: {
          name: row.name,
          digest: row.digest,
          sourceType: row.dataset_source_type ?? '',
          source: row.dataset_source ?? '',
          ...(row.dataset_schema === null ? {} : { schema: row.dataset_schema }),
          ...(row.dataset_profile === null ? {} : { profile: row.dataset_profile }),
        },
      });
    }
  }
  if (schema.hasTable('inputs')) {
    const rows = db
      .prepare(
        `SELECT i.source_id AS run_uuid, i.source_type, i.destination_id, ${schema.optional('inputs', 'step', 'i', '0')}
         FROM inputs i JOIN runs r ON r.run_uuid = i.source_id
         WHERE i.source_type IN ('RUN_INPUT', 'RUN_OUTPUT') AND ${scope.where} ORDER BY i.rowid`,
      )
      .all(...scope.args) as { run_uuid: string; source_type: string; destination_id: string; step: number | null }[];
    for (const row of rows) {
      if (row.source_type === 'RUN_INPUT') push(modelInputs, row.run_uuid, { modelId: row.destination_id });
      else push(modelOutputs, row.run_uuid, { modelId: row.destination_id, step: row.step ?? 0 });
    }
  }
  return new Map(
    runIds.map((id) => [
      id,
      { inputs: { datasetInputs: datasets.get(id) ?? [], modelInputs: modelInputs.get(id) ?? [] }, outputs: { modelOutputs: modelOutputs.get(id) ?? [] } },
    ]),
  );
}

interface LoggedModelRow {
  model_id: string;
  experiment_id: number;
  name: string;
  artifact_location: string | null;
  creation_timestamp_ms: number | null;
  last_updated_timestamp_ms: number | null;
  status: number | string | null;
  lifecycle_stage: string | null;
  model_type: string | null;
  source_run_id: string | null;
  status_message: string | null;
}

/** Active logged models, all of them or those with the given id or in the given experiments. */
export function readLoggedModels(schema: MlflowDbSchema, filter: { modelId?: string; experimentIds?: readonly string[] }): LoggedModel[] {
  if (!schema.hasTable('logged_models')) return [];
  const where = ["(m.lifecycle_stage IS NULL OR m.lifecycle_stage = 'active')"];
  const args: SqlValue[] = [];
  if (filter.modelId !== undefined) {
    where.push('m.model_id = ?');
    args.push(filter.modelId);
  }
  if (filter.experimentIds !== undefined) {
    const ids = filter.experimentIds.filter((id) => /^\d+$/.test(id)).map(Number);
    where.push(ids.length === 0 ? '0' : `m.experiment_id IN (${ids.map(() => '?').join(', ')})`);
    args.push(...ids);
  }
  const rows = schema.db.prepare(`SELECT m.* FROM logged_models m WHERE ${where.join(' AND ')} ORDER BY m.creation_timestamp_ms DESC, m.model_id`).all(...args) as LoggedModelRow[];
  const pairs = (table: string, column: string, id: string): Tag[] =>
    schema.hasTable(table)
      ? (schema.db.prepare(`SELECT ${column}_key AS key, ${column}_value AS value FROM ${table} WHERE model_id = ? ORDER BY ${column}_key`).all(id) as { key: string; value: string | null }[]).map((t) => ({ key: t.key, value: t.value ?? '' }))
      : [];
  return rows.map((row) => ({
    modelId: row.model_id,
    experimentId: String(row.experiment_id),
    name: row.name,
    artifactLocation: row.artifact_location ?? '',
    creationTimestamp: row.creation_timestamp_ms ?? 0,
    lastUpdatedTimestamp: row.last_updated_timestamp_ms ?? row.creation_timestamp_ms ?? 0,
    status: loggedModelStatus(row.status),
    statusMessage: row.status_message ?? '',
    modelType: row.model_type ?? '',
    sourceRunId: row.source_run_id ?? '',
    tags: pairs('logged_model_tags', 'tag', row.model_id),
    params: pairs('logged_model_params', 'param', row.model_id),
    metrics: modelMetrics(schema, row.model_id),
  }));
}

function modelMetrics(schema: MlflowDbSchema, modelId: string): (Metric & { runId?: string })[] {
  if (!schema.hasTable('logged_model_metrics')) return [];
  const rows = schema.db
    .prepare('SELECT metric_name, metric_timestamp_ms, metric_step, metric_value, run_id, dataset_name, dataset_digest FROM logged_model_metrics WHERE model_id = ? ORDER BY metric_name, metric_step, metric_timestamp_ms, run_id')
    .all(modelId) as { metric_name: string; metric_timestamp_ms: number; metric_step: number; metric_value: number | null; run_id: string | null; dataset_name: string | null; dataset_digest: string | null }[];
  return rows.map((m) => ({
    key: m.metric_name,
    // MLflow's logged_model_metrics has no is_nan: SQLite keeps a NaN as NULL.
    value: m.metric_value ?? Number.NaN,
    timestamp: m.metric_timestamp_ms,
    step: m.metric_step,
    modelId,
    ...(m.dataset_name ? { datasetName: m.dataset_name } : {}),
    ...(m.dataset_digest ? { datasetDigest: m.dataset_digest } : {}),
    ...(m.run_id ? { runId: m.run_id } : {}),
  }));
}

/** The values of a run's `key` that MLflow 3 logged for a model, with their links. */
export function runMetricLinks(schema: MlflowDbSchema, runId: string, key: string): Metric[] {
  if (!schema.hasTable('logged_model_metrics')) return [];
  const rows = schema.db
    .prepare('SELECT model_id, metric_timestamp_ms, metric_step, metric_value, dataset_name, dataset_digest FROM logged_model_metrics WHERE run_id = ? AND metric_name = ?')
    .all(runId, key) as { model_id: string; metric_timestamp_ms: number; metric_step: number; metric_value: number | null; dataset_name: string | null; dataset_digest: string | null }[];
  return rows.map((m) => ({
    key,
    value: m.metric_value ?? Number.NaN,
    timestamp: m.metric_timestamp_ms,
    step: m.metric_step,
    modelId: m.model_id,
    ...(m.dataset_name ? { datasetName: m.dataset_name } : {}),
    ...(m.dataset_digest ? { datasetDigest: m.dataset_digest } : {}),
  }));
}

/** MLflow stores the status as the proto enum's number (1 pending, 2 ready, 3 upload failed). */
function loggedModelStatus(status: number | string | null): LoggedModelStatus {
  if (typeof status === 'number') return LOGGED_MODEL_STATUSES[status - 1] ?? 'LOGGED_MODEL_PENDING';
  return (LOGGED_MODEL_STATUSES as readonly string[]).includes(status ?? '') ? (status as LoggedModelStatus) : 'LOGGED_MODEL_PENDING';
}
