/** Contract between the host and the drift panel (webview/drift). */
import type { ColumnDrift, DRIFT_FORMAT as CORE_DRIFT_FORMAT, DriftReport, DriftTest } from '../core/drift/types.ts';
import { arrayOf, BadParamsError, conforms, defineRequest, NO_PARAMS, nonEmptyString, nullable, numberAtLeast, object, oneOf, optional, type Check, type RequestTable } from './requests.ts';
import { isRecord } from './rpc.ts';

export type { ColumnDrift, DriftReport, DriftSide, DriftTest, SchemaChange, SideSummary } from '../core/drift/types.ts';

export const DRIFT_VIEW_TYPE = 'labbook.drift';

/** The report format this build draws (core's DRIFT_FORMAT; the type keeps them equal). */
const DRIFT_FORMAT: typeof CORE_DRIFT_FORMAT = 'labbook.drift/1';

/** The tests' names as the page shows them: core's DRIFT_TEST_NAMES (webviews import only the protocol; a unit test keeps both equal). */
export const DRIFT_TEST_NAMES: Readonly<Record<DriftTest, string>> = {
  ks: 'Kolmogorov–Smirnov p-value',
  wasserstein: 'Wasserstein distance (normed)',
  psi: 'PSI',
  chisquare: 'chi-square p-value',
  jensenshannon: 'Jensen–Shannon distance',
};

/** core's DRIFT_WHEN_BELOW: p-values drift below their threshold, distances above. */
export const DRIFT_WHEN_BELOW: Readonly<Record<DriftTest, boolean>> = { ks: true, chisquare: true, wasserstein: false, psi: false, jensenshannon: false };

export const DRIFT_TESTS = ['ks', 'wasserstein', 'psi', 'chisquare', 'jensenshannon'] as const satisfies readonly DriftTest[];

/**
 * One side of a comparison, as the user picked it: a file (absolute path), a run's tabular input
 * (`file`: which one, relative to the run's working directory; absent: the first), or the
 * training data of the run behind a model alias (`models:/name@alias`).
 */
export type DriftSideRef =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'run'; readonly runId: string; readonly file?: string }
  | { readonly kind: 'alias'; readonly model: string; readonly alias: string; readonly file?: string };

/** What one panel compares; `store` (an explorer root id) is null when both sides are files. */
export interface DriftPanelSource {
  readonly store: string | null;
  readonly reference: DriftSideRef;
  readonly current: DriftSideRef;
  /** Runs evaluating the reference's model, oldest first (the current run last): their metrics make the model section's trends. */
  readonly evaluationRuns?: readonly string[];
}

/** The editable thresholds, kept per workspace. */
export interface DriftThresholds {
  readonly thresholds: Readonly<Record<DriftTest, number>>;
  readonly datasetShare: number;
}

/** A held-out metric a run (or runs) logged over time, against the value its model's training run logged. */
export interface MetricTrend {
  readonly key: string;
  /** The training run's value, drawn as a reference line; null when the training run has none. */
  readonly training: number | null;
  readonly points: readonly { readonly runId: string; readonly step: number; readonly timestamp: string; readonly value: number }[];
}

/** Model drift: shown only when the current side evaluates a model (metric trends or predictions). */
export interface ModelDriftView {
  readonly model: string | null;
  readonly trainingRunId: string | null;
  readonly metrics: readonly MetricTrend[];
  /** The prediction distribution of the training run against the current run's. */
  readonly predictions: ColumnDrift | null;
  readonly notes: readonly string[];
}

export interface DriftView {
  readonly report: DriftReport;
  readonly model: ModelDriftView | null;
  readonly thresholds: DriftThresholds;
}

const atLeastZero = numberAtLeast(0);
const testThresholds: Check<Record<DriftTest, number>> = object<Record<DriftTest, number>>({ ks: atLeastZero, wasserstein: atLeastZero, psi: atLeastZero, chisquare: atLeastZero, jensenshannon: atLeastZero });
/** A share of columns: from 0 to 1. */
const share: Check<number> = (value, field) => {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 1) return value;
  throw new BadParamsError(`'${field}' must be a number from 0 to 1`, field);
};
export const driftThresholds: Check<DriftThresholds> = object<DriftThresholds>({ thresholds: testThresholds, datasetShare: share });

export const SIDES = ['reference', 'current'] as const;
export type DriftSideName = (typeof SIDES)[number];

