/** Contract between the host and the sweep panel (webview/sweep). */
import { defineRequest, integerBetween, NO_PARAMS, nonEmptyString, type RequestTable } from './requests.ts';
import { isRecord } from './rpc.ts';
import type { ImportanceView, SweepView } from './sweepTypes.ts';

export { SWEEP_VIEW_TYPE } from './sweepTypes.ts';
export type { ImportanceView, ParamValue, SweepCounts, SweepTrialView, SweepView, TrialState } from './sweepTypes.ts';

/** How many trials "Compare top N" may open at most (the Compare panel reads every run). */
export const MAX_COMPARE_TOP = 20;

export const sweepRequests = {
  /** The sweep as it is now. */
  getSweep: defineRequest<null, SweepView>(NO_PARAMS),
  /** Parameter importance over the finished trials, computed on demand (it runs Python). */
  getImportance: defineRequest<null, ImportanceView>(NO_PARAMS),
  /** Opens one trial run in Run Details. */
  openRun: defineRequest<{ readonly runId: string }, null>({ runId: nonEmptyString }),
  /** Opens the Compare panel with the runs of the best `n` finished trials. */
  compareTop: defineRequest<{ readonly n: number }, null>({ n: integerBetween(2, MAX_COMPARE_TOP) }),
  /** Opens the sweep's YAML in an editor. */
  openFile: defineRequest<null, null>(NO_PARAMS),
  /** Stops the sweep: no new trials; running ones are cancelled. */
  stopSweep: defineRequest<null, null>(NO_PARAMS),
} satisfies RequestTable;
export type SweepRequests = typeof sweepRequests;

/**
 * `source`: after each ready, so the page keeps its sweep id for the restore. `sweepChanged`: a
 * fresh view pushed when the store changed (the page keeps the whole state; no request needed).
 */
export type TableSort = 'number' | 'value';

export type SweepEvent = { readonly type: 'source'; readonly sweepId: string } | { readonly type: 'sweepChanged'; readonly view: SweepView };

/** Kept with getState/setState: the sweep id revives the panel; the last view is drawn at once after a reload. */
export interface SweepPanelState {
  readonly sweepId: string;
  readonly view: SweepView | null;
  readonly importance: ImportanceView | null;
  /** The trials table's order: by trial number, or best objective first. */
  readonly tableSort: TableSort;
}

/**
 * Whether a saved view reads as one this build draws: the fields the page walks are checked; the
 * page also draws inside a try, so a wrong value deeper down drops the view, not the page.
 */
export function isSweepView(value: unknown): value is SweepView {
  return (
    isRecord(value) &&
    typeof value.sweepId === 'string' &&
    typeof value.name === 'string' &&
    isRecord(value.objective) &&
    typeof value.objective.metric === 'string' &&
    (value.objective.goal === 'minimize' || value.objective.goal === 'maximize') &&
    isRecord(value.counts) &&
    isRecord(value.budget) &&
    Array.isArray(value.params) &&
    value.params.every((p) => isRecord(p) && typeof p.name === 'string' && typeof p.kind === 'string') &&
    Array.isArray(value.trials) &&
    value.trials.every((t) => isRecord(t) && typeof t.number === 'number' && typeof t.state === 'string' && isRecord(t.params) && Array.isArray(t.runIds) && Array.isArray(t.intermediate))
  );
}

function isImportanceView(value: unknown): value is ImportanceView {
  if (!isRecord(value)) return false;
  if (value.method === null) return typeof value.reason === 'string';
  return typeof value.method === 'string' && Array.isArray(value.values) && value.values.every((v) => isRecord(v) && typeof v.param === 'string' && typeof v.importance === 'number');
}

/** What a saved page state gives back: its sweep id when it names one, the rest only when it reads as this build's. */
export function readSweepPanelState(value: unknown): { readonly sweepId: string | null; readonly view: SweepView | null; readonly importance: ImportanceView | null; readonly tableSort: TableSort } {
  if (!isRecord(value)) return { sweepId: null, view: null, importance: null, tableSort: 'number' };
  const sweepId = typeof value.sweepId === 'string' && value.sweepId !== '' ? value.sweepId : null;
  const view = isSweepView(value.view) && value.view.sweepId === sweepId ? value.view : null;
  return {
    sweepId,
    view,
    importance: view && isImportanceView(value.importance) ? value.importance : null,
    tableSort: value.tableSort === 'value' ? 'value' : 'number',
  };
}
