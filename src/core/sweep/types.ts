// A sweep: a search over a program's parameters, run as many tracked runs through the queue.
// The definition lives in `.labbook/sweeps/<name>.yaml` (schemas/sweep.schema.json); these are
// its parsed, defaulted form and the records the engine keeps in the local store.

export type ParamValue = string | number | boolean;

/** A parameter exists in a configuration only when another one has one of these values. */
export interface ParamCondition {
  readonly param: string;
  readonly in: readonly ParamValue[];
}

export type ParamSpec =
  | { readonly type: 'categorical'; readonly values: readonly ParamValue[]; readonly when?: ParamCondition }
  /** Inclusive bounds. `step` for a grid and for Optuna's stepped distributions; `log` samples log-uniformly. */
  | { readonly type: 'int'; readonly low: number; readonly high: number; readonly step?: number; readonly log?: boolean; /** A grid's values: this many evenly spaced (geometric when `log`) ints; default every `step`. */ readonly gridPoints?: number; readonly when?: ParamCondition }
  /** Inclusive bounds. A grid takes `gridPoints` values (default 5), evenly spaced (geometrically when `log`), or every `step`. */
  | { readonly type: 'float'; readonly low: number; readonly high: number; readonly step?: number; readonly log?: boolean; readonly gridPoints?: number; readonly when?: ParamCondition };

export type SweepMethod = 'grid' | 'random' | 'bayes';

/**
 * What each trial runs. Script: the trial's params are appended to `args` as `--name=value`
 * (`paramStyle: 'flags'`, the default), `name=value` (`'hydra'`), or not at all (`'none'`: the
 * script reads them from the LABBOOK_TRIAL_PARAMS JSON variable, which is always set). Notebook:
 * merged into `parameters`. Recipe: a recipe of `.labbook/runs.json`, whose args/parameters the
 * params are added to as for its kind.
 */
export type SweepProgram =
  | { readonly kind: 'script'; readonly file: string; readonly args?: readonly string[]; readonly python?: string }
  | { readonly kind: 'notebook'; readonly file: string; readonly parameters?: Readonly<Record<string, unknown>>; readonly python?: string }
  | { readonly kind: 'recipe'; readonly recipe: string };

export type ParamStyle = 'flags' | 'hydra' | 'none';

export interface SweepObjective {
  readonly metric: string;
  readonly goal: 'minimize' | 'maximize';
}

export type EarlyStopping =
  /** Optuna's MedianPruner: prune at a step when the trial's value there is worse than the median of earlier trials' values at that step. */
  | { readonly rule: 'median'; readonly metric: string; readonly startupTrials: number; readonly warmupSteps: number; readonly minTrials: number }
  /** Optuna's SuccessiveHalvingPruner (asynchronous, ASHA): rungs at minResource·reductionFactor^k steps. */
  | { readonly rule: 'asha'; readonly metric: string; readonly minResource: number; readonly reductionFactor: number; readonly minEarlyStoppingRate: number };

export interface SweepBudget {
  /** Trials at most (a grid defaults to its size). */
  readonly trials?: number;
  /** Minutes of the sweep running (paused time excluded) after which no new trial is queued. */
  readonly minutes?: number;
}

/** A parsed and defaulted sweep definition. */
export interface SweepSpec {
  readonly name: string;
  readonly description?: string;
  /** The experiment the trials (and their parent run) go to; default: the sweep's name. */
  readonly experiment?: string;
  readonly program: SweepProgram;
  readonly paramStyle: ParamStyle;
  /** Ordered: a conditional param comes after the one it depends on. */
  readonly parameters: Readonly<Record<string, ParamSpec>>;
  readonly method: SweepMethod;
  readonly objective: SweepObjective;
  readonly budget: SweepBudget;
  /** Trials running at once for this sweep (also capped by the queue's workers). Default 2. */
  readonly parallelism: number;
  /** Each configuration runs once per seed, passed as the param `seedParam` (default `seed`). Empty: once, no seed param. */
  readonly seeds: readonly number[];
  readonly seedParam: string;
  /** The random/bayes sampler's seed, so a sweep can be repeated. Default 0. */
  readonly samplerSeed: number;
  /** Bayes: Optuna's sampler (default tpe). */
  readonly sampler: 'tpe' | 'random' | 'gp' | 'cmaes';
  readonly earlyStopping?: EarlyStopping;
  /** Extra variables for every trial's process. */
  readonly env?: Readonly<Record<string, string>>;
  /** labbook.dataPaths for every trial. */
  readonly dataPaths?: readonly string[];
}

/** One configuration to try. With seeds, a trial runs once per seed and its value is their mean. */
export interface TrialConfig {
  readonly number: number;
  readonly params: Readonly<Record<string, ParamValue>>;
  /** Optuna's trial number (bayes). */
  readonly optunaNumber?: number;
}

export type TrialState = 'queued' | 'running' | 'finished' | 'failed' | 'killed' | 'pruned' | 'cancelled';

export type SweepState = 'running' | 'paused' | 'finished' | 'stopped' | 'failed';

/** What the store keeps of a sweep (table `sweeps`). */
export interface SweepRecord {
  readonly sweepId: string;
  readonly name: string;
  /** The YAML it came from (workspace-relative or absolute), '' when none. */
  readonly file: string;
  readonly spec: SweepSpec;
  readonly state: SweepState;
  readonly parallelism: number;
  readonly parentRunId: string;
  readonly experimentId: string;
  /** Where the trials log: '' for the local store, else the remote server's root id (host) or URI (CLI). */
  readonly target: string;
  /** The queue pool its items go to: '' for the editor windows' shared pool, 'cli' for a `labbook sweep run` (always set by SweepStore). */
  readonly pool?: string;
  readonly createdAt: number;
  readonly endedAt?: number;
  /** Time spent paused (ms), which the time budget does not count (always set by SweepStore). */
  readonly pausedMs?: number;
  /** When the current pause began (ms since the epoch); undefined unless paused. */
  readonly pausedAt?: number;
  readonly note: string;
}

/** What the store keeps of a trial (table `sweep_trials`). */
export interface TrialRecord {
  readonly sweepId: string;
  readonly number: number;
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly state: TrialState;
  /** The objective (the mean over its seeds' runs); undefined until one finished. */
  readonly value?: number;
  readonly optunaNumber?: number;
  readonly createdAt: number;
  readonly endedAt?: number;
  readonly note: string;
}

/** Problems found in a sweep file, each with where it is. */
export interface SweepFileProblem {
  readonly message: string;
  /** 0-based line and column of the offending node. */
  readonly line: number;
  readonly column: number;
  readonly path: string;
}
