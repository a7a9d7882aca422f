// The drift panel's model section, from the drift engine's model drift (src/core/drift/modelDrift.ts):
// no `vscode` here, so the unit tests run it over a real store.
import type { DriftDeps } from '../../core/drift/driftSources.ts';
import { metricTrend, modelDrift, type MetricTrend as CoreTrend } from '../../core/drift/modelDrift.ts';
import type { DriftOptions, DriftReport } from '../../core/drift/types.ts';
import type { ReadableStore } from '../../core/store/trackingStore.ts';
import type { DriftPanelSource, MetricTrend, ModelDriftView } from '../../protocol/drift.ts';

/** Metric trends drawn at most (the metrics the training and evaluation runs logged, by name). */
export const MAX_TRENDS = 8;

function trendView(t: CoreTrend): MetricTrend {
  return { key: t.key, training: t.training?.value ?? null, points: t.series.map((p) => ({ runId: p.runId, step: p.step, timestamp: new Date(p.time).toISOString(), value: p.value })) };
}

/**
 * Model drift, when the current side is a run (or the source names several evaluation runs)
 * evaluating the reference's model: the metrics the training run and the evaluation runs logged,
 * as trends against the training run's value — only against a model alias or for several
 * evaluation runs (two training runs' metrics are no trend) — and the prediction shift of the
 * latest evaluation run whenever both it and the training run logged predictions. Null when
 * there is neither.
 */
export async function modelView(source: DriftPanelSource, report: DriftReport, deps: DriftDeps & { readonly store: ReadableStore }, options: DriftOptions): Promise<ModelDriftView | null> {
  const trainingRunId = report.reference.runId;
  if (source.current.kind !== 'run' || !trainingRunId) return null;
  const evaluations = (source.evaluationRuns ?? [source.current.runId]).filter((id) => id !== trainingRunId);
  if (evaluations.length === 0) return null;
  const drift = await modelDrift(deps, { trainingRunId, evaluationRunIds: evaluations, options });
  const metrics: MetricTrend[] = [];
  if (source.reference.kind === 'alias' || evaluations.length > 1) {
    const training = await deps.store.getRun(trainingRunId);
    const trained = new Set(training.data.metrics.map((m) => m.key));
    const logged = new Set<string>();
    for (const runId of evaluations) for (const m of (await deps.store.getRun(runId)).data.metrics) if (trained.has(m.key)) logged.add(m.key);
    for (const key of [...logged].sort().slice(0, MAX_TRENDS)) metrics.push(trendView(await metricTrend(deps.store, trainingRunId, evaluations, key)));
  }
  if (metrics.length === 0 && !drift.predictions) return null;
  return {
    model: source.reference.kind === 'alias' ? `${source.reference.model}@${source.reference.alias}` : null,
    trainingRunId,
    metrics,
    predictions: drift.predictions?.drift ?? null,
    notes: drift.predictions ? [`Predictions: ${drift.predictions.reference} against ${drift.predictions.current}.`] : [],
  };
}
