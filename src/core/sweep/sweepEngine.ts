// The sweep engine: makes trials (grid and random in TypeScript, bayes through Optuna's ask and
// tell), one queue item per (trial, seed), keeps `parallelism` + 1 trials queued or running,
// settles each trial from its items (sweepTrials.ts), tells Optuna, prunes (sweepPruning.ts), and
// ends the sweep and its parent run when the budget is spent. All it knows is in the store, so
// any engine can pick a sweep up: one owns it at a time (heartbeat; taken over when stale for
// 30 s), settles what ended meanwhile, retries once a trial whose worker died (none is lost) and
// never repeats a finished one. Work on a sweep is serialized; onItemEnded and tick never throw.
import { randomUUID } from 'node:crypto';
import { errorMessage } from '../../shared/errorMessage.ts';
import { isProcessAlive } from '../launch/processes.ts';
import type { QueueStore } from '../queue/queueStore.ts';
import type { QueueItem } from '../queue/types.ts';
import type { TrackingStore } from '../store/trackingStore.ts';
import { KeyedLock } from './keyedLock.ts';
import { checkOptuna } from './optunaDriver.ts';
import { gridConfigs } from './space.ts';
import { bestTrial, closeSweep, createParentRun, endParentRun } from './sweepParent.ts';
import { SweepPruning } from './sweepPruning.ts';
import type { SweepStore } from './sweepStore.ts';
import { SweepStudies } from './sweepStudies.ts';
import { activeItemCount, deadlineOf, isTrialActive, recoverDeadWorkerItems, settledTrial, trialItems, trialLimit } from './sweepTrials.ts';
import { cancelUnstarted, ObjectiveReads, requeueOpenItems, stopSiblings, stopSweepItems, storeResolves } from './sweepItems.ts';
import { nextTrialConfig, queueMissingSeeds, queueTrialItems } from './sweepFill.ts';
import type { ResolvedRecipe } from './trialLaunch.ts';
import type { SweepRecord, SweepSpec, TrialConfig, TrialRecord } from './types.ts';

/** An owner not seen for this long may be replaced. */
export const SWEEP_OWNER_STALE_MS = 30_000;

export interface SweepEngineOptions {
  readonly queue: QueueStore;
  readonly sweeps: SweepStore;
  readonly storeFor: (target: string) => TrackingStore;
  /** Unique per engine (a window's session id, `cli-<pid>`). */
  readonly owner: string;
  readonly python: () => string;
  readonly cwd: string;
  readonly resolveRecipe?: (name: string) => ResolvedRecipe | undefined;
  readonly stopItem: (itemId: number, reason: 'pruned' | 'cancelled') => Promise<void>;
  readonly now?: () => number;
  readonly onChange?: (sweepId: string) => void;
  readonly onSweepEnded?: (sweep: SweepRecord, best: TrialRecord | undefined) => void;
  readonly log?: (line: string) => void;
  /** Whether a worker's process lives (recovery of dead workers' items); default: a signal-0 probe. */
  readonly isAlive?: (pid: number) => boolean;
  /** The queue pool every item of the sweeps this engine starts goes to (default '': the editor windows' shared pool). */
  readonly pool?: string;
  /**
   * Which sweeps this engine may take over on its own (resumeAll, a stale owner); default: every
   * one. start() and resume(sweepId) drive their sweep whatever this says.
   */
  readonly drives?: (sweep: SweepRecord) => boolean;
}

export class SweepEngine {
  private readonly options: SweepEngineOptions;
  private readonly now: () => number;
  private readonly pool: string;
  private readonly owned = new Set<string>();
  private readonly locks = new KeyedLock();
  private readonly studies: SweepStudies;
  private readonly pruning: SweepPruning;
  private readonly grids = new Map<string, TrialConfig[]>();
  /** Consecutive failures to make a trial, per sweep: after a few the sweep fails instead of spinning. */
  private readonly fillFailures = new Map<string, number>();
  private readonly reads: ObjectiveReads;
  private disposed = false;

