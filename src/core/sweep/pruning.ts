// Early stopping decisions from the metric curves trials log, with the semantics of Optuna's
// MedianPruner (a PercentilePruner at 50) and SuccessiveHalvingPruner (optuna/pruners/_percentile.py
// and _successive_halving.py), so a sweep judged here and one judged by Optuna stop the same
// trials. Optuna keeps state in its storage (intermediate values, "completed_rung_k" attributes);
// here it is rebuilt from the curves, assuming, as Optuna's `report` + `should_prune` loop does,
// that a trial was judged at every step it reported. test/interop/sweepPruning.test.ts replays
// the same curves into Optuna and compares every decision.
import type { EarlyStopping } from './types.ts';

export type Curve = readonly { readonly step: number; readonly value: number }[];
export type Goal = 'minimize' | 'maximize';
export type MedianRule = Extract<EarlyStopping, { rule: 'median' }>;
export type AshaRule = Extract<EarlyStopping, { rule: 'asha' }>;

export interface PruneDecision {
  readonly prune: boolean;
  readonly reason: string;
}

/**
 * A curve as Optuna's `trial.intermediate_values`: one value per step, the first reported (Optuna
 * ignores a step reported again), only steps up to `upTo`; sorted by step.
 */
function intermediate(curve: Curve, upTo = Number.POSITIVE_INFINITY): Map<number, number> {
  const out = new Map<number, number>();
  for (const p of curve) if (p.step <= upTo && !out.has(p.step)) out.set(p.step, p.value);
  return new Map([...out].sort((a, b) => a[0] - b[0]));
}

/** numpy's `_lerp`: computed from the nearer end, which numpy does for t ≥ 0.5 (the digits matter in ties). */
function lerp(a: number, b: number, t: number): number {
  const d = b - a;
  return t >= 0.5 ? b - d * (1 - t) : a + d * t;
}

/** numpy.nanpercentile(values, q) with the default 'linear' method. */
export function nanPercentile(values: readonly number[], q: number): number {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((x, y) => x - y);
  if (sorted.length === 0) return Number.NaN;
  const index = ((sorted.length - 1) * q) / 100;
  const below = Math.floor(index);
  const above = Math.min(below + 1, sorted.length - 1);
  return lerp(sorted[below] as number, sorted[above] as number, index - below);
}

function fmt(x: number): string {
  return Number.isNaN(x) ? 'NaN' : String(Number(x.toPrecision(6)));
}

/**
 * Optuna's MedianPruner(n_startup_trials, n_warmup_steps, interval_steps=1, n_min_trials) at the
 * trial's report of `step`: prune when the best value the trial reported so far is worse than the
 * median of the finished (completed, not pruned) trials' values at that same step.
 */
export function medianPrune(rule: MedianRule, trialCurve: Curve, finishedCurves: readonly Curve[], step: number, goal: Goal = 'minimize'): PruneDecision {
  const n = finishedCurves.length;
  if (n === 0) return { prune: false, reason: 'no trial has finished yet' };
  if (n < rule.startupTrials) return { prune: false, reason: `${n} of ${rule.startupTrials} startup trials finished` };
  const own = intermediate(trialCurve, step);
  if (own.size === 0) return { prune: false, reason: 'no value reported yet' };
  // Optuna judges at the trial's last reported step.
  const last = Math.max(...own.keys());
  if (last < rule.warmupSteps) return { prune: false, reason: `step ${last} is within the ${rule.warmupSteps} warm-up steps` };
  // With interval_steps 1, every step past the warm-up is a pruning step (_is_first_in_interval_step).
  const values = [...own.values()].filter((v) => !Number.isNaN(v));
  if (values.length === 0) return { prune: true, reason: 'every value reported is NaN' };
  const best = goal === 'maximize' ? Math.max(...values) : Math.min(...values);
  const atStep = finishedCurves.map((c) => intermediate(c).get(last)).filter((v): v is number => v !== undefined);
  if (atStep.length < rule.minTrials || atStep.every((v) => Number.isNaN(v))) {
    return { prune: false, reason: `${atStep.length} finished trials reported step ${last}, fewer than ${rule.minTrials}` };
  }
  const median = nanPercentile(atStep, 50);
  const worse = goal === 'maximize' ? best < median : best > median;
  return worse
    ? { prune: true, reason: `best ${fmt(best)} by step ${last} is worse than the median ${fmt(median)} of ${atStep.length} finished trials there` }
    : { prune: false, reason: `best ${fmt(best)} by step ${last} is not worse than the median ${fmt(median)} of ${atStep.length} finished trials` };
}

/** The step of rung k: min_resource · reduction_factor^(k + min_early_stopping_rate). */
export function rungStep(rule: AshaRule, k: number): number {
  return rule.minResource * rule.reductionFactor ** (k + rule.minEarlyStoppingRate);
}

