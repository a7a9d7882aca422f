// Model drift: how a model's quality and outputs move after training.
//   - The metric trend: a held-out metric logged over time (an evaluation job logging `accuracy`
//     daily, as later runs or as one run's history), against the training run's value.
//   - The prediction shift: the distribution of a run's predictions against the training run's,
//     by computeDrift on the prediction column.
// Where predictions are: a run logs them as a tabular artifact named `predictions.<ext>` (CSV,
// TSV, Parquet or JSON lines; at the artifact root or one folder down), or as a tabular data
// file (its data inputs, resolved like driftBetween's run sides); in either, the column named
// `prediction` or `predictions` (any case) is the one compared.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TableData } from '../profile/tableData.ts';
import { isTabularFile } from '../profile/tabularFiles.ts';
import type { Metric } from '../store/types.ts';
import type { ReadableStore, TrackingReader } from '../store/trackingStore.ts';
import { computeDrift } from './computeDrift.ts';
import { DriftSourceError, resolveDriftSource, type DriftDeps } from './driftSources.ts';
import type { ColumnDrift, DriftOptions } from './types.ts';

export interface MetricPoint {
  readonly runId: string;
  /** Epoch milliseconds when the value was logged. */
  readonly time: number;
  readonly step: number;
  readonly value: number;
}

export interface MetricTrend {
  readonly key: string;
  /** The value the model had when trained (the training run's last value of `key`). */
  readonly training?: { readonly runId: string; readonly value: number; readonly time: number };
  /** The later values, oldest first. */
  readonly series: readonly MetricPoint[];
  /** The latest value against the training value and against the value before it. */
  readonly last?: { readonly value: number; readonly time: number; readonly sinceTraining?: number; readonly sincePrevious?: number };
  /** Whether a larger value is better (false for loss, error, rmse, mae, mse…; from the name). */
  readonly higherIsBetter: boolean;
  /** The latest value is worse than the training value. */
  readonly worse: boolean;
  readonly notes: readonly string[];
}

const LOWER_IS_BETTER = /(loss|error|err\b|rmse|mse|mae|mape|perplexity|latency|logloss|brier|wer|cer)/i;

const byTime = (a: Metric, b: Metric) => a.timestamp - b.timestamp || a.step - b.step;

/**
 * The trend of `key` after training. With evaluation runs, their histories make the series and
 * the training run's last value is the reference. With none, the training run's own history is
 * the series (one job logging the metric daily) and its first value is the reference.
 */
export async function metricTrend(store: TrackingReader, trainingRunId: string, evaluationRunIds: readonly string[], key: string): Promise<MetricTrend> {
  const notes: string[] = [];
  const own = [...(await store.getMetricHistory(trainingRunId, key))].sort(byTime);
  let training: MetricTrend['training'];
  let series: MetricPoint[];
  if (evaluationRunIds.length === 0) {
    const [first, ...rest] = own;
    training = first ? { runId: trainingRunId, value: first.value, time: first.timestamp } : undefined;
    series = rest.map((m) => ({ runId: trainingRunId, time: m.timestamp, step: m.step, value: m.value }));
    if (own.length > 0) notes.push(`One run's history: its first value of ${key} is the reference.`);
  } else {
    const lastOwn = [...own].sort((a, b) => a.step - b.step || a.timestamp - b.timestamp).pop();
    training = lastOwn ? { runId: trainingRunId, value: lastOwn.value, time: lastOwn.timestamp } : undefined;
    series = [];
    for (const runId of evaluationRunIds) {
      const history = await store.getMetricHistory(runId, key);
      if (history.length === 0) notes.push(`Run ${runId.slice(0, 8)} logged no ${key}.`);
      for (const m of history) series.push({ runId, time: m.timestamp, step: m.step, value: m.value });
    }
    series.sort((a, b) => a.time - b.time || a.step - b.step || (a.runId < b.runId ? -1 : 1));
  }
  if (!training) notes.push(`The training run logged no ${key}: the trend has no reference value.`);
  const higherIsBetter = !LOWER_IS_BETTER.test(key);
  const lastPoint = series[series.length - 1];
  const before = series[series.length - 2];
  const last = lastPoint
    ? {
        value: lastPoint.value, time: lastPoint.time,
        ...(training ? { sinceTraining: lastPoint.value - training.value } : {}),
        ...(before ? { sincePrevious: lastPoint.value - before.value } : {}),
      }
    : undefined;
  const worse = !!(last && training && (higherIsBetter ? last.value < training.value : last.value > training.value));
  return { key, ...(training ? { training } : {}), series, ...(last ? { last } : {}), higherIsBetter, worse, notes };
}