  constructor(options: SweepEngineOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
    this.pool = options.pool ?? '';
    const log = (line: string) => this.log(line);
    this.reads = new ObjectiveReads(this.now, log);
    this.studies = new SweepStudies({ queue: options.queue, python: options.python, storeFor: options.storeFor, log });
    this.pruning = new SweepPruning({ queue: options.queue, sweeps: options.sweeps, storeFor: options.storeFor, stopItem: options.stopItem, studies: this.studies, log });
  }

  /** Creates the sweep and its parent run, and queues its first trials. Bayes without Optuna: an Error with the install line. */
  async start(spec: SweepSpec, file: string, options: { target?: string } = {}): Promise<SweepRecord> {
    if (this.disposed) throw new Error('The sweep engine was disposed.');
    if (spec.method === 'bayes') {
      const optuna = await checkOptuna(this.options.python());
      if (!optuna.ok) throw new Error(optuna.message);
    }
    const target = options.target ?? '';
    const sweepId = randomUUID();
    const parent = await createParentRun(this.options.storeFor(target), spec, sweepId, this.now());
    this.options.sweeps.create({ sweepId, name: spec.name, file, spec, parallelism: spec.parallelism, target, pool: this.pool, parentRunId: parent.runId, experimentId: parent.experimentId });
    this.options.sweeps.takeOwnership(sweepId, this.options.owner, SWEEP_OWNER_STALE_MS);
    this.owned.add(sweepId);
    await this.locked(sweepId, () => this.fill(sweepId, true));
    this.changed(sweepId);
    return this.options.sweeps.get(sweepId) as SweepRecord;
  }

  /** A queue item ended (in any runner): its trial is settled and more trials are queued. */
  async onItemEnded(item: QueueItem): Promise<void> {
    const sweepId = item.sweepId;
    if (!sweepId || this.disposed) return;
    await this.guard(`sweep ${sweepId}: after item ${item.itemId}`, () => this.locked(sweepId, () => this.settle(sweepId, item.trialNumber)));
  }

  /** Every few seconds: heartbeats, takeovers of stale sweeps, trials that ended elsewhere, early stopping, the time budget. */
  async tick(): Promise<void> {
    if (this.disposed) return;
    await this.guard('sweep tick', async () => {
      this.adopt();
      for (const sweepId of [...this.owned]) {
        // A read and a heartbeat (no change_seq bump, so views do not refresh for it).
        if (this.options.sweeps.owner(sweepId)?.owner !== this.options.owner) {
          this.log(`sweep ${sweepId}: another window or process drives it now.`);
          await this.letGo(sweepId, false);
          continue;
        }
        const held = this.options.sweeps.get(sweepId);
        if (held && !storeResolves(this.options.storeFor, held)) {
          // Heart-beating a sweep it cannot settle would keep every other engine from it (M3).
          this.log(`sweep ${held.name}: its store cannot be opened here; let go.`);
          await this.letGo(sweepId, true);
          continue;
        }
        this.options.sweeps.heartbeat(sweepId, this.options.owner);
        await this.guard(`sweep ${sweepId}`, () =>
          this.locked(sweepId, async () => {
            await this.settle(sweepId);
            const sweep = this.options.sweeps.get(sweepId);
            if (sweep?.state === 'running' && sweep.spec.earlyStopping) {
              if (await this.pruning.check(sweep)) this.changed(sweepId);
            }
          }),
        );
      }
    });
  }

  /** At startup: ends dead workers' items, and takes over the running sweeps nobody drives (or this owner drove before). */
  async resumeAll(): Promise<void> {
    if (this.disposed) return;
    await this.guard('sweep resume', async () => {
      this.options.queue.recoverDeadWorkers(this.options.isAlive ?? isProcessAlive);
      this.adopt();
      for (const sweepId of [...this.owned]) await this.guard(`sweep ${sweepId}: resume`, () => this.locked(sweepId, () => this.settle(sweepId)));
      // Stopped sweeps whose last trials ended while nobody watched.
      for (const sweep of this.options.sweeps.list()) {
        if (sweep.state !== 'running' && this.options.sweeps.trials(sweep.sweepId).some((t) => isTrialActive(t.state))) {
          await this.guard(`sweep ${sweep.sweepId}: settle`, () => this.locked(sweep.sweepId, () => this.settle(sweep.sweepId)));
        }
      }
    });
  }