export const driftRequests = {
  /** The report, computed afresh with the workspace's thresholds. */
  getReport: defineRequest<null, DriftView>(NO_PARAMS),
  /** Keeps new thresholds for the workspace and answers with the report recomputed under them. */
  setThresholds: defineRequest<DriftThresholds, DriftView>({ thresholds: testThresholds, datasetShare: share }),
  /** Back to the defaults (Evidently's DataDriftPreset). */
  resetThresholds: defineRequest<null, DriftView>(NO_PARAMS),
  /** Opens a side's run in Run Details. */
  openRun: defineRequest<{ readonly side: DriftSideName }, null>({ side: oneOf(SIDES) }),
} satisfies RequestTable;
export type DriftRequests = typeof driftRequests;

/** `source`: after each ready, so the page keeps it for the restore. */
export type DriftEvent = { readonly type: 'source'; readonly source: DriftPanelSource };

/** Kept with getState/setState: the source revives the panel; the last view is drawn at once after a reload. */
export interface DriftState {
  readonly source: DriftPanelSource;
  readonly view: DriftView | null;
  readonly filter: string;
  readonly driftedOnly: boolean;
}

const sideRef: Check<DriftSideRef> = (value, field) => {
  const { kind } = object<{ kind: DriftSideRef['kind'] }>({ kind: oneOf(['file', 'run', 'alias'] as const) })(value, field);
  if (kind === 'file') return { kind, ...object<{ path: string }>({ path: nonEmptyString })(value, field) };
  if (kind === 'run') return { kind, ...object<{ runId: string; file?: string }>({ runId: nonEmptyString, file: optional(nonEmptyString) })(value, field) };
  return { kind, ...object<{ model: string; alias: string; file?: string }>({ model: nonEmptyString, alias: nonEmptyString, file: optional(nonEmptyString) })(value, field) };
};

/** One side, as a command argument must give it (Explorer menus pass a Uri and the selection instead). */
export const driftSideRef: Check<DriftSideRef> = sideRef;

/** Evaluation runs a source names at most. */
const MAX_EVALUATION_RUNS = 200;

export const driftPanelSource: Check<DriftPanelSource> = object<DriftPanelSource>({ store: nullable(nonEmptyString), reference: sideRef, current: sideRef, evaluationRuns: optional(arrayOf(nonEmptyString, { max: MAX_EVALUATION_RUNS })) });

/**
 * Whether a saved view reads as one this build draws: the fields the page walks are checked; the
 * page also draws inside a try, so a value of the wrong type deeper down drops the view, not the page.
 */
function isDriftView(value: unknown): value is DriftView {
  if (!isRecord(value) || !isRecord(value.report) || !conforms(driftThresholds, value.thresholds)) return false;
  const r = value.report;
  return (
    r.format === DRIFT_FORMAT &&
    Array.isArray(r.columns) &&
    r.columns.every((c) => isRecord(c) && typeof c.column === 'string' && isRecord(c.reference) && isRecord(c.current)) &&
    isRecord(r.dataset) &&
    isRecord(r.dataset.schema) &&
    Array.isArray(r.dataset.nullShareChanges) &&
    isRecord(r.reference) &&
    isRecord(r.current) &&
    Array.isArray(r.notes) &&
    (value.model === null || (isRecord(value.model) && Array.isArray(value.model.metrics)))
  );
}

/** What a saved page state gives back: its source when it names one, its last view only when it reads as one. */
export function readDriftState(value: unknown): { readonly source: DriftPanelSource | null; readonly view: DriftView | null; readonly filter: string; readonly driftedOnly: boolean } {
  if (!isRecord(value)) return { source: null, view: null, filter: '', driftedOnly: false };
  return {
    source: conforms(driftPanelSource, value.source) ? value.source : null,
    view: isDriftView(value.view) ? value.view : null,
    filter: typeof value.filter === 'string' ? value.filter : '',
    driftedOnly: value.driftedOnly === true,
  };
}

/** A side's short name, for titles and pickers. */
export function sideRefLabel(ref: DriftSideRef): string {
  if (ref.kind === 'file') return ref.path.split(/[\\/]/).pop() ?? ref.path;
  const file = ref.file ? ` ${ref.file.split(/[\\/]/).pop() ?? ref.file}` : '';
  return ref.kind === 'run' ? `run ${ref.runId.slice(0, 8)}${file}` : `${ref.model}@${ref.alias}${file}`;
}
