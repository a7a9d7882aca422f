// A sweep's parent run: the run its trials are children of (mlflow.parentRunId), so the
// Experiments view and the runs table group them. Created RUNNING when the sweep starts, with the
// space as its params; ended with the best objective as a metric and the best trial and run as
// tags (FINISHED), KILLED when the user stops the sweep, FAILED when no trial gave a value.
import { errorFirstLine } from '../../shared/errorMessage.ts';
import { ensureExperiment } from '../launch/launchTrackedRun.ts';
import type { QueueStore } from '../queue/queueStore.ts';
import type { TrackingStore } from '../store/trackingStore.ts';
import type { Param, RunStatus } from '../store/types.ts';
import type { SweepStore } from './sweepStore.ts';
import { trialItems } from './sweepTrials.ts';
import type { ParamSpec, SweepRecord, SweepSpec, TrialRecord } from './types.ts';

export const SWEEP_TAGS = {
  id: 'labbook.sweep.id',
  name: 'labbook.sweep.name',
  trial: 'labbook.sweep.trial',
  seed: 'labbook.sweep.seed',
  bestRun: 'labbook.sweep.best_run',
  bestTrial: 'labbook.sweep.best_trial',
  parentRunId: 'mlflow.parentRunId',
  runName: 'mlflow.runName',
} as const;

/** MLflow's limit on a param value. */
const PARAM_VALUE_MAX = 6000;

function describeParam(p: ParamSpec): string {
  const when = p.when ? ` when ${p.when.param} in [${p.when.in.join(', ')}]` : '';
  if (p.type === 'categorical') return `categorical [${p.values.join(', ')}]${when}`;
  const extras = [p.step !== undefined ? `step ${p.step}` : '', p.log ? 'log' : ''].filter(Boolean).join(', ');
  return `${p.type} [${p.low}, ${p.high}]${extras ? ` ${extras}` : ''}${when}`;
}

/** The parent run's params: the space, the method and the objective, as text. */
export function spaceSummary(spec: SweepSpec): Param[] {
  const params: Param[] = [
    { key: 'sweep.method', value: spec.method === 'bayes' ? `bayes (${spec.sampler})` : spec.method },
    { key: 'sweep.objective', value: `${spec.objective.goal} ${spec.objective.metric}` },
  ];
  if (spec.budget.trials !== undefined) params.push({ key: 'sweep.budget.trials', value: String(spec.budget.trials) });
  if (spec.budget.minutes !== undefined) params.push({ key: 'sweep.budget.minutes', value: String(spec.budget.minutes) });
  if (spec.seeds.length > 0) params.push({ key: 'sweep.seeds', value: spec.seeds.join(', ') });
  if (spec.earlyStopping) params.push({ key: 'sweep.early_stopping', value: `${spec.earlyStopping.rule} on ${spec.earlyStopping.metric}` });
  for (const [name, p] of Object.entries(spec.parameters)) params.push({ key: `space.${name}`, value: describeParam(p).slice(0, PARAM_VALUE_MAX) });
  return params;
}

export async function createParentRun(store: TrackingStore, spec: SweepSpec, sweepId: string, now: number): Promise<{ runId: string; experimentId: string }> {
  const experimentId = await ensureExperiment(store, spec.experiment ?? spec.name);
  const run = await store.createRun({
    experimentId,
    runName: spec.name,
    startTime: now,
    tags: [
      { key: SWEEP_TAGS.id, value: sweepId },
      { key: SWEEP_TAGS.name, value: spec.name },
      { key: SWEEP_TAGS.runName, value: spec.name },
    ],
  });
  const runId = run.info.runId;
  const params = spaceSummary(spec);
  for (let i = 0; i < params.length; i += 100) await store.logBatch(runId, { params: params.slice(i, i + 100) });
  return { runId, experimentId };
}

/** The best finished trial by the objective's goal (lowest number on ties). */
export function bestTrial(spec: SweepSpec, trials: readonly TrialRecord[]): TrialRecord | undefined {
  let best: TrialRecord | undefined;
  for (const t of trials) {
    if (t.state !== 'finished' || t.value === undefined || !Number.isFinite(t.value)) continue;
    if (!best || (spec.objective.goal === 'minimize' ? t.value < (best.value as number) : t.value > (best.value as number))) best = t;
  }
  return best;
}

/** Ends the parent run; returns notes for what could not be recorded (never throws). */
export async function endParentRun(
  store: TrackingStore,
  runId: string,
  status: RunStatus,
  now: number,
  best?: { metric: string; value: number; trial: number; runId?: string },
): Promise<string[]> {
  const notes: string[] = [];
  if (!runId) return notes;
  if (best) {
    const tags = [{ key: SWEEP_TAGS.bestTrial, value: String(best.trial) }, ...(best.runId ? [{ key: SWEEP_TAGS.bestRun, value: best.runId }] : [])];
    await store
      .logBatch(runId, { metrics: [{ key: `best_${best.metric}`, value: best.value, timestamp: now, step: 0 }], tags })
      .catch((err: unknown) => notes.push(`the best trial was not recorded on the parent run (${errorFirstLine(err)})`));
  }
  await store.updateRun(runId, { status, endTime: now }).catch((err: unknown) => notes.push(`the parent run's status was not set (${errorFirstLine(err)})`));
  return notes;
}

/** Records the sweep's end: its state, and the parent run ended with the best trial (FINISHED) or FAILED. */
export async function closeSweep(
  deps: { sweeps: SweepStore; queue: QueueStore; store: TrackingStore },
  sweep: SweepRecord,
  state: 'finished' | 'failed',
  note: string,
  now: number,
): Promise<{ best: TrialRecord | undefined; notes: string[] }> {
  const best = bestTrial(sweep.spec, deps.sweeps.trials(sweep.sweepId));
  const bestRun = best ? trialItems(deps.queue, sweep.sweepId, best.number).find((i) => i.state === 'finished' && i.runId)?.runId : undefined;
  deps.sweeps.setState(sweep.sweepId, state, note);
  const notes = await endParentRun(
    deps.store, sweep.parentRunId, state === 'finished' ? 'FINISHED' : 'FAILED', now,
    best ? { metric: sweep.spec.objective.metric, value: best.value as number, trial: best.number, ...(bestRun ? { runId: bestRun } : {}) } : undefined,
  );
  return { best, notes };
}
