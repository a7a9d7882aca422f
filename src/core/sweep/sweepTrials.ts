// How a trial's queue items decide its state and value, kept apart from the engine so the rule
// reads in one place: a trial runs once per seed; it is finished when every seed's run finished
// with the objective logged (its value is their mean); otherwise the first item that ended any
// other way (pruned, failed, killed, cancelled) names its state, and the note says why.
import type { QueueStore } from '../queue/queueStore.ts';
import type { QueueItem } from '../queue/types.ts';
import type { TrackingStore } from '../store/trackingStore.ts';
import { errorFirstLine } from '../../shared/errorMessage.ts';
import type { SweepSpec, TrialRecord, TrialState } from './types.ts';

/** The error a queue gives an item whose worker died (QueueStore.recoverDeadWorkers). */
const WORKER_DIED = /worker \(pid \d+\) died/;

/** A crashed worker's item (not one the user or the program ended), worth one more try. */
export function diedWithWorker(item: QueueItem): boolean {
  return item.state === 'killed' && !item.stopRequested && WORKER_DIED.test(item.error ?? '');
}

/**
 * Items killed because their worker died: the run may have ended before its worker could record
 * it (its status in the store says how: that outcome stands); otherwise, when `retry` is allowed,
 * the item is put back once, so a crash loses no trial.
 */
export async function recoverDeadWorkerItems(
  queue: QueueStore,
  items: readonly QueueItem[],
  runStatus: (runId: string) => Promise<string | undefined>,
  retry: boolean,
  log: (line: string) => void,
): Promise<QueueItem[]> {
  const out: QueueItem[] = [];
  for (const item of items) {
    if (!diedWithWorker(item)) {
      out.push(item);
      continue;
    }
    const status = item.runId ? await runStatus(item.runId) : undefined;
    if (status === 'FINISHED' || status === 'FAILED') {
      out.push({ ...item, state: status === 'FINISHED' ? 'finished' : 'failed' });
      continue;
    }
    if (!retry || item.attempts >= 2) {
      out.push(item);
      continue;
    }
    try {
      out.push(queue.retry(item.itemId));
      log(`trial ${item.trialNumber} is queued again (${item.error}).`);
    } catch (err) {
      log(`item ${item.itemId} not retried (${errorFirstLine(err)})`);
      out.push(item);
    }
  }
  return out;
}

/** The items of one trial (one per seed), by item id. */
export function trialItems(queue: QueueStore, sweepId: string, trialNumber: number): QueueItem[] {
  const ids = queue.database
    .prepare('SELECT item_id FROM queue_items WHERE sweep_id = ? AND trial_number = ? ORDER BY item_id')
    .pluck()
    .all(sweepId, trialNumber) as number[];
  return ids.map((id) => queue.get(id)).filter((item): item is QueueItem => item !== undefined);
}

/** Moves a waiting item to another queue pool (the runners of the engine that drives its sweep now). */
export function setItemPool(queue: QueueStore, itemId: number, pool: string): void {
  queue.database.prepare(`UPDATE queue_items SET pool = ? WHERE item_id = ? AND state = 'queued'`).run(pool, itemId);
}

/** How many of the sweep's items wait or run. */
export function activeItemCount(queue: QueueStore, sweepId: string): number {
  const counts = queue.counts(sweepId);
  return counts.queued + counts.running;
}

const ITEM_TO_TRIAL: Readonly<Record<QueueItem['state'], TrialState>> = {
  queued: 'queued',
  running: 'running',
  finished: 'finished',
  failed: 'failed',
  killed: 'killed',
  pruned: 'pruned',
  cancelled: 'cancelled',
};

export function isTrialActive(state: TrialState): boolean {
  return state === 'queued' || state === 'running';
}

/**
 * What reading a finished run's objective gave: its value, why the run has none (`error`: it was
 * read and lacks it), or `transient` when the run could not be read at all (the store was
 * unreachable, the run not there yet), which is worth another try rather than a failed trial.
 */
export type ObjectiveRead = { value: number } | { error: string } | { transient: string };

/** The objective a finished run logged (its latest value), or why there is none. */
export async function readObjective(store: TrackingStore, runId: string, metric: string): Promise<ObjectiveRead> {
  let run;
  try {
    run = await store.getRun(runId);
  } catch (err) {
    return { transient: `run ${runId} not read: ${errorFirstLine(err)}` };
  }
  const found = run.data.metrics.find((m) => m.key === metric);
  if (!found) return { error: `run ${runId} finished without logging ${metric}` };
  if (!Number.isFinite(found.value)) return { error: `run ${runId} logged ${metric} = ${found.value}` };
  return { value: found.value };
}

