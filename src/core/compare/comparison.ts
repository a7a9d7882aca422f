// Builds the Run Comparison table from a store: one column per run, one row per attribute, param
// and metric, with the flags the views read (differs, best per aggregate).
import { mapLimited } from '../../shared/mapLimited.ts';
import { isNotFound } from '../store/errors.ts';
import type { ReadableStore } from '../store/trackingStore.ts';
import type { Run } from '../store/types.ts';
import type {
  CompareModel,
  CompareProblem,
  CompareRow,
  CompareRun,
  CompareSource,
  CompareValue,
  MetricAggregate,
  MetricDirection,
  MetricRowData,
  TableView,
} from './types.ts';

/** Names whose value improves downwards; any other metric is taken to improve upwards. */
const LOWER_IS_BETTER = /(^|[^a-z])(loss|losses|error|errors|err|rmse|mse|mae|mape|smape|rmsle|msle|nll|logloss|perplexity|ppl|wer|cer|ter|fpr|fnr|far|frr|eer|latency|time|duration|seconds|secs|ms|cost|regret|distance|dist|divergence|kl|bpd|bpc|fid|lpips|brier|hinge)([^a-z]|$)/;

/** The name-based guess of a metric's direction: loss, error, rmse… lower; the rest higher. */
export function guessDirection(key: string): MetricDirection {
  // camelCase and digits split words too: valLoss, top1_error.
  const words = key.replace(/([a-z])([A-Z])/g, '$1_$2').replace(/[0-9]+/g, '_').toLowerCase();
  return LOWER_IS_BETTER.test(words) ? 'lower' : 'higher';
}

/** Indexes of the best finite values (all of them on a tie); none when fewer than two values differ. */
export function bestIndexes(values: readonly (number | null)[], direction: MetricDirection): number[] {
  let best: number | undefined;
  let distinct = false;
  let seen: number | undefined;
  for (const v of values) {
    if (v === null || !Number.isFinite(v)) continue;
    if (seen !== undefined && v !== seen) distinct = true;
    seen = v;
    if (best === undefined || (direction === 'lower' ? v < best : v > best)) best = v;
  }
  if (best === undefined || !distinct) return [];
  const found: number[] = [];
  values.forEach((v, i) => {
    if (v === best) found.push(i);
  });
  return found;
}

/** Whether the values are not all the same; a missing value differs from any value. */
export function valuesDiffer(values: readonly CompareValue[]): boolean {
  const [first, ...rest] = values;
  return rest.some((v) => !(v === first || (typeof v === 'number' && typeof first === 'number' && Number.isNaN(v) && Number.isNaN(first))));
}

/** Runs up to `limit` tasks at once, keeping their order. */
/** Reads the runs of `source`; runs that no longer exist become problems, other errors propagate. */
export async function readRuns(store: ReadableStore, runIds: readonly string[]): Promise<{ runs: Run[]; problems: CompareProblem[] }> {
  const runs: Run[] = [];
  const problems: CompareProblem[] = [];
  const read = await mapLimited(runIds, 8, async (runId) => {
    try {
      return { runId, run: await store.getRun(runId) };
    } catch (err) {
      if (isNotFound(err)) return { runId, missing: `The run ${runId} no longer exists in this store.` };
      throw err;
    }
  });
  for (const r of read) {
    if (r.run) runs.push(r.run);
    else problems.push({ runId: r.runId, message: r.missing ?? '' });
  }
  return { runs, problems };
}

function labels(runs: readonly Run[]): string[] {
  const counts = new Map<string, number>();
  for (const r of runs) counts.set(r.info.runName, (counts.get(r.info.runName) ?? 0) + 1);
  return runs.map((r) => ((counts.get(r.info.runName) ?? 0) > 1 || r.info.runName === '' ? `${r.info.runName} (${r.info.runId.slice(0, 8)})` : r.info.runName));
}

function tagOf(run: Run, key: string): string | null {
  return run.data.tags.find((t) => t.key === key)?.value ?? null;
}

function attributeRows(runs: readonly Run[], experimentNames: ReadonlyMap<string, string>): CompareRow[] {
  const attributes: [string, (run: Run) => CompareValue][] = [
    ['experiment', (r) => experimentNames.get(r.info.experimentId) ?? r.info.experimentId],
    ['status', (r) => r.info.status],
    ['start', (r) => new Date(r.info.startTime).toISOString()],
    ['duration (s)', (r) => (r.info.endTime === null ? null : Math.round((r.info.endTime - r.info.startTime) / 100) / 10)],
    ['user', (r) => r.info.userId || null],
    ['git commit', (r) => tagOf(r, 'mlflow.source.git.commit')],
  ];
  // The datasets each run trained on (MLflow 3 dataset inputs), when any run logged one.
  if (runs.some((r) => (r.inputs?.datasetInputs.length ?? 0) > 0)) attributes.push(['datasets', datasetsOf]);
  const rows: CompareRow[] = attributes.map(([key, read]) => {
    const values = runs.map(read);
    return { id: `attribute:${key}`, kind: 'attribute', key, values, differs: valuesDiffer(values) };
  });
  return [...rows, ...changedDataRows(runs)];
}

/** `data: <path>` rows for each file (dataset name) that two runs read in different versions (digests); runs that did not read it show nothing. */
function changedDataRows(runs: readonly Run[]): CompareRow[] {
  const digests = new Map<string, (string | null)[]>();
  runs.forEach((run, i) => {
    for (const d of run.inputs?.datasetInputs ?? []) {
      const row = digests.get(d.dataset.name) ?? runs.map(() => null);
      row[i] = d.dataset.digest;
      digests.set(d.dataset.name, row);
    }
  });
  return [...digests]
    .filter(([, values]) => new Set(values.filter((v) => v !== null)).size > 1)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, values]) => ({ id: `attribute:data:${name}`, kind: 'attribute', key: `data: ${name}`, values, differs: true }));
}

