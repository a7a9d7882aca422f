/** Contract between the host and the Run Comparison panel (webview/compare). */
import type {
  CompareGroup,
  CompareSource,
  GroupSeries,
  MetricAggregate,
  MetricDirection,
  CompareModel,
  TableView,
  MetricSeries,
  SeriesFacts,
  ArtifactListing,
  ImageContent,
  CodeComparison,
  XAxisMode,
} from '../core/compare/types.ts';
import {
  arrayOf,
  BadParamsError,
  boolean,
  conforms,
  defineRequest,
  NO_PARAMS,
  numberAtLeast,
  object,
  oneOf,
  optional,
  recordOf,
  string,
  type Check,
  type RequestTable,
} from './requests.ts';
import { isRecord } from './rpc.ts';

export const COMPARE_VIEW_TYPE = 'labbook.compare';

export type {
  CompareGroup,
  CompareSource,
  GroupSeries,
  MetricAggregate,
  MetricDirection,
  RowKind,
  CompareValue,
  CompareRun,
  CompareRow,
  MetricRowData,
  CompareProblem,
  CompareModel,
  TableView,
  MetricSeries,
  SeriesFacts,
  ImageArtifact,
  ArtifactListing,
  ImageContent,
  CodeSide,
  CodeComparison,
  XAxisMode,
} from '../core/compare/types.ts';

/** The same list as core's, as a value the webview may import. */
export const METRIC_AGGREGATES: readonly MetricAggregate[] = ['last', 'min', 'max'];

/** The most metric histories one getSeries may ask for. */
export const MAX_SERIES_KEYS = 50;

export const X_AXIS_MODES: readonly XAxisMode[] = ['step', 'wall', 'relative'];

/** How the charts draw grouped runs: one line per run, or per group a mean line with a band. */
export type LineMode = 'runs' | 'mean-std' | 'min-max';
export const LINE_MODES: readonly LineMode[] = ['runs', 'mean-std', 'min-max'];

type Directions = Readonly<Record<string, MetricDirection>>;
const directions: Check<Directions> = recordOf(oneOf<MetricDirection>(['lower', 'higher']));
const seriesFacts: Check<SeriesFacts> = object<SeriesFacts>({ stepsAscending: boolean, finite: boolean, positive: boolean });
const tableView: Check<TableView> = object<TableView>({ aggregate: oneOf(METRIC_AGGREGATES), diffOnly: boolean, transposed: boolean });

/** An artifact path that does not climb out of the run's artifacts. */
const artifactPath: Check<string> = (value, field) => {
  const path = string(value, field);
  if (path.split('/').includes('..')) throw new BadParamsError(`'${field}' must not contain '..'`, field);
  return path;
};

const notebookPath: Check<string> = (value, field) => {
  const path = artifactPath(value, field);
  if (!path.endsWith('.ipynb')) throw new BadParamsError(`'${field}' must name a notebook (.ipynb)`, field);
  return path;
};

/** The host also checks that the runs named are the panel's own. */
export const compareRequests = {
  /** The comparison table, with the user's direction overrides. */
  getComparison: defineRequest<{ readonly directions: Directions }, CompareModel>({ directions }),
  /**
   * Downsampled histories: every compared run × `keys`, at most `buckets` buckets each, as
   * Float64Array columns (the page asks for its first chart's key alone, then the rest).
   */
  getSeries: defineRequest<{ readonly keys: readonly string[]; readonly buckets: number }, { readonly series: readonly MetricSeries[] }>({
    keys: arrayOf(string, { max: MAX_SERIES_KEYS }),
    buckets: numberAtLeast(1),
  }),
  /**
   * Asked with the comparison, before the page knows the metrics: the first chart's metric (the
   * first of `chartMetrics`, the page's saved choice, that a run has; else as chartMetrics picks)
   * and its histories as getSeries gives them. `key` is null when there is nothing to chart.
   */
  getFirstChart: defineRequest<{ readonly chartMetrics?: readonly string[]; readonly buckets: number }, { readonly key: string | null; readonly series: readonly MetricSeries[] }>({
    chartMetrics: optional(arrayOf(string)),
    buckets: numberAtLeast(1),
  }),
  /** The source's groups × `keys`: mean, std, min and max across each group's runs per x bucket. */
  getGroupSeries: defineRequest<{ readonly keys: readonly string[]; readonly buckets: number; readonly xAxis: XAxisMode }, { readonly groups: readonly GroupSeries[] }>({
    keys: arrayOf(string, { max: MAX_SERIES_KEYS }),
    buckets: numberAtLeast(1),
    xAxis: oneOf(X_AXIS_MODES),
  }),
  listImages: defineRequest<null, ArtifactListing>(NO_PARAMS),
  getImage: defineRequest<{ readonly runId: string; readonly path: string }, ImageContent>({ runId: string, path: artifactPath }),
  getCode: defineRequest<{ readonly baseRun: string; readonly remoteRun: string }, CodeComparison>({ baseRun: string, remoteRun: string }),
  /** Opens the Notebook Diff panel on a notebook snapshot of two runs. */
  openNotebookDiff: defineRequest<{ readonly baseRun: string; readonly remoteRun: string; readonly path: string }, null>({
    baseRun: string,
    remoteRun: string,
    path: notebookPath,
  }),
  /** Asks where to save, then writes the table as CSV; null when the user cancelled. */
  exportCsv: defineRequest<{ readonly view: TableView; readonly directions: Directions }, { readonly savedTo: string | null }>({ view: tableView, directions }),
  /** Opens the drift panel on two compared runs' data (the older run is the reference). */
  compareData: defineRequest<{ readonly baseRun: string; readonly remoteRun: string }, null>({ baseRun: string, remoteRun: string }),
} satisfies RequestTable;
export type CompareRequests = typeof compareRequests;

