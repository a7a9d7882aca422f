// Early stopping for a sweep's running trials, checked at each engine tick: each running run's
// intermediate metric (earlyStopping.metric, read from the tracking store) is judged at every
// step it reported since the last check, in order (as Optuna's report + should_prune loop does),
// against the other trials' curves. Grid and random use pruning.ts (Optuna's
// MedianPruner and SuccessiveHalvingPruner rules in TypeScript); bayes reports the new steps to
// its Optuna study, whose pruner decides. A pruned item is stopped as 'pruned' and its trial's
// note says at which step and why.
import { errorFirstLine, errorMessage } from '../../shared/errorMessage.ts';
import type { QueueStore } from '../queue/queueStore.ts';
import type { QueueItem } from '../queue/types.ts';
import type { TrackingStore } from '../store/trackingStore.ts';
import { ashaPrune, medianPrune, type Curve, type PruneDecision } from './pruning.ts';
import type { SweepStore } from './sweepStore.ts';
import type { SweepStudies } from './sweepStudies.ts';
import type { EarlyStopping, SweepRecord, TrialRecord } from './types.ts';

export interface SweepPruningOptions {
  readonly queue: QueueStore;
  readonly sweeps: SweepStore;
  readonly storeFor: (target: string) => TrackingStore;
  readonly stopItem: (itemId: number, reason: 'pruned' | 'cancelled') => Promise<void>;
  readonly studies: SweepStudies;
  readonly log: (line: string) => void;
}

function ruleName(rule: EarlyStopping, method: string): string {
  const name = rule.rule === 'median' ? 'the median rule' : 'successive halving (ASHA)';
  return method === 'bayes' ? `Optuna's ${rule.rule === 'median' ? 'MedianPruner' : 'SuccessiveHalvingPruner'}` : name;
}

export class SweepPruning {
  private readonly options: SweepPruningOptions;
  /** Curves of runs that ended: they no longer change. */
  private readonly finalCurves = new Map<string, Curve>();
  /** The last step judged per item: a run is judged again only when it reports a new step. */
  private readonly judged = new Map<number, number>();
  /** The step each item was pruned at by this engine. */
  private readonly prunedAt = new Map<number, number>();

  constructor(options: SweepPruningOptions) {
    this.options = options;
  }

  forget(items: readonly QueueItem[]): void {
    for (const item of items) this.judged.delete(item.itemId);
  }

  /** Judges the sweep's running items; true when one was pruned. */
  async check(sweep: SweepRecord): Promise<boolean> {
    const rule = sweep.spec.earlyStopping;
    if (!rule) return false;
    const items = this.options.queue.list({ sweepId: sweep.sweepId });
    const running = items.filter((i) => i.state === 'running' && i.runId && !i.stopRequested);
    if (running.length === 0) return false;
    const store = this.options.storeFor(sweep.target);
    const trials = new Map(this.options.sweeps.trials(sweep.sweepId).map((t) => [t.number, t]));
    const curves = new Map<number, Curve>();
    for (const item of items) {
      if (!item.runId || item.state === 'queued') continue;
      const curve = await this.curve(store, item, rule.metric);
      if (curve.length > 0) curves.set(item.itemId, curve);
    }
    let pruned = false;
    for (const item of running) {
      const curve = curves.get(item.itemId);
      const judgedUpTo = this.judged.get(item.itemId) ?? Number.NEGATIVE_INFINITY;
      // Every step reported since the last judged one, in order, as Optuna's report + should_prune loop sees them.
      const fresh = curve?.filter((p) => p.step > judgedUpTo) ?? [];
      const last = fresh[fresh.length - 1];
      if (!curve || !last) continue;
      this.judged.set(item.itemId, last.step);
      const trial = item.trialNumber === undefined ? undefined : trials.get(item.trialNumber);
      if (!trial) continue;
      let verdict: { decision: PruneDecision; step: number };
      try {
        verdict =
          sweep.spec.method === 'bayes'
            ? await this.askStudy(sweep, trial, curve, [...trials.values()])
            : this.judgeSteps(sweep, rule, item, curve, fresh, items, curves, trials);
      } catch (err) {
        this.options.log(`sweep ${sweep.name}: trial ${trial.number} not judged for early stopping (${errorMessage(err)})`);
        continue;
      }
      if (!verdict.decision.prune) continue;
      this.prunedAt.set(item.itemId, verdict.step);
      const note = `pruned at step ${verdict.step} by ${ruleName(rule, sweep.spec.method)}: ${verdict.decision.reason}`;
      this.options.sweeps.putTrial({ ...trial, note });
      this.options.log(`sweep ${sweep.name}: trial ${trial.number} ${note}`);
      await this.options.stopItem(item.itemId, 'pruned').catch((err: unknown) => this.options.log(`sweep ${sweep.name}: item ${item.itemId} not stopped (${errorMessage(err)})`));
      pruned = true;
    }
    return pruned;
  }

