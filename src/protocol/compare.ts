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

export type CompareRequests = {
  /** The comparison table, with the user's direction overrides. */
  readonly getComparison: { readonly params: { readonly directions: Readonly<Record<string, MetricDirection>> }; readonly result: CompareModel };
  /** Downsampled histories: every compared run × `keys`, at most `buckets` buckets each. */
  readonly getSeries: { readonly params: { readonly keys: readonly string[]; readonly buckets: number }; readonly result: { readonly series: readonly MetricSeries[] } };
  readonly listImages: { readonly params: Record<string, never>; readonly result: ArtifactListing };
  readonly getImage: { readonly params: { readonly runId: string; readonly path: string }; readonly result: ImageContent };
  readonly getCode: { readonly params: { readonly baseRun: string; readonly remoteRun: string }; readonly result: CodeComparison };
  /** Opens the Notebook Diff panel on a notebook snapshot of two runs. */
  readonly openNotebookDiff: { readonly params: { readonly baseRun: string; readonly remoteRun: string; readonly path: string }; readonly result: null };
  /** Asks where to save, then writes the table as CSV; null when the user cancelled. */
  readonly exportCsv: {
    readonly params: { readonly view: TableView; readonly directions: Readonly<Record<string, MetricDirection>> };
    readonly result: { readonly savedTo: string | null };
  };
};

export const COMPARE_METHODS: ReadonlySet<string> = new Set<keyof CompareRequests>([
  'getComparison', 'getSeries', 'listImages', 'getImage', 'getCode', 'openNotebookDiff', 'exportCsv',
]);

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
  return isRecord(value) && Object.values(value).every((d) => d === 'lower' || d === 'higher');
}

export function isTableView(value: unknown): value is TableView {
  return isRecord(value) && METRIC_AGGREGATES.includes(value.aggregate as MetricAggregate) && typeof value.diffOnly === 'boolean' && typeof value.transposed === 'boolean';
}