/** `iris-train@d1g3st01 (training), holdout@…`: name, digest and context of each dataset input. */
function datasetsOf(run: Run): CompareValue {
  const inputs = run.inputs?.datasetInputs ?? [];
  if (inputs.length === 0) return null;
  return inputs
    .map((d) => {
      const context = d.tags.find((t) => t.key === 'mlflow.data.context')?.value;
      return `${d.dataset.name}@${d.dataset.digest}${context ? ` (${context})` : ''}`;
    })
    .join(', ');
}

/** A param shows as a number when it reads as one, so it sorts and compares as one. */
function paramValue(text: string | undefined): CompareValue {
  if (text === undefined) return null;
  const trimmed = text.trim();
  if (trimmed !== '' && /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(trimmed)) {
    const n = Number(trimmed);
    if (Number.isFinite(n) && String(n) === trimmed) return n;
  }
  return text;
}

export interface ComparisonOptions {
  /** The user's choices of direction, by metric key; the rest are guessed from the name. */
  readonly directions?: Readonly<Record<string, MetricDirection>>;
  /** How many metric histories are read at once (min and max need the history). */
  readonly concurrency?: number;
}

/** The comparison of `source`'s runs as the table shows it. */
export async function buildComparison(store: ReadableStore, source: CompareSource, options: ComparisonOptions = {}): Promise<CompareModel> {
  const { runs, problems } = await readRuns(store, source.runIds);
  const experimentIds = [...new Set(runs.map((r) => r.info.experimentId))];
  const experimentNames = new Map<string, string>();
  await Promise.all(
    experimentIds.map(async (id) => {
      try {
        experimentNames.set(id, (await store.getExperiment(id)).name);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }),
  );
  const runLabels = labels(runs);
  const compareRuns: CompareRun[] = runs.map((r, i) => ({
    runId: r.info.runId,
    name: r.info.runName,
    label: runLabels[i] ?? r.info.runName,
    experimentId: r.info.experimentId,
    experimentName: experimentNames.get(r.info.experimentId) ?? r.info.experimentId,
    startTime: r.info.startTime,
    endTime: r.info.endTime,
  }));

  const paramKeys = [...new Set(runs.flatMap((r) => r.data.params.map((p) => p.key)))].sort();
  const paramRows: CompareRow[] = paramKeys.map((key) => {
    const values = runs.map((r) => paramValue(r.data.params.find((p) => p.key === key)?.value));
    return { id: `param:${key}`, kind: 'param', key, values, differs: valuesDiffer(values) };
  });

  const metricSets = runs.map((r) => new Set(r.data.metrics.map((m) => m.key)));
  const allMetrics = [...new Set(metricSets.flatMap((s) => [...s]))].sort();
  const sharedMetrics = runs.length ? allMetrics.filter((k) => metricSets.every((s) => s.has(k))) : [];

  // min and max come from the whole history: one bucket of the store's downsampling is its range.
  const cells = runs.flatMap((r, runIndex) => r.data.metrics.map((m) => ({ runIndex, key: m.key, last: m.value })));
  const ranges = await mapLimited(cells, options.concurrency ?? 8, async (c) => {
    const [bucket] = await store.getMetricHistoryDownsampled((runs[c.runIndex] as Run).info.runId, c.key, 1);
    return bucket;
  });
  const byKey = new Map<string, { last: (number | null)[]; min: (number | null)[]; max: (number | null)[] }>();
  for (const key of allMetrics) byKey.set(key, { last: runs.map(() => null), min: runs.map(() => null), max: runs.map(() => null) });
  cells.forEach((c, i) => {
    const row = byKey.get(c.key);
    if (!row) return;
    const range = ranges[i];
    row.last[c.runIndex] = c.last;
    row.min[c.runIndex] = range ? range.min : null;
    row.max[c.runIndex] = range ? range.max : null;
  });
  const metricRows: CompareRow[] = allMetrics.map((key) => {
    const chosen = options.directions?.[key];
    const direction = chosen ?? guessDirection(key);
    const values = byKey.get(key) as MetricRowData['values'];
    const metric: MetricRowData = {
      direction,
      guessed: chosen === undefined,
      values,
      differs: { last: valuesDiffer(values.last), min: valuesDiffer(values.min), max: valuesDiffer(values.max) },
      best: { last: bestIndexes(values.last, direction), min: bestIndexes(values.min, direction), max: bestIndexes(values.max, direction) },
    };
    return { id: `metric:${key}`, kind: 'metric', key, metric };
  });

  return {
    source,
    storeDescription: store.description,
    runs: compareRuns,
    rows: [...attributeRows(runs, experimentNames), ...paramRows, ...metricRows],
    sharedMetrics,
    allMetrics,
    paramKeys,
    problems,
  };
}

/** A row's values under an aggregate (attributes and params have one set of values). */
export function rowValues(row: CompareRow, aggregate: MetricAggregate): readonly CompareValue[] {
  return row.metric ? row.metric.values[aggregate] : (row.values ?? []);
}

/** Whether a row's values differ under an aggregate. */
export function rowDiffers(row: CompareRow, aggregate: MetricAggregate): boolean {
  return row.metric ? row.metric.differs[aggregate] : (row.differs ?? false);
}

/** The rows a view shows: all, or those whose values differ. */
export function visibleRows(model: CompareModel, view: Pick<TableView, 'aggregate' | 'diffOnly'>): CompareRow[] {
  return model.rows.filter((row) => !view.diffOnly || rowDiffers(row, view.aggregate));
}
