// A table's columns as the drift engine and the data checks compare them: the non-null numbers of
// numeric and datetime columns, the value counts of the others. Read from a file by the profiler's
// engine (readTable), or rebuilt approximately from a stored DataProfile when the file is gone.
import type { ColumnKind, ColumnRole, TableFormat } from './types.ts';

/** Above this many distinct values a text column is free text: its counts are not kept, nor compared. */
export const MAX_CATEGORIES = 10_000;

export interface ColumnValues {
  readonly name: string;
  readonly type: string;
  readonly kind: ColumnKind;
  readonly role: ColumnRole;
  readonly roleReason?: string;
  /** Rows, nulls included. */
  readonly count: number;
  readonly nulls: number;
  /** numeric columns, and datetimes as epoch milliseconds: the non-null values, in file order. */
  readonly numbers?: Float64Array;
  /** categorical, boolean and text columns: count per non-null value (absent past MAX_CATEGORIES). */
  readonly categories?: ReadonlyMap<string, number>;
  /** Why the values are absent (free text past MAX_CATEGORIES, a type the engine cannot compare). */
  readonly note?: string;
}

export interface TableData {
  readonly path: string;
  readonly format: TableFormat;
  readonly rows: number;
  readonly columns: readonly ColumnValues[];
  readonly notes: readonly string[];
}