  /** Judges the new steps one by one (grid and random); the first prune stops there. */
  private judgeSteps(
    sweep: SweepRecord,
    rule: EarlyStopping,
    item: QueueItem,
    curve: Curve,
    fresh: Curve,
    items: readonly QueueItem[],
    curves: ReadonlyMap<number, Curve>,
    trials: ReadonlyMap<number, TrialRecord>,
  ): { decision: PruneDecision; step: number } {
    let verdict = { decision: { prune: false, reason: '' } as PruneDecision, step: Number.NaN };
    for (const point of fresh) {
      verdict = { decision: this.judge(sweep, rule, item, curve, point.step, items, curves, trials), step: point.step };
      if (verdict.decision.prune) break;
    }
    return verdict;
  }

  private judge(
    sweep: SweepRecord,
    rule: EarlyStopping,
    item: QueueItem,
    curve: Curve,
    step: number,
    items: readonly QueueItem[],
    curves: ReadonlyMap<number, Curve>,
    trials: ReadonlyMap<number, TrialRecord>,
  ): PruneDecision {
    const goal = sweep.spec.objective.goal;
    if (rule.rule === 'median') {
      // Optuna's MedianPruner compares with completed trials only.
      const finished = items
        .filter((i) => i.itemId !== item.itemId && i.trialNumber !== item.trialNumber && i.state === 'finished' && trials.get(i.trialNumber ?? -1)?.state === 'finished')
        .map((i) => curves.get(i.itemId))
        .filter((c): c is Curve => c !== undefined);
      return medianPrune(rule, curve, finished, step, goal);
    }
    // In the order the trials started (rungTable depends on it), each pruned curve ending where it was cut.
    const others = items
      .filter((i) => i.itemId !== item.itemId && i.startedAt !== undefined)
      .sort((a, b) => (a.startedAt as number) - (b.startedAt as number) || (a.trialNumber ?? 0) - (b.trialNumber ?? 0) || a.itemId - b.itemId)
      .map((i) => this.cutAtPrune(i, curves.get(i.itemId), trials))
      .filter((c): c is Curve => c !== undefined);
    return ashaPrune(rule, curve, others, step, goal);
  }

  /** A pruned item's curve up to the step it was pruned at (it logged more before it stopped; Optuna never saw those). */
  private cutAtPrune(item: QueueItem, curve: Curve | undefined, trials: ReadonlyMap<number, TrialRecord>): Curve | undefined {
    if (!curve || item.state !== 'pruned') return curve;
    let step = this.prunedAt.get(item.itemId);
    if (step === undefined) {
      // Pruned by another engine (or before a restart): its trial's note says at which step.
      const match = /^pruned at step (-?\d+(?:\.\d+)?)/.exec(trials.get(item.trialNumber ?? -1)?.note ?? '');
      if (match) step = Number(match[1]);
    }
    return step === undefined ? curve : curve.filter((p) => p.step <= step);
  }

  /** Reports the steps the study has not seen (in order); the first step its pruner prunes at decides, and ends the reports. */
  private async askStudy(sweep: SweepRecord, trial: TrialRecord, curve: Curve, trials: readonly TrialRecord[]): Promise<{ decision: PruneDecision; step: number }> {
    const study = await this.options.studies.get(sweep, trials);
    const number = study.numbers.get(trial.number);
    const last = curve[curve.length - 1];
    if (number === undefined) return { decision: { prune: false, reason: 'not in the Optuna study' }, step: last?.step ?? Number.NaN };
    const seen = study.reported.get(trial.number) ?? new Set<number>();
    study.reported.set(trial.number, seen);
    for (const point of curve) {
      if (seen.has(point.step)) continue;
      seen.add(point.step);
      if ((await study.driver.report(number, point.step, point.value)).prune) {
        // Optuna's answer at this step stands: a later report's 'false' does not undo it.
        return { decision: { prune: true, reason: `${sweep.spec.earlyStopping?.metric} = ${point.value} at step ${point.step} is worse than the study's pruner allows` }, step: point.step };
      }
    }
    return { decision: { prune: false, reason: '' }, step: last?.step ?? Number.NaN };
  }

  /** The run's early-stopping metric by step (the last value logged at each step), cached once the run ended. */
  private async curve(store: TrackingStore, item: QueueItem, metric: string): Promise<Curve> {
    const runId = item.runId as string;
    const cached = this.finalCurves.get(runId);
    if (cached) return cached;
    let history;
    try {
      history = await store.getMetricHistory(runId, metric);
    } catch (err) {
      this.options.log(`run ${runId}: ${metric} not read (${errorFirstLine(err)})`);
      return [];
    }
    const byStep = new Map<number, number>();
    for (const m of [...history].sort((a, b) => a.step - b.step || a.timestamp - b.timestamp)) if (Number.isFinite(m.value)) byStep.set(m.step, m.value);
    const curve: Curve = [...byStep.entries()].sort((a, b) => a[0] - b[0]).map(([step, value]) => ({ step, value }));
    if (item.state !== 'running') this.finalCurves.set(runId, curve);
    return curve;
  }
}
