/** What the sweep panel (webview/sweep) draws: plain JSON built by core/sweep/sweepView.ts. */
import type { ParamValue, SweepMethod, SweepState, TrialState } from '../core/sweep/types.ts';

export type { ParamValue, SweepMethod, SweepState, TrialState } from '../core/sweep/types.ts';

export const SWEEP_VIEW_TYPE = 'labbook.sweep';

export interface SweepTrialView {
  readonly number: number;
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly state: TrialState;
  /** The objective (mean over its seeds' runs); null until one finished. */
  readonly value: number | null;
  /** The best objective among trials numbered up to this one, by the sweep's goal (null before the first). */
  readonly bestSoFar: number | null;
  /** One run per seed, in seed order. */
  readonly runIds: readonly string[];
  readonly durationMs: number | null;
  /** The early-stopping metric as it was reported (a pruned trial's curve ends where it was cut). */
  readonly intermediate: readonly { readonly step: number; readonly value: number }[];
  /** Why it was pruned or failed. */
  readonly note: string;
  /** A pruned trial: the last step it reported before it was cut (added by the sweep panel). */
  readonly prunedAtStep?: number;
}

export type SweepCounts = Readonly<Record<TrialState, number>>;

export interface SweepView {
  readonly sweepId: string;
  readonly name: string;
  /** The YAML it came from, as the user would write it ('' when none). */
  readonly file: string;
  readonly method: SweepMethod;
  readonly objective: { readonly metric: string; readonly goal: 'minimize' | 'maximize' };
  readonly state: SweepState;
  readonly parentRunId: string;
  /** The explorer root (store) the runs are in. */
  readonly store: string;
  readonly counts: SweepCounts;
  readonly budget: { readonly trials: number | null; readonly minutes: number | null };
  readonly startedAt: string;
  readonly endedAt: string | null;
  /** In the sweep file's order, with how each is drawn on an axis. */
  readonly params: readonly { readonly name: string; readonly kind: 'number' | 'log' | 'categorical'; readonly values?: readonly ParamValue[] }[];
  readonly trials: readonly SweepTrialView[];
  readonly best: { readonly number: number; readonly value: number; readonly runIds: readonly string[] } | null;
  readonly earlyStopping: string | null;
  /** The metric the trials' intermediate curves are of (the early-stopping metric, else the objective; added by the sweep panel). */
  readonly curveMetric?: string;
  readonly note: string;
}

/** Parameter importance: which method computed it, or why there is none. */
export type ImportanceView =
  | { readonly method: string; readonly values: readonly { readonly param: string; readonly importance: number }[]; readonly trials: number }
  | { readonly method: null; readonly reason: string; readonly fix?: string };