  /** Cancels the queued trials, stops the running ones, and ends the parent run as KILLED. */
  async stop(sweepId: string): Promise<void> {
    await this.locked(sweepId, async () => {
      const sweep = this.options.sweeps.get(sweepId);
      if (!sweep) throw new Error(`No sweep ${sweepId}.`);
      if (sweep.state !== 'running' && sweep.state !== 'paused') return;
      this.options.sweeps.setState(sweepId, 'stopped', 'stopped by the user');
      await stopSweepItems(this.options.queue, sweep, this.options.stopItem, (line) => this.log(line));
      await this.settle(sweepId);
      const notes = await endParentRun(this.options.storeFor(sweep.target), sweep.parentRunId, 'KILLED', this.now());
      for (const note of notes) this.log(`sweep ${sweep.name}: ${note}`);
      await this.letGo(sweepId, true);
    });
    this.changed(sweepId);
  }

  /**
   * Holds the sweep (Ctrl-C in `labbook sweep run`): queued items are cancelled and running ones
   * stopped, but their trials stay open, so resume() runs them again. Nobody adopts a paused sweep.
   */
  async pause(sweepId: string): Promise<void> {
    await this.locked(sweepId, async () => {
      const sweep = this.options.sweeps.get(sweepId);
      if (sweep?.state !== 'running') return;
      this.options.sweeps.setState(sweepId, 'paused', 'paused; resume it to go on');
      await stopSweepItems(this.options.queue, sweep, this.options.stopItem, (line) => this.log(line));
      await this.letGo(sweepId, true);
    });
    this.changed(sweepId);
  }

  /** Drives a paused sweep (or a running one whose owner is stale) again; false when another owner holds it. */
  async resume(sweepId: string): Promise<boolean> {
    const resumed = await this.locked(sweepId, async () => {
      const sweep = this.options.sweeps.get(sweepId);
      if (!sweep || (sweep.state !== 'running' && sweep.state !== 'paused')) return false;
      if (!this.options.sweeps.takeOwnership(sweepId, this.options.owner, SWEEP_OWNER_STALE_MS)) return false;
      this.owned.add(sweepId);
      // This engine's runners run its items from now on (a CLI's sweep resumed in a window, or back).
      if ((sweep.pool ?? '') !== this.pool) this.options.sweeps.setPool(sweepId, this.pool);
      const open = this.options.sweeps.trials(sweepId).filter((t) => isTrialActive(t.state));
      requeueOpenItems(this.options.queue, sweepId, open.map((t) => t.number), sweep.state === 'paused', this.pool);
      if (sweep.state === 'paused') this.options.sweeps.setState(sweepId, 'running', '');
      await this.settle(sweepId);
      return true;
    });
    this.changed(sweepId);
    return resumed;
  }

  /** Stops driving: the Optuna drivers end and the sweeps are let go (another engine may take them at once). */
  async dispose(): Promise<void> {
    this.disposed = true;
    await this.locks.drain();
    await this.studies.closeAll();
    for (const sweepId of this.owned) {
      try {
        this.options.sweeps.release(sweepId, this.options.owner);
      } catch (err) {
        this.log(`sweep ${sweepId}: not released (${errorMessage(err)})`);
      }
    }
    this.owned.clear();
  }

  /** The sweeps this engine drives now. */
  ownedSweeps(): readonly string[] {
    return [...this.owned];
  }

  private async letGo(sweepId: string, release: boolean): Promise<void> {
    this.owned.delete(sweepId);
    await this.studies.close(sweepId);
    if (release) this.options.sweeps.release(sweepId, this.options.owner);
  }