/** Optuna's _is_trial_promotable_to_next_rung; NaN competitors count as the worst (Python leaves their order undefined). */
function promotable(value: number, competing: readonly number[], reductionFactor: number, goal: Goal): { ok: boolean; bar: number } {
  let idx = Math.floor(competing.length / reductionFactor) - 1;
  if (idx === -1) idx = 0;
  const worst = goal === 'maximize' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  const sorted = competing.map((v) => (Number.isNaN(v) ? worst : v)).sort((a, b) => a - b);
  if (goal === 'maximize') {
    const bar = sorted[sorted.length - (idx + 1)] as number;
    return { ok: value >= bar, bar };
  }
  const bar = sorted[idx] as number;
  return { ok: value <= bar, bar };
}

/**
 * The value each trial holds at each rung (Optuna's completed_rung_k attributes), rebuilt from
 * the curves in trial order. A rung a trial passed before its last report holds the value of its
 * first report at or past the rung (it was promoted, or it would have stopped). A report can pass
 * several rungs at once: at a trial's last report the rungs are taken one by one against the
 * trials before it, and the first one it is not promoted at is its last (it was pruned there),
 * which is what Optuna recorded when the trials ran in this order.
 */
function rungTable(rule: AshaRule, curves: readonly Map<number, number>[], goal: Goal): (number | undefined)[][] {
  const table: (number | undefined)[][] = [];
  for (const own of curves) {
    const rungs: (number | undefined)[] = [];
    const steps = [...own.keys()];
    if (steps.length > 0) {
      const last = steps[steps.length - 1] as number;
      const previous = steps.length > 1 ? (steps[steps.length - 2] as number) : Number.NEGATIVE_INFINITY;
      let k = 0;
      for (; rungStep(rule, k) <= previous; k++) {
        const at = rungStep(rule, k);
        rungs[k] = own.get(steps.find((s) => s >= at) as number);
      }
      const value = own.get(last) as number;
      for (; rungStep(rule, k) <= last && !Number.isNaN(value); k++) {
        rungs[k] = value;
        const competing = [...table.map((t) => t[k]).filter((v): v is number => v !== undefined), value];
        if (!promotable(value, competing, rule.reductionFactor, goal).ok) break;
      }
    }
    table.push(rungs);
  }
  return table;
}

/**
 * Optuna's SuccessiveHalvingPruner(min_resource, reduction_factor, min_early_stopping_rate,
 * bootstrap_count=0) at the trial's report of `step`. `allCurves` are the sweep's other trials,
 * finished, pruned or running, in the order they started (a curve identical to `trialCurve` is
 * skipped); a pruned trial's curve ends at the report it was pruned at. Each rung the trial reaches
 * with this report is judged with its latest value against the values the others had at that
 * rung; it goes on only while it is within the top 1/reduction_factor of them.
 */
export function ashaPrune(rule: AshaRule, trialCurve: Curve, allCurves: readonly Curve[], step: number, goal: Goal): PruneDecision {
  if (rule.reductionFactor < 2 || rule.minResource < 1) return { prune: false, reason: 'reductionFactor must be ≥ 2 and minResource ≥ 1' };
  const own = intermediate(trialCurve, step);
  if (own.size === 0) return { prune: false, reason: 'no value reported yet' };
  const steps = [...own.keys()];
  const last = steps[steps.length - 1] as number;
  const value = own.get(last) as number;
  // The rungs its earlier reports completed (it was promoted through them, or it would have stopped).
  const previous = steps.length > 1 ? (steps[steps.length - 2] as number) : Number.NEGATIVE_INFINITY;
  let rung = 0;
  while (rungStep(rule, rung) <= previous) rung++;
  const others = rungTable(rule, allCurves.filter((c) => c !== trialCurve).map((c) => intermediate(c)), goal);
  // Bounded: rung steps grow geometrically, so this ends once one passes `last`.
  for (;;) {
    const at = rungStep(rule, rung);
    if (last < at) return { prune: false, reason: rung === 0 ? `first rung at step ${at}` : `promoted through rung ${rung - 1}; next rung at step ${at}` };
    if (Number.isNaN(value)) return { prune: true, reason: `the value at step ${last} is NaN` };
    const competing = [...others.map((o) => o[rung]).filter((v): v is number => v !== undefined), value];
    const { ok, bar } = promotable(value, competing, rule.reductionFactor, goal);
    if (!ok) {
      return { prune: true, reason: `${fmt(value)} at rung ${rung} (step ${at}) is not in the top 1/${rule.reductionFactor} of ${competing.length} trials (needs ${goal === 'maximize' ? '≥' : '≤'} ${fmt(bar)})` };
    }
    rung++;
  }
}
