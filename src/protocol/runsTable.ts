/** Contract between the host and the Runs Table panel (webview/runsTable). Issue 14. */
import type { Cell, ColumnChoice, ColumnPreset, GroupRow, MetricValue, QuickFilter, RowPage, SortKey, TableRow, TableSchema, TableView, ViewResult } from '../core/runsTable/types.ts';
import {
  arrayOf,
  BadParamsError,
  boolean,
  defineRequest,
  finiteNumber,
  integerBetween,
  NO_PARAMS,
  nonEmptyString,
  numberAtLeast,
  object,
  oneOf,
  optional,
  string,
  type Check,
  type RequestTable,
} from './requests.ts';

export const RUNS_TABLE_VIEW_TYPE = 'labbook.runsTable';

export type {
  Cell,
  ColumnChoice,
  ColumnDef,
  ColumnId,
  ColumnKind,
  ColumnPreset,
  ColumnValueType,
  GroupRow,
  MetricAggregates,
  MetricValue,
  QuickFilter,
  RowPage,
  SortKey,
  TableExperiment,
  TableRow,
  TableSchema,
  TableView,
  ViewResult,
} from '../core/runsTable/types.ts';

/** The most rows one getRows may ask for. */
export const MAX_PAGE_ROWS = 1000;
/** The most runs one action (compare, tag, delete, sparklines) may name. */
export const MAX_ACTION_RUNS = 10_000;
/** The most columns a view may hold choices for (and a getRows may ask for). */
export const MAX_COLUMNS = 20_000;
/** Bounds of a view's lists: sort keys, group-by columns, quick filters, values of one filter. */
export const MAX_SORT_KEYS = 16;
export const MAX_GROUP_BY = 8;
export const MAX_QUICK_FILTERS = 64;
export const MAX_FILTER_VALUES = 1000;
/** The longest filter text and the most points of one sparkline. */
export const MAX_FILTER_LENGTH = 10_000;
export const MAX_SPARKLINE_POINTS = 1000;

const runIds = arrayOf(nonEmptyString, { max: MAX_ACTION_RUNS });

// The protocol takes only types from core, so the lists are written again here; `Every` makes a
// value added to the type in core and missing here a compile error.
type Every<T, L extends readonly T[]> = [Exclude<T, L[number]>] extends [never] ? L : never;
const COLUMN_PRESETS = ['all', 'differing', 'key'] as const satisfies Every<ColumnPreset, readonly ['all', 'differing', 'key']>;
const METRIC_VALUES = ['last', 'min', 'max'] as const satisfies Every<MetricValue, readonly ['last', 'min', 'max']>;

function boundedString(max: number): Check<string> {
  return (value, field) => {
    const text = string(value, field);
    if (text.length > max) throw new BadParamsError(`'${field}' must be at most ${max} characters`, field);
    return text;
  };
}

/** A cell value: text, a finite number or null. */
export const cell: Check<Cell> = (value, field) => {
  if (value === null || typeof value === 'string') return value;
  return finiteNumber(value, field);
};

const sortKey = object<SortKey>({ columnId: nonEmptyString, descending: boolean });

const columnChoice = object<ColumnChoice>({
  id: nonEmptyString,
  visible: boolean,
  pinned: boolean,
  width: optional(numberAtLeast(0)),
  metricValue: optional(oneOf(METRIC_VALUES)),
});

const rangeFilter = object<Extract<QuickFilter, { kind: 'range' }>>({ columnId: nonEmptyString, kind: oneOf(['range']), min: optional(finiteNumber), max: optional(finiteNumber) });
const valuesFilter = object<Extract<QuickFilter, { kind: 'values' }>>({
  columnId: nonEmptyString,
  kind: oneOf(['values']),
  values: arrayOf(string, { max: MAX_FILTER_VALUES }),
});

/** A quick filter: a range (`kind: 'range'`) or a set of values (`kind: 'values'`). */
export const quickFilter: Check<QuickFilter> = (value, field) => {
  const kind = typeof value === 'object' && value !== null ? (value as { kind?: unknown }).kind : undefined;
  oneOf(['range', 'values'])(kind, `${field}.kind`);
  return kind === 'range' ? rangeFilter(value, field) : valuesFilter(value, field);
};

/** A whole view from the page, every field checked and every list bounded. */
export const tableView = object<TableView>({
  filter: boundedString(MAX_FILTER_LENGTH),
  quickFilters: arrayOf(quickFilter, { max: MAX_QUICK_FILTERS }),
  sort: arrayOf(sortKey, { max: MAX_SORT_KEYS }),
  groupBy: arrayOf(nonEmptyString, { max: MAX_GROUP_BY }),
  columns: arrayOf(columnChoice, { max: MAX_COLUMNS }),
  preset: oneOf(COLUMN_PRESETS),
  sparklineMetric: optional(string),
});