  /**
   * Takes the running sweeps whose owner is this one or is stale, among those `drives` accepts
   * and whose store this engine can open: one it cannot settle is left to another (M3).
   */
  private adopt(): void {
    for (const sweep of this.options.sweeps.list()) {
      if (sweep.state !== 'running' || this.owned.has(sweep.sweepId)) continue;
      if (!this.drives(sweep) || !storeResolves(this.options.storeFor, sweep)) continue;
      if (this.options.sweeps.takeOwnership(sweep.sweepId, this.options.owner, SWEEP_OWNER_STALE_MS)) {
        this.owned.add(sweep.sweepId);
        this.log(`sweep ${sweep.name}: resumed (${this.options.sweeps.trials(sweep.sweepId).filter((t) => !isTrialActive(t.state)).length} trials done).`);
      }
    }
  }

  /**
   * Brings the trials up to date with their items (one trial, or every unsettled one), tells
   * Optuna about the ended ones, then queues more or ends the sweep. Only the owner does this for
   * a running sweep; an ended sweep's trials may be settled by anyone (nothing else follows).
   */
  private async settle(sweepId: string, trialNumber?: number): Promise<void> {
    const sweep = this.options.sweeps.get(sweepId);
    if (!sweep) return;
    const owner = this.owned.has(sweepId);
    // A paused sweep's trials stay open (their items ended by the pause run again on resume).
    if (sweep.state === 'paused' || (sweep.state === 'running' && !owner)) return;
    const store = this.options.storeFor(sweep.target);
    const trials = this.options.sweeps.trials(sweepId);
    const pending = trials.filter((t) => (trialNumber === undefined ? isTrialActive(t.state) : t.number === trialNumber));
    let changed = false;
    for (const trial of pending) {
      if (owner && sweep.state === 'running') queueMissingSeeds(this.fillContext(sweep), trial);
      let items = trialItems(this.options.queue, sweepId, trial.number);
      const runStatus = (runId: string) => store.getRun(runId).then((r) => r.info.status as string, () => undefined);
      items = await recoverDeadWorkerItems(this.options.queue, items, runStatus, owner && sweep.state === 'running', (line) => this.log(`sweep ${sweep.name}: ${line}`));
      const next = await settledTrial(sweep.spec, trial, items, (runId) => this.reads.read(sweep, trial.number, store, runId), this.now());
      if (next === trial) continue;
      if (!isTrialActive(next.state)) this.reads.forget(sweepId, trial.number);
      this.options.sweeps.putTrial(next);
      changed = true;
      if (!isTrialActive(next.state)) {
        this.pruning.forget(items);
        this.log(`sweep ${sweep.name}: trial ${next.number} ${next.state}${next.value !== undefined ? ` (${sweep.spec.objective.metric} = ${next.value})` : ''}${next.state !== 'finished' && next.state !== 'pruned' && next.note ? `: ${next.note}` : ''}`);
        if (owner && sweep.spec.method === 'bayes') await this.studies.tell(sweep, next);
      } else if (items.some((i) => i.state !== 'queued' && i.state !== 'running')) {
        await stopSiblings(this.options.queue, sweep, items, this.options.stopItem, (line) => this.log(line));
      }
    }
    if (changed) this.changed(sweepId);
    if (owner && sweep.state === 'running') await this.fill(sweepId, false);
  }

