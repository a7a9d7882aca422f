/** Contract between the host and the Run Comparison panel (webview/compare). */
import type {
  CompareSource,
  MetricAggregate,
  MetricDirection,
  CompareModel,
  TableView,
  MetricSeries,
  ArtifactListing,
  ImageContent,
  CodeComparison,
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
  recordOf,
  string,
  type Check,
  type RequestTable,
} from './requests.ts';
import { isRecord } from './rpc.ts';

export const COMPARE_VIEW_TYPE = 'labbook.compare';

export type {
  CompareSource,
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
  ImageArtifact,
  ArtifactListing,
  ImageContent,
  CodeSide,
  CodeComparison,
} from '../core/compare/types.ts';

/** The same list as core's, as a value the webview may import. */
export const METRIC_AGGREGATES: readonly MetricAggregate[] = ['last', 'min', 'max'];

/** The most metric histories one getSeries may ask for. */
export const MAX_SERIES_KEYS = 50;

type Directions = Readonly<Record<string, MetricDirection>>;
const directions: Check<Directions> = recordOf(oneOf<MetricDirection>(['lower', 'higher']));
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
  /** Downsampled histories: every compared run × `keys`, at most `buckets` buckets each. */
  getSeries: defineRequest<{ readonly keys: readonly string[]; readonly buckets: number }, { readonly series: readonly MetricSeries[] }>({
    keys: arrayOf(string, { max: MAX_SERIES_KEYS }),
    buckets: numberAtLeast(1),
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
} satisfies RequestTable;
export type CompareRequests = typeof compareRequests;

/**
 * `source`: sent on every ready, so the page keeps it in its state (VS Code restores the panel from
 * it) even when the store cannot be read. `storeChanged`: the page asks again for what it shows.
 */
export type CompareEvent = { readonly type: 'source'; readonly source: CompareSource } | { readonly type: 'storeChanged' };

export type CompareTab = 'table' | 'charts' | 'artifacts' | 'code';
export type XAxisMode = 'step' | 'wall' | 'relative';

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
  readonly parallelKeys: readonly string[] | null;
  readonly scatter: { readonly x: string; readonly y: string } | null;
  readonly codeRuns: { readonly base: string; readonly remote: string } | null;
}

export function isCompareSource(value: unknown): value is CompareSource {
  return isRecord(value) && typeof value.store === 'string' && Array.isArray(value.runIds) && value.runIds.every((id) => typeof id === 'string');
}

export function isMetricDirections(value: unknown): value is Record<string, MetricDirection> {
  return conforms(directions, value);
}

export function isTableView(value: unknown): value is TableView {
  return conforms(tableView, value);
}
