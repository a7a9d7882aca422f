// Params and metrics of two sides: params added, removed or changed; metrics with both values, the
// delta and the percentage, and a verdict only where the name says which way is better.
import { guessDirection } from '../compare/comparison.ts';
import type { LoggedModel, Run } from '../store/types.ts';
import { latestByKey } from '../store/latestMetric.ts';
import type { MetricChange, MetricDirectionKnown, MetricsSection, ParamChange } from './types.ts';

/** Names that say higher is better: with Compare's lower-is-better names (guessDirection), the only directions trusted for colour. */
const HIGHER_IS_BETTER = /(^|[^a-z])(acc|accuracy|auc|roc|f1|f2|fbeta|precision|recall|r2|score|map|ndcg|mrr|bleu|rouge|meteor|iou|dice|psnr|ssim|top1|top5|hit|hits|sensitivity|specificity|throughput|reward|return)([^a-z]|$)/;

function words(key: string): string {
  return key.replace(/([a-z])([A-Z])/g, '$1_$2').replace(/[0-9]+/g, (d) => (d === '1' || d === '5' ? d : '_')).toLowerCase();
}

/** The direction a metric's name states, or null (neutral) when the name says neither. */
export function knownDirection(key: string): MetricDirectionKnown | null {
  if (guessDirection(key) === 'lower') return 'lower';
  return HIGHER_IS_BETTER.test(words(key)) ? 'higher' : null;
}

export function diffParams(base: Run | null, remote: Run | null): ParamChange[] {
  const a = new Map((base?.data.params ?? []).map((p) => [p.key, p.value]));
  const b = new Map((remote?.data.params ?? []).map((p) => [p.key, p.value]));
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort();
  return keys.map((key) => {
    const x = a.get(key) ?? null;
    const y = b.get(key) ?? null;
    const change = x === null ? 'added' : y === null ? 'removed' : x === y ? 'same' : 'changed';
    return { key, base: x, remote: y, change };
  });
}

/** The latest value per key of a logged model's linked metrics (highest step, then latest time). */
export function latestModelMetrics(model: LoggedModel): Map<string, number> {
  return new Map([...latestByKey(model.metrics)].map(([k, m]) => [k, m.value]));
}

/** Per key, the logged model's linked value (as the promotion gate reads it), else the run's latest. */
function sideMetrics(run: Run | null, model: LoggedModel | null): { values: Map<string, number>; origin: 'model' | 'run' | null } {
  const values = new Map((run?.data.metrics ?? []).map((m) => [m.key, m.value]));
  const linked = model ? latestModelMetrics(model) : new Map<string, number>();
  for (const [key, value] of linked) values.set(key, value);
  return { values, origin: linked.size > 0 ? 'model' : run ? 'run' : null };
}

export function metricChange(key: string, base: number | null, remote: number | null): MetricChange {
  const direction = knownDirection(key);
  const finite = base !== null && remote !== null && Number.isFinite(base) && Number.isFinite(remote);
  const delta = finite ? remote - base : null;
  const deltaPercent = finite && base !== 0 ? ((remote - base) / Math.abs(base)) * 100 : null;
  const verdict = delta === null || delta === 0 || direction === null ? null : (direction === 'lower') === delta < 0 ? 'better' : 'worse';
  const same = base === remote || (base !== null && remote !== null && Number.isNaN(base) && Number.isNaN(remote));
  const change = base === null ? 'added' : remote === null ? 'removed' : same ? 'same' : 'changed';
  return { key, base, remote, delta, deltaPercent, direction, verdict, change };
}

/** Model-linked metrics where a side's logged model has them, else its run's latest metrics. */
export function diffMetrics(base: { run: Run | null; model: LoggedModel | null }, remote: { run: Run | null; model: LoggedModel | null }): MetricsSection {
  const a = sideMetrics(base.run, base.model);
  const b = sideMetrics(remote.run, remote.model);
  const keys = [...new Set([...a.values.keys(), ...b.values.keys()])].sort();
  const notes: string[] = [];
  if (a.origin !== null && b.origin !== null && a.origin !== b.origin) notes.push("One side's metrics are its logged model's, the other's its run's: they may not be measured the same way.");
  return { origin: { base: a.origin, remote: b.origin }, rows: keys.map((k) => metricChange(k, a.values.get(k) ?? null, b.values.get(k) ?? null)), notes };
}