  /** Queues trials while the budget allows, up to parallelism + 1 waiting or running; ends the sweep when all is done. */
  private async fill(sweepId: string, starting: boolean): Promise<void> {
    const sweep = this.options.sweeps.get(sweepId);
    if (!sweep || sweep.state !== 'running') return;
    const spec = sweep.spec;
    let trials = this.options.sweeps.trials(sweepId);
    const limit = trialLimit(spec, spec.method === 'grid' ? this.grid(sweep).length : undefined);
    const deadline = deadlineOf(spec, sweep.createdAt, sweep.pausedMs);
    // A trial recorded without all its items (a crash between the writes) gets the missing ones now.
    for (const trial of trials) if (trial.state === 'queued') queueMissingSeeds(this.fillContext(sweep), trial);
    if (this.now() >= deadline) cancelUnstarted(this.options.queue, sweep);
    let active = trials.filter((t) => isTrialActive(t.state)).length;
    while (active < sweep.parallelism + 1 && trials.length < limit && this.now() < deadline && !this.disposed) {
      let config: TrialConfig;
      try {
        config = await nextTrialConfig(sweep, trials.length, { grid: () => this.grid(sweep), studies: this.studies, trials });
        this.fillFailures.delete(sweepId);
      } catch (err) {
        const failures = (this.fillFailures.get(sweepId) ?? 0) + 1;
        this.fillFailures.set(sweepId, failures);
        if (starting || failures >= 3) {
          await this.end(sweep, 'failed', `no trial could be made: ${errorMessage(err)}`);
          if (starting) throw err;
          return;
        }
        this.log(`sweep ${sweep.name}: the next trial could not be made (${errorMessage(err)}); trying again.`);
        break;
      }
      const trial: TrialRecord = {
        sweepId, number: config.number, params: config.params, state: 'queued', createdAt: this.now(), note: '',
        ...(config.optunaNumber !== undefined ? { optunaNumber: config.optunaNumber } : {}),
      };
      this.options.sweeps.putTrial(trial);
      try {
        queueTrialItems(this.fillContext(sweep), trial);
      } catch (err) {
        this.options.sweeps.putTrial({ ...trial, state: 'failed', endedAt: this.now(), note: errorMessage(err) });
        await this.end(sweep, 'failed', errorMessage(err));
        if (starting) throw err;
        return;
      }
      trials = [...trials, trial];
      active++;
      this.changed(sweepId);
    }
    const more = trials.length < limit && this.now() < deadline;
    if (active === 0 && !more && activeItemCount(this.options.queue, sweepId) === 0) {
      const best = bestTrial(spec, trials);
      await this.end(sweep, best ? 'finished' : 'failed', best ? '' : `no trial finished with a value of ${spec.objective.metric}`);
    }
  }

  private async end(sweep: SweepRecord, state: 'finished' | 'failed', note: string): Promise<void> {
    const { best, notes } = await closeSweep({ sweeps: this.options.sweeps, queue: this.options.queue, store: this.options.storeFor(sweep.target) }, sweep, state, note, this.now());
    for (const line of notes) this.log(`sweep ${sweep.name}: ${line}`);
    this.log(`sweep ${sweep.name}: ${state}${best ? `; best trial ${best.number} (${sweep.spec.objective.metric} = ${best.value})` : ''}${note ? ` (${note})` : ''}.`);
    await this.letGo(sweep.sweepId, true);
    this.changed(sweep.sweepId);
    const ended = this.options.sweeps.get(sweep.sweepId) as SweepRecord;
    try {
      this.options.onSweepEnded?.(ended, best);
    } catch (err) {
      this.log(`sweep ${sweep.name}: the end listener failed (${errorMessage(err)})`);
    }
  }

  private drives(sweep: SweepRecord): boolean {
    try {
      return this.options.drives?.(sweep) ?? true;
    } catch (err) {
      this.log(`sweep ${sweep.name}: not adopted (${errorMessage(err)})`);
      return false;
    }
  }

  private fillContext(sweep: SweepRecord) {
    return { queue: this.options.queue, sweep, cwd: this.options.cwd, pool: this.pool, ...(this.options.resolveRecipe ? { resolveRecipe: this.options.resolveRecipe } : {}) };
  }

  private grid(sweep: SweepRecord): TrialConfig[] {
    let grid = this.grids.get(sweep.sweepId);
    if (!grid) {
      grid = gridConfigs(sweep.spec);
      this.grids.set(sweep.sweepId, grid);
    }
    return grid;
  }

  /** Runs `fn` after whatever this engine is doing on the same sweep. */
  private locked<T>(sweepId: string, fn: () => Promise<T>): Promise<T> {
    return this.locks.run(sweepId, fn);
  }

  private async guard(what: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      this.log(`${what}: ${errorMessage(err)}`);
    }
  }

  private changed(sweepId: string): void {
    try {
      this.options.onChange?.(sweepId);
    } catch (err) {
      this.log(`sweep change listener failed: ${errorMessage(err)}`);
    }
  }

  private log(line: string): void {
    try {
      this.options.log?.(line);
    } catch {
      // Logging must never break the engine.
    }
  }
}
