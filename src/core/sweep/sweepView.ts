// The sweep panel's view model: what the store keeps of a sweep, its trials and their queue items,
// folded into the plain JSON the page draws (src/protocol/sweepTypes.ts). Pure: the host reads
// the stores and the metric histories, this only arranges them, so plain Node tests cover it.
import type { QueueItem } from '../queue/types.ts';
import type { ImportanceView, SweepCounts, SweepTrialView, SweepView } from '../../protocol/sweepTypes.ts';
import { gridSize } from './space.ts';
import type { EarlyStopping, SweepRecord, SweepSpec, TrialRecord, TrialState } from './types.ts';

export type { ImportanceView };

export type CurvePoint = { readonly step: number; readonly value: number };

export interface SweepViewInput {
  readonly sweep: SweepRecord;
  readonly trials: readonly TrialRecord[];
  /** The sweep's queue items (any state); a trial's runs are found by trialNumber. */
  readonly items: readonly QueueItem[];
  /** runId → its early-stopping metric's history (absent: none read). */
  readonly curves: ReadonlyMap<string, readonly CurvePoint[]>;
  /** The explorer root the runs are in. */
  readonly store: string;
  /** For a running trial's duration so far (ms since the epoch). */
  readonly now: number;
}

const TRIAL_STATES: readonly TrialState[] = ['queued', 'running', 'finished', 'failed', 'killed', 'pruned', 'cancelled'];

export function emptyCounts(): Record<TrialState, number> {
  return Object.fromEntries(TRIAL_STATES.map((s) => [s, 0])) as Record<TrialState, number>;
}

/** Whether `a` is better than `b` under the goal. */
export function isBetter(a: number, b: number, goal: 'minimize' | 'maximize'): boolean {
  return goal === 'minimize' ? a < b : a > b;
}

/** A trial's objective only counts toward the best when the trial finished with a real number. */
function scored(trial: TrialRecord): number | null {
  return trial.state === 'finished' && typeof trial.value === 'number' && Number.isFinite(trial.value) ? trial.value : null;
}

/** The trial's items, one per seed in seed order (a retried seed keeps its latest item). */
export function trialItems(items: readonly QueueItem[], trialNumber: number): QueueItem[] {
  const bySeed = new Map<string, QueueItem>();
  for (const item of items) {
    if (item.trialNumber !== trialNumber) continue;
    const key = item.seed === undefined ? '' : String(item.seed);
    const kept = bySeed.get(key);
    if (!kept || item.itemId > kept.itemId) bySeed.set(key, item);
  }
  return [...bySeed.values()].sort((a, b) => (a.seed ?? Number.NEGATIVE_INFINITY) - (b.seed ?? Number.NEGATIVE_INFINITY) || a.itemId - b.itemId);
}

/** From the first seed's start to the last one's end (now while one still runs); null before any started. */
function durationOf(items: readonly QueueItem[], now: number): number | null {
  const starts = items.map((i) => i.startedAt).filter((t): t is number => typeof t === 'number');
  if (starts.length === 0) return null;
  const running = items.some((i) => i.state === 'running');
  const ends = items.map((i) => i.endedAt).filter((t): t is number => typeof t === 'number');
  const end = running || ends.length === 0 ? now : Math.max(...ends);
  return Math.max(0, end - Math.min(...starts));
}

function paramsOf(spec: SweepSpec): SweepView['params'] {
  return Object.entries(spec.parameters).map(([name, p]) => {
    if (p.type === 'categorical') return { name, kind: 'categorical' as const, values: [...p.values] };
    return { name, kind: p.log ? ('log' as const) : ('number' as const) };
  });
}

