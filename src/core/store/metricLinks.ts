import type { Metric } from './types.ts';

/** The model and dataset a metric value was logged for (MLflow 3's `log_metric(..., model_id=…)`). */
export type MetricLink = Pick<Metric, 'modelId' | 'datasetName' | 'datasetDigest'>;

/**
 * A run's history of one key with each value's model and dataset links put back, where `linked`
 * (the model-linked values of that run and key) holds the same step, timestamp and value.
 * MLflow's server drops the links from get-history; Labbook returns what was logged.
 */
export function withMetricLinks(history: readonly Metric[], linked: readonly Metric[]): readonly Metric[] {
  if (linked.length === 0) return history;
  const pointKey = (m: Metric) => `${m.step}:${m.timestamp}:${Number.isNaN(m.value) ? 'nan' : m.value}`;
  const links = new Map<string, MetricLink>();
  for (const m of linked) {
    links.set(pointKey(m), {
      ...(m.modelId ? { modelId: m.modelId } : {}),
      ...(m.datasetName ? { datasetName: m.datasetName } : {}),
      ...(m.datasetDigest ? { datasetDigest: m.datasetDigest } : {}),
    });
  }
  return history.map((m) => {
    const link = links.get(pointKey(m));
    return link ? { ...m, ...link } : m;
  });
}
