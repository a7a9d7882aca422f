// The Optuna studies of the bayes sweeps this engine drives: one driver per sweep, started on
// first use with every trial the store has replayed (finished ones with their value and the
// early-stopping curve the pruner compares against; running ones as RUNNING, so they can still be
// told), and restarted the same way when it dies. Which Optuna trial is which sweep trial is kept
// here, since a restarted study numbers its trials afresh.
import { errorFirstLine } from '../../shared/errorMessage.ts';
import type { QueueStore } from '../queue/queueStore.ts';
import type { TrackingStore } from '../store/trackingStore.ts';
import { driverParams, OptunaDriver, type ReplayTrial } from './optunaDriver.ts';
import { trialItems } from './sweepTrials.ts';
import type { SweepRecord, TrialRecord } from './types.ts';

export interface Study {
  readonly driver: OptunaDriver;
  /** Sweep trial number → Optuna trial number in this driver's study. */
  readonly numbers: Map<number, number>;
  /** Sweep trial number → the steps already reported. */
  readonly reported: Map<number, Set<number>>;
}

export interface SweepStudiesOptions {
  readonly queue: QueueStore;
  readonly python: () => string;
  readonly storeFor: (target: string) => TrackingStore;
  readonly log: (line: string) => void;
}

function replayState(trial: TrialRecord): ReplayTrial['state'] | undefined {
  switch (trial.state) {
    case 'finished':
      return trial.value !== undefined ? 'complete' : 'fail';
    case 'pruned':
      return 'pruned';
    case 'queued':
    case 'running':
      return 'running';
    default:
      return 'fail';
  }
}

export class SweepStudies {
  private readonly options: SweepStudiesOptions;
  private readonly studies = new Map<string, Promise<Study>>();

  constructor(options: SweepStudiesOptions) {
    this.options = options;
  }

  /** The sweep's study, started (and its trials replayed) when there is none or it died. */
  async get(sweep: SweepRecord, trials: readonly TrialRecord[]): Promise<Study> {
    const current = this.studies.get(sweep.sweepId);
    if (current) {
      const study = await current.catch(() => undefined);
      if (study?.driver.alive) return study;
      this.studies.delete(sweep.sweepId);
      if (study) this.options.log(`sweep ${sweep.name}: the Optuna driver ended; restarting it with the ${trials.length} trials replayed.`);
    }
    const started = this.start(sweep, trials);
    this.studies.set(sweep.sweepId, started);
    started.catch(() => this.studies.delete(sweep.sweepId));
    return started;
  }

  /** The study when one is running (no start). */
  async peek(sweepId: string): Promise<Study | undefined> {
    const study = await this.studies.get(sweepId)?.catch(() => undefined);
    return study?.driver.alive ? study : undefined;
  }

  /** Tells the running study how a trial ended; without one, the next study replays it from the store. */
  async tell(sweep: SweepRecord, trial: TrialRecord): Promise<void> {
    try {
      const study = await this.peek(sweep.sweepId);
      const number = study?.numbers.get(trial.number);
      if (!study || number === undefined) return;
      const state = trial.state === 'finished' && trial.value !== undefined ? 'complete' : trial.state === 'pruned' ? 'pruned' : 'fail';
      await study.driver.tell(number, state === 'complete' ? { state, value: trial.value } : { state });
    } catch (err) {
      // The store has it: a restarted driver replays it.
      this.options.log(`sweep ${sweep.name}: Optuna was not told of trial ${trial.number} (${errorFirstLine(err)}); it will be replayed.`);
      await this.close(sweep.sweepId);
    }
  }

  async close(sweepId: string): Promise<void> {
    const study = await this.studies.get(sweepId)?.catch(() => undefined);
    this.studies.delete(sweepId);
    await study?.driver.close();
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.studies.keys()].map((id) => this.close(id)));
  }

  private async start(sweep: SweepRecord, trials: readonly TrialRecord[]): Promise<Study> {
    const spec = sweep.spec;
    const replay: ReplayTrial[] = [];
    for (const trial of trials) {
      const state = replayState(trial);
      if (!state) continue;
      const intermediate = spec.earlyStopping ? await this.curve(sweep, trial.number, spec.earlyStopping.metric) : undefined;
      replay.push({ key: trial.number, params: trial.params, state, ...(state === 'complete' ? { value: trial.value } : {}), ...(intermediate ? { intermediate } : {}) });
    }
    const driver = await OptunaDriver.start(this.options.python(), {
      direction: spec.objective.goal,
      sampler: spec.sampler,
      // A restarted study must not draw its first samples again (TPE's startup trials are random):
      // the seed moves on with the trials replayed, the same way on every restart (numpy wants it ≥ 0).
      seed: (((spec.samplerSeed + 7919 * replay.length) % 2 ** 31) + 2 ** 31) % 2 ** 31,
      ...(spec.earlyStopping ? { pruner: spec.earlyStopping } : {}),
      params: driverParams(spec),
      trials: replay,
    });
    for (const skipped of driver.skipped) this.options.log(`sweep ${sweep.name}: trial ${skipped.key} left out of the Optuna study (${skipped.error}).`);
    const reported = new Map<number, Set<number>>();
    for (const r of replay) if (r.intermediate) reported.set(r.key, new Set(Object.keys(r.intermediate).map(Number)));
    return { driver, numbers: new Map(driver.numbers), reported };
  }

  /** The early-stopping metric of the trial's first run, by step (undefined when there is none). */
  private async curve(sweep: SweepRecord, trialNumber: number, metric: string): Promise<Record<string, number> | undefined> {
    const runId = trialItems(this.options.queue, sweep.sweepId, trialNumber).find((i) => i.runId)?.runId;
    if (!runId) return undefined;
    try {
      const history = await this.options.storeFor(sweep.target).getMetricHistory(runId, metric);
      if (history.length === 0) return undefined;
      const byStep: Record<string, number> = {};
      for (const m of history) if (Number.isFinite(m.value)) byStep[String(m.step)] = m.value;
      return byStep;
    } catch (err) {
      this.options.log(`sweep ${sweep.name}: the ${metric} history of run ${runId} was not read (${errorFirstLine(err)}).`);
      return undefined;
    }
  }
}
