/**
 * Experiments and runs of an MLflow SQLite tracking database (the `mlflow.db` that `sqlite:///`
 * tracking URIs create, MLflow's SQLAlchemy schema) in Labbook's model.
 */
import { readRunIo } from './mlflowDbRunIo.ts';
import { groupTags, push } from './mlflowDbSchema.ts';
import type { MlflowDbSchema, SqlValue, TagRow } from './mlflowDbSchema.ts';
import { RUN_STATUSES } from '../types.ts';
import type { Experiment, Metric, Param, Run, RunStatus, Tag } from '../types.ts';

/** A `WHERE` fragment over `runs r`, with its arguments. */
export interface RunScope {
  readonly where: string;
  readonly args: readonly SqlValue[];
}

const RUN_NAME_TAG = 'mlflow.runName';

export class MlflowDbTables {
  private readonly schema: MlflowDbSchema;

  constructor(schema: MlflowDbSchema) {
    this.schema = schema;
  }

  // Experiments

  experiments(name?: string, experimentId?: string): Experiment[] {
    const where: string[] = [];
    const args: SqlValue[] = [];
    this.schema.workspaceClause('experiments', 'e', where, args);
    if (name !== undefined) {
      where.push('e.name = ?');
      args.push(name);
    }
    if (experimentId !== undefined) {
      where.push('e.experiment_id = ?');
      args.push(integerId(experimentId));
    }
    const sqlWhere = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const rows = this.schema.db
      .prepare(`SELECT e.experiment_id, e.name, e.artifact_location, e.lifecycle_stage, ${this.schema.optional('experiments', 'creation_time', 'e', 'NULL')}, ${this.schema.optional('experiments', 'last_update_time', 'e', 'NULL')} FROM experiments e ${sqlWhere} ORDER BY e.experiment_id`)
      .all(...args) as { experiment_id: number; name: string; artifact_location: string | null; lifecycle_stage: string | null; creation_time: number | null; last_update_time: number | null }[];
    const tags = this.schema.hasTable('experiment_tags')
      ? groupTags(this.schema.db.prepare(`SELECT t.experiment_id AS owner, t.key, t.value FROM experiment_tags t JOIN experiments e ON e.experiment_id = t.experiment_id ${sqlWhere} ORDER BY t.key`).all(...args) as TagRow[])
      : new Map<string, Tag[]>();
    return rows.map((r) => ({
      experimentId: String(r.experiment_id),
      name: r.name,
      artifactLocation: r.artifact_location ?? '',
      lifecycleStage: r.lifecycle_stage === 'deleted' ? 'deleted' : 'active',
      creationTime: r.creation_time ?? 0,
      lastUpdateTime: r.last_update_time ?? r.creation_time ?? 0,
      tags: tags.get(String(r.experiment_id)) ?? [],
    }));
  }

  // Runs

  /** Runs in the given experiments, or the one run with `runId`. */
  runScope(filter: { experimentIds?: readonly string[]; runId?: string }): RunScope {
    if (filter.runId !== undefined) return { where: 'r.run_uuid = ?', args: [filter.runId] };
    const ids = (filter.experimentIds ?? []).filter((id) => /^\d+$/.test(id)).map(Number);
    if (ids.length === 0) return { where: '0', args: [] };
    return { where: `r.experiment_id IN (${ids.map(() => '?').join(', ')})`, args: ids };
  }