/** Rows [offset, offset + limit) in the given columns: the fields a page of rows is asked with. */
interface RowWindow {
  readonly offset: number;
  readonly limit: number;
  readonly columnIds: readonly string[];
}

const rowWindowFields = {
  offset: integerBetween(0, Number.MAX_SAFE_INTEGER),
  limit: integerBetween(1, MAX_PAGE_ROWS),
  columnIds: arrayOf(string, { max: MAX_COLUMNS }),
};

export const runsTableRequests = {
  getSchema: defineRequest<null, TableSchema>(NO_PARAMS),
  /**
   * Replaces the whole view (the host validates it, pushes it down and saves it). With `rows`, the
   * answer also holds those rows of the new view (a flat view's first page): one round trip for a
   * sort or a filter instead of two.
   */
  setView: defineRequest<{ readonly view: TableView; readonly rows?: RowWindow }, ViewResult & { readonly page?: RowPage }>({
    view: tableView,
    rows: optional(object<RowWindow>(rowWindowFields)),
  }),
  /** Rows [offset, offset + limit) of the view's (filtered, sorted) runs; `group` narrows to one group. */
  getRows: defineRequest<RowWindow & { readonly group?: readonly Cell[] }, RowPage>({
    ...rowWindowFields,
    group: optional(arrayOf(cell, { max: MAX_GROUP_BY })),
  }),
  /**
   * The groups of the view's runs (view.groupBy), with the aggregates of the shown metric columns
   * among `metricColumns` (the page's window; more are asked for as they scroll into view), or of
   * every shown metric column when it is left out.
   */
  getGroups: defineRequest<{ readonly metricColumns?: readonly string[] }, readonly GroupRow[]>({ metricColumns: optional(arrayOf(string, { max: MAX_COLUMNS })) }),
  /** A metric's history per run, downsampled to `points`, for the sparkline column. */
  getSparklines: defineRequest<{ readonly runIds: readonly string[]; readonly metric: string; readonly points: number }, Readonly<Record<string, readonly number[]>>>({
    runIds,
    metric: nonEmptyString,
    points: integerBetween(1, MAX_SPARKLINE_POINTS),
  }),
  openRun: defineRequest<{ readonly runId: string }, null>({ runId: nonEmptyString }),
  compareRuns: defineRequest<{ readonly runIds: readonly string[]; readonly grouped: boolean }, null>({ runIds, grouped: boolean }),
  diffNotebooks: defineRequest<{ readonly runIds: readonly string[] }, null>({ runIds }),
  /** What Changed between two selected runs (the older one is the baseline). */
  whatChanged: defineRequest<{ readonly runIds: readonly string[] }, null>({ runIds }),
  /** Asks for the tag in the host's input boxes, then sets it on every run. */
  addTag: defineRequest<{ readonly runIds: readonly string[] }, null>({ runIds }),
  /** Deletes (soft, MLflow lifecycle) with an Undo in the host's notification. */
  deleteRuns: defineRequest<{ readonly runIds: readonly string[] }, null>({ runIds }),
  pinRuns: defineRequest<{ readonly runIds: readonly string[]; readonly pinned: boolean }, null>({ runIds, pinned: boolean }),
  /** Writes the visible table (all matching rows, visible columns, current filter) to a CSV file the user picks. */
  exportCsv: defineRequest<null, null>(NO_PARAMS),
  copyText: defineRequest<{ readonly text: string }, null>({ text: boundedString(10_000_000) }),
} satisfies RequestTable;
export type RunsTableRequests = typeof runsTableRequests;

/**
 * Pushed by the host: `rows` patches rows in place (a running run's metrics ticked or its status
 * changed); `changed` says runs were added/removed or columns appeared, so the page re-asks.
 */
export type RunsTableEvent =
  | { readonly type: 'rows'; readonly rows: readonly TableRow[] }
  | { readonly type: 'changed'; readonly schema: TableSchema };

/** What the page keeps with getState/setState; the host revives the panel from `store` and `experimentIds`. */
export interface RunsTableState {
  readonly store: string;
  readonly experimentIds: readonly string[];
  readonly scrollTop: number;
  readonly selected: readonly string[];
  readonly expandedGroups: readonly string[];
}

/** The part of the page's saved state the host needs to revive the panel. */
export const runsTableSource = object<{ readonly store: string; readonly experimentIds: readonly string[] }>({
  store: nonEmptyString,
  experimentIds: arrayOf(nonEmptyString, { max: 1000 }),
});