/**
 * `source`: sent on every ready, so the page keeps it in its state (VS Code restores the panel from
 * it) even when the store cannot be read. `storeChanged`: the page asks again for what it shows.
 */
export type CompareEvent = { readonly type: 'source'; readonly source: CompareSource } | { readonly type: 'storeChanged' };

export type CompareTab = 'table' | 'charts' | 'artifacts' | 'code';

/** Kept with getState/setState; the host revives the panel from `source`. */
export interface CompareState {
  readonly source?: CompareSource;
  readonly tab: CompareTab;
  readonly aggregate: MetricAggregate;
  readonly diffOnly: boolean;
  readonly transposed: boolean;
  readonly sort: { readonly column: string; readonly desc: boolean } | null;
  readonly directions: Readonly<Record<string, MetricDirection>>;
  readonly chartMetrics: readonly string[] | null;
  readonly xAxis: XAxisMode;
  /** 0 … 0.99, TensorBoard's EMA weight. */
  readonly smoothing: number;
  readonly logScale: boolean;
  /** Only used when the source has groups. */
  readonly lines: LineMode;
  readonly parallelKeys: readonly string[] | null;
  readonly scatter: { readonly x: string; readonly y: string } | null;
  readonly codeRuns: { readonly base: string; readonly remote: string } | null;
}

export const isStrings = (value: unknown): value is readonly string[] => Array.isArray(value) && value.every((id) => typeof id === 'string');

function isCompareGroup(value: unknown): value is CompareGroup {
  return isRecord(value) && typeof value.label === 'string' && isStrings(value.runIds);
}

export function isCompareSource(value: unknown): value is CompareSource {
  return (
    isRecord(value) &&
    typeof value.store === 'string' &&
    isStrings(value.runIds) &&
    (value.groups === undefined || (Array.isArray(value.groups) && value.groups.every(isCompareGroup)))
  );
}

const SERIES_COLUMNS = ['step', 'timestamp', 'min', 'max', 'last'] as const;
const GROUP_COLUMNS = ['x', 'mean', 'std', 'min', 'max', 'runs'] as const;

function hasColumns(value: Record<string, unknown>, columns: readonly string[]): boolean {
  const first = value[columns[0] as string];
  return first instanceof Float64Array && columns.every((c) => value[c] instanceof Float64Array && value[c].length === first.length);
}

/** The page checks what getSeries answered: Float64Array columns of one length (not JSON arrays). */
export function isMetricSeries(value: unknown): value is MetricSeries {
  return isRecord(value) && typeof value.runId === 'string' && typeof value.key === 'string' && hasColumns(value, SERIES_COLUMNS) && conforms(seriesFacts, value.facts);
}

export function isGroupSeries(value: unknown): value is GroupSeries {
  return isRecord(value) && typeof value.label === 'string' && typeof value.key === 'string' && isStrings(value.runIds) && hasColumns(value, GROUP_COLUMNS);
}

export function isMetricDirections(value: unknown): value is Record<string, MetricDirection> {
  return conforms(directions, value);
}

export function isTableView(value: unknown): value is TableView {
  return conforms(tableView, value);
}