/** The early-stopping rule as a sentence for the panel's header. */
export function describeEarlyStopping(rule: EarlyStopping | undefined): string | null {
  if (!rule) return null;
  if (rule.rule === 'median') {
    return (
      `Median rule on ${rule.metric}: a trial stops at a step when its value there is worse than the median of earlier trials' ` +
      `(after ${rule.startupTrials} startup trial(s) and ${rule.warmupSteps} warm-up step(s), with at least ${rule.minTrials} trial(s) reporting).`
    );
  }
  return (
    `ASHA (successive halving) on ${rule.metric}: rungs at ${rule.minResource} × ${rule.reductionFactor}^k steps; ` +
    `at each rung only the best 1/${rule.reductionFactor} of the trials go on.`
  );
}

/** A grid without a trial budget runs all its points. */
function gridBudget(spec: SweepSpec): number | null {
  if (spec.method !== 'grid') return null;
  try {
    return gridSize(spec);
  } catch {
    // A grid the engine could not expand either: the panel shows the trials it has.
    return null;
  }
}

function iso(ms: number | undefined): string | null {
  return typeof ms === 'number' && Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

/** The sweep as the panel draws it. */
export function buildSweepView(input: SweepViewInput): SweepView {
  const { sweep, now } = input;
  const spec = sweep.spec;
  const goal = spec.objective.goal;
  const counts = emptyCounts();
  let best: { number: number; value: number; runIds: readonly string[] } | null = null;
  let bestSoFar: number | null = null;
  const trials: SweepTrialView[] = [...input.trials]
    .sort((a, b) => a.number - b.number)
    .map((trial) => {
      counts[trial.state] += 1;
      const items = trialItems(input.items, trial.number);
      const runIds = items.map((i) => i.runId).filter((id): id is string => typeof id === 'string' && id !== '');
      const value = scored(trial);
      if (value !== null && (bestSoFar === null || isBetter(value, bestSoFar, goal))) {
        bestSoFar = value;
        best = { number: trial.number, value, runIds };
      }
      const first = runIds[0];
      const intermediate = first === undefined ? [] : [...(input.curves.get(first) ?? [])].sort((a, b) => a.step - b.step);
      const last = intermediate[intermediate.length - 1];
      const view: SweepTrialView = {
        number: trial.number,
        params: trial.params,
        state: trial.state,
        // A pruned or failed trial may carry a value; only a finished one is the trial's objective.
        value: typeof trial.value === 'number' ? trial.value : null,
        bestSoFar,
        runIds,
        durationMs: durationOf(items, now),
        intermediate,
        note: trial.note || items.find((i) => i.error)?.error || '',
        ...(trial.state === 'pruned' && last ? { prunedAtStep: last.step } : {}),
      };
      return view;
    });
  const sweepCounts: SweepCounts = counts;
  return {
    sweepId: sweep.sweepId,
    name: sweep.name,
    file: sweep.file,
    method: spec.method,
    objective: { metric: spec.objective.metric, goal },
    state: sweep.state,
    parentRunId: sweep.parentRunId,
    store: input.store,
    counts: sweepCounts,
    budget: { trials: spec.budget.trials ?? gridBudget(spec), minutes: spec.budget.minutes ?? null },
    startedAt: iso(sweep.createdAt) ?? '',
    endedAt: iso(sweep.endedAt),
    params: paramsOf(spec),
    trials,
    best,
    earlyStopping: describeEarlyStopping(spec.earlyStopping),
    curveMetric: spec.earlyStopping?.metric ?? spec.objective.metric,
    note: sweep.note,
  };
}

/**
 * The runs of the best `n` finished trials, best first (the first seed's run of each): what
 * "Compare top N" opens. Ties keep the earlier trial first.
 */
export function topTrialRuns(view: SweepView, n: number): string[] {
  const goal = view.objective.goal;
  return view.trials
    .filter((t) => t.state === 'finished' && t.value !== null && Number.isFinite(t.value) && t.runIds.length > 0)
    .sort((a, b) => (a.value === b.value ? a.number - b.number : isBetter(a.value as number, b.value as number, goal) ? -1 : 1))
    .slice(0, Math.max(0, n))
    .map((t) => t.runIds[0] as string);
}