  runs(scope: RunScope): Run[] {
    const rows = this.schema.db
      .prepare(`SELECT r.run_uuid, ${this.schema.optional('runs', 'name', 'r', 'NULL')}, r.experiment_id, r.user_id, r.status, r.start_time, r.end_time, r.artifact_uri, r.lifecycle_stage FROM runs r WHERE ${scope.where} ORDER BY r.start_time DESC, r.run_uuid`)
      .all(...scope.args) as RunRow[];
    if (rows.length === 0) return [];
    const params = groupBy(this.schema.db.prepare(`SELECT p.run_uuid AS owner, p.key, p.value FROM params p JOIN runs r ON r.run_uuid = p.run_uuid WHERE ${scope.where} ORDER BY p.key`).all(...scope.args) as TagRow[]);
    const tags = groupTags(this.schema.db.prepare(`SELECT t.run_uuid AS owner, t.key, t.value FROM tags t JOIN runs r ON r.run_uuid = t.run_uuid WHERE ${scope.where} ORDER BY t.key`).all(...scope.args) as TagRow[]);
    const metrics = this.latestMetrics(scope);
    const io = readRunIo(this.schema, scope, rows.map((r) => r.run_uuid));
    return rows.map((r) => {
      const runTags = tags.get(r.run_uuid) ?? [];
      // runs.name arrived in MLflow 1.29; before, the name lived only in the mlflow.runName tag.
      const runName = r.name !== null && r.name !== '' ? r.name : (runTags.find((t) => t.key === RUN_NAME_TAG)?.value ?? '');
      return {
        info: {
          runId: r.run_uuid,
          runName,
          experimentId: String(r.experiment_id),
          userId: r.user_id ?? '',
          status: runStatus(r.status),
          startTime: r.start_time ?? 0,
          endTime: r.end_time,
          artifactUri: r.artifact_uri ?? '',
          lifecycleStage: r.lifecycle_stage === 'deleted' ? 'deleted' : 'active',
        },
        data: {
          metrics: metrics.get(r.run_uuid) ?? [],
          params: (params.get(r.run_uuid) ?? []).map((p): Param => ({ key: p.key, value: p.value ?? '' })),
          tags: runTags,
        },
        ...io.get(r.run_uuid),
      };
    });
  }

  /** The full history of one metric, by step, then timestamp, then the order it was logged. */
  metricHistory(runId: string, key: string): Metric[] {
    const rows = this.schema.db
      .prepare(`SELECT key, value, timestamp, ${this.schema.optional('metrics', 'step', '', '0')}, ${this.schema.optional('metrics', 'is_nan', '', '0')} FROM metrics WHERE run_uuid = ? AND key = ? ORDER BY step, timestamp, rowid`)
      .all(runId, key) as MetricRow[];
    return rows.map(metricOf);
  }

  private latestMetrics(scope: RunScope): Map<string, Metric[]> {
    const out = new Map<string, Metric[]>();
    if (this.schema.hasTable('latest_metrics')) {
      const rows = this.schema.db
        .prepare(`SELECT m.run_uuid, m.key, m.value, m.timestamp, m.step, ${this.schema.optional('latest_metrics', 'is_nan', 'm', '0')} FROM latest_metrics m JOIN runs r ON r.run_uuid = m.run_uuid WHERE ${scope.where} ORDER BY m.key`)
        .all(...scope.args) as (MetricRow & { run_uuid: string })[];
      for (const row of rows) push(out, row.run_uuid, metricOf(row));
      return out;
    }
    // Before latest_metrics existed (MLflow < 1.9): the largest (step, timestamp, value) per key.
    const rows = this.schema.db
      .prepare(`SELECT m.run_uuid, m.key, m.value, m.timestamp, ${this.schema.optional('metrics', 'step', 'm', '0')}, ${this.schema.optional('metrics', 'is_nan', 'm', '0')} FROM metrics m JOIN runs r ON r.run_uuid = m.run_uuid WHERE ${scope.where} ORDER BY m.run_uuid, m.key, step, m.timestamp, m.value`)
      .all(...scope.args) as (MetricRow & { run_uuid: string })[];
    const latest = new Map<string, MetricRow & { run_uuid: string }>();
    for (const row of rows) latest.set(`${row.run_uuid}\u0000${row.key}`, row);
    for (const row of latest.values()) push(out, row.run_uuid, metricOf(row));
    return out;
  }
}

interface RunRow {
  run_uuid: string;
  name: string | null;
  experiment_id: number;
  user_id: string | null;
  status: string | null;
  start_time: number | null;
  end_time: number | null;
  artifact_uri: string | null;
  lifecycle_stage: string | null;
}


interface MetricRow {
  key: string;
  value: number;
  timestamp: number | null;
  step: number | null;
  is_nan: number;
}


function metricOf(row: MetricRow): Metric {
  // MLflow stores NaN as 0 with is_nan set (SQL has no NaN).
  return { key: row.key, value: row.is_nan ? NaN : row.value, timestamp: row.timestamp ?? 0, step: row.step ?? 0 };
}

function runStatus(status: string | null): RunStatus {
  return (RUN_STATUSES as readonly string[]).includes(status ?? '') ? (status as RunStatus) : 'RUNNING';
}


/** Experiment ids are integers in MLflow's schema; anything else matches no row. */
function integerId(id: string): number {
  return /^\d+$/.test(id) ? Number(id) : -1;
}

function groupBy(rows: readonly TagRow[]): Map<string, TagRow[]> {
  const out = new Map<string, TagRow[]>();
  for (const row of rows) push(out, String(row.owner), row);
  return out;
}


