/**
 * The Runs Table's data model (issue 14), shared by the pure table model in this folder, the host
 * panel and the webview (through src/protocol/runsTable.ts). Plain JSON throughout.
 *
 * A column is named by its MLflow search identifier, so a sort or a filter on it is pushed down to
 * the store's search unchanged: `attributes.run_name`, `params.lr`, `metrics.loss`, `tags.stage`.
 */

export const COLUMN_KINDS = ['attribute', 'param', 'metric', 'tag'] as const;
export type ColumnKind = (typeof COLUMN_KINDS)[number];

/** Which value of a metric's history a metric column shows. */
export const METRIC_VALUES = ['last', 'min', 'max'] as const;
export type MetricValue = (typeof METRIC_VALUES)[number];

/** How a column's cells are formatted and which quick filter its header offers. */
export type ColumnValueType = 'string' | 'number' | 'time' | 'duration' | 'status';

/** `attributes.<name>` | `params.<key>` | `metrics.<key>` | `tags.<key>`. */
export type ColumnId = string;

export interface ColumnDef {
  readonly id: ColumnId;
  readonly kind: ColumnKind;
  /** The param/metric/tag key, or the attribute's name (`run_name`, `status`, …). */
  readonly key: string;
  /** What the header shows: the key's last segment when it is grouped by prefix. */
  readonly label: string;
  readonly valueType: ColumnValueType;
  /** The prefix group for nested keys (`model` for `model.lr`, `optimizer` for `optimizer/beta1`). */
  readonly group?: string;
  /** Whether the store can sort and filter on it (a pushed-down search); false for derived columns. */
  readonly searchable: boolean;
}

/** The user's choice for one column; the list's order is the display order. */
export interface ColumnChoice {
  readonly id: ColumnId;
  readonly visible: boolean;
  readonly pinned: boolean;
  /** CSS pixels; absent = the default width. */
  readonly width?: number;
  /** Metric columns: last (the default), min or max of its history. */
  readonly metricValue?: MetricValue;
}

export interface SortKey {
  readonly columnId: ColumnId;
  readonly descending: boolean;
}

/** A filter set from a column header; each becomes a clause of the pushed-down search. */
export type QuickFilter =
  | { readonly columnId: ColumnId; readonly kind: 'range'; readonly min?: number; readonly max?: number }
  | { readonly columnId: ColumnId; readonly kind: 'values'; readonly values: readonly string[] };

export const COLUMN_PRESETS = ['all', 'differing', 'key'] as const;
/** all columns; only columns whose value differs between the shown runs; the key metrics (settings). */
export type ColumnPreset = (typeof COLUMN_PRESETS)[number];

/** Everything the user chose; kept per experiment set in workspace state, restored on reload. */
export interface TableView {
  /** MLflow search syntax, as in the Experiments tree's filter. */
  readonly filter: string;
  readonly quickFilters: readonly QuickFilter[];
  /** Multi-column sort, first key first. */
  readonly sort: readonly SortKey[];
  /** Group rows by these param/tag columns (empty: no grouping). */
  readonly groupBy: readonly ColumnId[];
  readonly columns: readonly ColumnChoice[];
  readonly preset: ColumnPreset;
  /** The metric whose history the sparkline column draws, if any. */
  readonly sparklineMetric?: string;
}

export type Cell = string | number | null;

export interface TableRow {
  readonly runId: string;
  readonly experimentId: string;
  /** Values by column id, for the columns the page asked for; absent = no value. */
  readonly cells: Readonly<Record<ColumnId, Cell>>;
}

export interface RowPage {
  readonly offset: number;
  readonly rows: readonly TableRow[];
  /** Runs matching the view; null while a remote store's count is not known yet. */
  readonly total: number | null;
}

export interface MetricAggregates {
  readonly n: number;
  readonly mean: number;
  /** Sample standard deviation (n − 1); 0 for a single value. */
  readonly std: number;
  readonly min: number;
  readonly max: number;
}

export interface GroupRow {
  /** The group's values of the groupBy columns, in groupBy order (null = no value). */
  readonly key: readonly Cell[];
  readonly count: number;
  /**
   * For each metric column the view shows (visible, not hidden by the preset; by id): aggregates
   * over the group's runs that have it. Showing another column asks for the groups again.
   */
  readonly metrics: Readonly<Record<ColumnId, MetricAggregates>>;
}

export interface TableExperiment {
  readonly experimentId: string;
  readonly name: string;
}

/** What the page needs first: the table's experiments, its columns and the saved view. */
export interface TableSchema {
  /** The store's explorer root id (`local`, `remote:<url>`): the page keeps it in its state for the restore. */
  readonly store: string;
  readonly storeLabel: string;
  readonly experiments: readonly TableExperiment[];
  readonly columns: readonly ColumnDef[];
  readonly view: TableView;
  /** Runs matching the view (null while unknown), and the view's filter error, if any. */
  readonly total: number | null;
  readonly error?: string;
}

/** Answer to setView: the count under the new view, or why the store cannot search it (then the view in force stays). */
export interface ViewResult {
  readonly total: number | null;
  readonly error?: string;
  /** The columns after the preset ("differing only" hides columns equal in every shown run). */
  readonly hiddenByPreset: readonly string[];
}
