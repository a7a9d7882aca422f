// What the engine does to a sweep's queue items apart from making them (sweepFill.ts): stopping
// them (the sweep stopped or paused, a seed of a trial ended badly, the time budget ran out), and
// reading a finished run's objective with retries, kept here so the engine reads as its steps.
import { errorMessage } from '../../shared/errorMessage.ts';
import type { QueueStore } from '../queue/queueStore.ts';
import type { QueueItem } from '../queue/types.ts';
import type { TrackingStore } from '../store/trackingStore.ts';
import { readObjective, setItemPool, trialItems, type ObjectiveRead } from './sweepTrials.ts';
import type { SweepRecord } from './types.ts';

type StopItem = (itemId: number, reason: 'pruned' | 'cancelled') => Promise<void>;

/** Cancels the sweep's queued items and stops its running ones. */
export async function stopSweepItems(queue: QueueStore, sweep: SweepRecord, stopItem: StopItem, log: (line: string) => void): Promise<void> {
  for (const item of queue.list({ sweepId: sweep.sweepId, states: ['queued', 'running'] })) {
    if (item.state === 'queued') queue.cancel(item.itemId);
    else await stopItem(item.itemId, 'cancelled').catch((err: unknown) => log(`sweep ${sweep.name}: item ${item.itemId} not stopped (${errorMessage(err)})`));
  }
}

/** One seed of a trial ended without finishing: the others cannot make it finish, so they stop too. */
export async function stopSiblings(queue: QueueStore, sweep: SweepRecord, items: readonly QueueItem[], stopItem: StopItem, log: (line: string) => void): Promise<void> {
  const first = items.find((i) => i.state !== 'queued' && i.state !== 'running' && i.state !== 'finished');
  if (!first) return;
  const reason = first.state === 'pruned' ? 'pruned' : 'cancelled';
  for (const item of items) {
    if (item.state === 'queued') queue.requestStop(item.itemId, reason);
    else if (item.state === 'running' && !item.stopRequested) await stopItem(item.itemId, reason).catch((err: unknown) => log(`sweep ${sweep.name}: item ${item.itemId} not stopped (${errorMessage(err)})`));
  }
}

/** Past the time budget, trials that have not started are not run. */
export function cancelUnstarted(queue: QueueStore, sweep: SweepRecord): void {
  for (const item of queue.list({ sweepId: sweep.sweepId, states: ['queued'] })) {
    if (item.attempts === 0) queue.cancel(item.itemId);
  }
}

/** Whether `storeFor` can open the sweep's tracking store (an engine not given a remote target cannot, so it must not drive the sweep). */
export function storeResolves(storeFor: (target: string) => TrackingStore, sweep: SweepRecord): boolean {
  try {
    storeFor(sweep.target);
    return true;
  } catch {
    return false;
  }
}

/**
 * On resume: the open trials' items a pause ended run again (as the same items), and their waiting
 * items move to `pool`, the resuming engine's runners.
 */
export function requeueOpenItems(queue: QueueStore, sweepId: string, trialNumbers: readonly number[], paused: boolean, pool: string): void {
  for (const number of trialNumbers) {
    for (const item of trialItems(queue, sweepId, number)) {
      const again = paused && (item.state === 'cancelled' || item.state === 'killed');
      if (again) queue.retry(item.itemId);
      if ((again || item.state === 'queued') && item.pool !== pool) setItemPool(queue, item.itemId, pool);
    }
  }
}

/** A finished run whose objective cannot be read is read again at each settle until both bounds pass; then its trial fails. */
export const OBJECTIVE_RETRY = { tries: 5, ms: 120_000 } as const;

/**
 * Objective reads with retries: a run that could not be read (the store unreachable, the run not
 * there yet) leaves its trial open for the next settle, rather than failing it for good; only
 * after OBJECTIVE_RETRY's tries and time does the trial fail, saying why.
 */
export class ObjectiveReads {
  private readonly retries = new Map<string, { tries: number; since: number }>();
  private readonly now: () => number;
  private readonly log: (line: string) => void;

  constructor(now: () => number, log: (line: string) => void) {
    this.now = now;
    this.log = log;
  }

  async read(sweep: SweepRecord, trialNumber: number, store: TrackingStore, runId: string): Promise<ObjectiveRead> {
    const read = await readObjective(store, runId, sweep.spec.objective.metric);
    if (!('transient' in read)) return read;
    const key = `${sweep.sweepId}#${trialNumber}`;
    const retry = this.retries.get(key) ?? { tries: 0, since: this.now() };
    retry.tries++;
    this.retries.set(key, retry);
    const waited = this.now() - retry.since;
    if (retry.tries >= OBJECTIVE_RETRY.tries && waited >= OBJECTIVE_RETRY.ms) {
      this.retries.delete(key);
      return { error: `${read.transient} (${retry.tries} tries in ${Math.round(waited / 1000)} s)` };
    }
    this.log(`sweep ${sweep.name}: trial ${trialNumber}: ${read.transient}; trying again.`);
    return read;
  }

  forget(sweepId: string, trialNumber: number): void {
    this.retries.delete(`${sweepId}#${trialNumber}`);
  }
}