function itemWhy(item: QueueItem): string {
  const label = item.seed !== undefined ? `seed ${item.seed}` : `run ${item.runId ?? `item ${item.itemId}`}`;
  switch (item.state) {
    case 'failed':
      return `${label} failed${item.error ? `: ${item.error}` : ''}`;
    case 'killed':
      return `${label} was killed${item.error ? ` (${item.error})` : ''}`;
    case 'cancelled':
      return `${label} was cancelled${item.error ? ` (${item.error})` : ''}`;
    case 'pruned':
      return `${label} was pruned${item.error ? ` (${item.error})` : ''}`;
    default:
      return label;
  }
}

/**
 * The trial as its items say it is now (the record unchanged when nothing changed). `objective`
 * reads a finished run's value (a transient failure leaves the trial as it is). An ended trial keeps the note the engine set while it ran (a
 * pruning decision says at which step and why).
 */
export async function settledTrial(
  spec: SweepSpec,
  trial: TrialRecord,
  items: readonly QueueItem[],
  objective: (runId: string) => Promise<ObjectiveRead>,
  now: number,
): Promise<TrialRecord> {
  if (items.length === 0) return trial;
  if (!isTrialActive(trial.state)) {
    // An ended trial changes only when one of its items ran again since (Retry in the Queue view).
    if (!items.some((i) => i.state === 'queued' || i.state === 'running' || (i.endedAt ?? 0) > (trial.endedAt ?? 0))) return trial;
    trial = withoutValue({ ...trial, note: '' });
  }
  if (items.some((i) => i.state === 'running')) return trial.state === 'running' ? trial : { ...trial, state: 'running' };
  if (items.some((i) => i.state === 'queued')) {
    // Some seeds ran already: the trial is under way.
    const state: TrialState = items.some((i) => i.startedAt !== undefined) ? 'running' : 'queued';
    return trial.state === state ? trial : { ...trial, state };
  }
  const endedAt = Math.max(...items.map((i) => i.endedAt ?? now));
  const unfinished = items.filter((i) => i.state !== 'finished').sort((a, b) => (a.endedAt ?? now) - (b.endedAt ?? now) || a.itemId - b.itemId);
  const first = unfinished[0];
  if (first) {
    const why = itemWhy(first);
    const note = trial.note && first.state === 'pruned' ? trial.note : trial.note ? `${trial.note}; ${why}` : why;
    return withoutValue({ ...trial, state: ITEM_TO_TRIAL[first.state], endedAt, note });
  }
  const values: number[] = [];
  for (const item of items) {
    if (!item.runId) return withoutValue({ ...trial, state: 'failed', endedAt, note: `item ${item.itemId} finished without a run` });
    const result = await objective(item.runId);
    // Not read this time: the trial stays open, and the next settle reads again.
    if ('transient' in result) return trial;
    if ('error' in result) return withoutValue({ ...trial, state: 'failed', endedAt, note: `${result.error} (the objective: ${spec.objective.goal} ${spec.objective.metric})` });
    values.push(result.value);
  }
  const value = values.reduce((a, b) => a + b, 0) / values.length;
  return { ...trial, state: 'finished', value, endedAt };
}

function withoutValue(trial: TrialRecord): TrialRecord {
  const { value: _dropped, ...rest } = trial;
  return rest;
}

/** How many trials the sweep may make: the budget's count; a grid at most its size. */
export function trialLimit(spec: SweepSpec, gridSize: number | undefined): number {
  const budget = spec.budget.trials;
  if (spec.method === 'grid') return Math.min(gridSize ?? 0, budget ?? Number.POSITIVE_INFINITY);
  if (budget !== undefined) return budget;
  // Only a time budget: trials go on until it runs out.
  return spec.budget.minutes !== undefined ? Number.POSITIVE_INFINITY : 0;
}

/** When no new trial may be queued any more (ms since the epoch), by the time budget; the time the sweep spent paused does not count. */
export function deadlineOf(spec: SweepSpec, createdAt: number, pausedMs = 0): number {
  return spec.budget.minutes !== undefined ? createdAt + pausedMs + spec.budget.minutes * 60_000 : Number.POSITIVE_INFINITY;
}