/** The names a prediction column goes by. */
export const PREDICTION_COLUMNS = ['prediction', 'predictions'] as const;

/** The table's prediction column, if it has one. */
export function predictionColumn(table: TableData): string | undefined {
  return table.columns.find((c) => (PREDICTION_COLUMNS as readonly string[]).includes(c.name.toLowerCase()))?.name;
}

/** The prediction shift between two tables that both have a prediction column; undefined otherwise. */
export function predictionDrift(reference: TableData, current: TableData, options?: Partial<DriftOptions>): ColumnDrift | undefined {
  const r = predictionColumn(reference);
  const c = predictionColumn(current);
  if (!r || !c) return undefined;
  const only = (t: TableData, name: string): TableData => ({ ...t, columns: t.columns.filter((x) => x.name === name).map((x) => ({ ...x, name: 'prediction', role: 'feature' as const })) });
  return computeDrift(only(reference, r), only(current, c), options).columns[0];
}

/** A `predictions.<ext>` tabular artifact of the run: its path, or undefined. */
export async function findPredictionArtifact(store: TrackingReader, runId: string): Promise<string | undefined> {
  const isPredictions = (p: string) => /^predictions?\./i.test(path.posix.basename(p)) && isTabularFile(p);
  const root = await store.listArtifacts(runId).catch(() => []);
  const hit = root.find((f) => !f.isDir && isPredictions(f.path));
  if (hit) return hit.path;
  for (const dir of root.filter((f) => f.isDir)) {
    const inner = await store.listArtifacts(runId, dir.path).catch(() => []);
    const found = inner.find((f) => !f.isDir && isPredictions(f.path));
    if (found) return found.path;
  }
  return undefined;
}

/** The run's predictions as a table: its predictions artifact, else a data input with a prediction column. */
export async function readRunPredictions(runId: string, deps: DriftDeps & { readonly store: ReadableStore }): Promise<{ table: TableData; from: string } | undefined> {
  const artifact = await findPredictionArtifact(deps.store, runId);
  if (artifact) {
    const dir = await mkdtemp(path.join(tmpdir(), 'labbook-predictions-'));
    try {
      const file = path.join(dir, path.posix.basename(artifact));
      await writeFile(file, await deps.store.readArtifact(runId, artifact));
      return { table: await deps.readTable(file), from: `artifact ${artifact}` };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  try {
    const side = await resolveDriftSource({ kind: 'run', runId }, deps);
    return predictionColumn(side.table) ? { table: side.table, from: side.side.label } : undefined;
  } catch (err) {
    if (err instanceof DriftSourceError) return undefined;
    throw err;
  }
}

export interface ModelDrift {
  readonly trend?: MetricTrend;
  /** The prediction shift of the latest evaluation run against the training run, when both logged predictions. */
  readonly predictions?: { readonly drift: ColumnDrift; readonly reference: string; readonly current: string };
  readonly notes: readonly string[];
}

/** The metric trend and the prediction shift, for the drift panel's model section. */
export async function modelDrift(
  deps: DriftDeps & { readonly store: ReadableStore },
  request: { readonly trainingRunId: string; readonly evaluationRunIds: readonly string[]; readonly metric?: string; readonly options?: Partial<DriftOptions> },
): Promise<ModelDrift> {
  const notes: string[] = [];
  const trend = request.metric ? await metricTrend(deps.store, request.trainingRunId, request.evaluationRunIds, request.metric) : undefined;
  const latest = request.evaluationRunIds[request.evaluationRunIds.length - 1];
  let predictions: ModelDrift['predictions'];
  if (latest) {
    const ref = await readRunPredictions(request.trainingRunId, deps);
    const cur = await readRunPredictions(latest, deps);
    const drift = ref && cur ? predictionDrift(ref.table, cur.table, request.options) : undefined;
    if (ref && cur && drift) predictions = { drift, reference: ref.from, current: cur.from };
    else notes.push('No prediction shift: the training run and the latest evaluation run must both log predictions (a predictions.csv/.parquet artifact, or data with a "prediction" column).');
  }
  return { ...(trend ? { trend } : {}), ...(predictions ? { predictions } : {}), notes };
}
