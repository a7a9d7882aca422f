// A data profile: what one tabular file (CSV, TSV, Parquet, JSON lines) holds, column by column.
// Stored per run as the artifact `labbook/data/profile.json` (RunProfiles); the drift engine, the
// data checks and Run Details' Data tab read it. Changing a field is a data-format change: bump
// the format string and keep reading the old one.

export const PROFILE_FORMAT = 'labbook.profile/1';
export const RUN_PROFILES_FORMAT = 'labbook.profiles/1';

export type TableFormat = 'csv' | 'tsv' | 'parquet' | 'jsonl';

/** How the drift tests and the UI treat a column. */
export type ColumnKind = 'numeric' | 'categorical' | 'boolean' | 'datetime' | 'text';

/**
 * `feature`: compared for drift. `id` (unique key), `row-number` (0..n-1 or 1..n) and
 * `timestamp` columns identify rows, not the data, and are left out of drift by default.
 */
export type ColumnRole = 'feature' | 'id' | 'row-number' | 'timestamp';

/** Equal-width bins: `edges.length === counts.length + 1`; nulls are not counted. */
export interface Histogram {
  readonly edges: readonly number[];
  readonly counts: readonly number[];
}

export interface ColumnProfile {
  readonly name: string;
  /** The engine's type name (`BIGINT`, `DOUBLE`, `VARCHAR`, `TIMESTAMP`, …). */
  readonly type: string;
  readonly kind: ColumnKind;
  readonly role: ColumnRole;
  /** Why the role is not `feature` ("unique in every row", "named like a timestamp"). */
  readonly roleReason?: string;
  /** Rows, nulls included. */
  readonly count: number;
  readonly nulls: number;
  /** nulls / count (0 when count is 0). */
  readonly nullShare: number;
  readonly distinct: number;
  /** True when `distinct` is an estimate (HyperLogLog). */
  readonly distinctApprox: boolean;
  /** Numbers for numeric columns; ISO strings for datetimes; absent for text and categoricals. */
  readonly min?: number | string;
  readonly max?: number | string;
  readonly mean?: number;
  readonly std?: number;
  /**
   * Numeric columns: the quantiles at p = 0, 0.01, …, 1 (101 values, ascending). The drift
   * engine uses them as a sketch of the distribution when the file itself is gone.
   */
  readonly quantiles?: readonly number[];
  readonly histogram?: Histogram;
  /** Categorical, boolean and text columns: the most frequent values, most frequent first. */
  readonly topValues?: readonly { readonly value: string; readonly count: number }[];
  /** Rows not in topValues (null excluded), so the categorical tests can add an "other" bucket. */
  readonly otherCount?: number;
}

export interface DataProfile {
  readonly format: typeof PROFILE_FORMAT;
  /** The file as profiled: the path as the caller gave it (relative to the run's cwd for runs). */
  readonly source: {
    readonly path: string;
    readonly format: TableFormat;
    readonly size: number;
    readonly mtime?: string;
    readonly sha256?: string;
  };
  readonly rows: number;
  readonly columns: readonly ColumnProfile[];
  /** ISO time the profile was made, and how long it took. */
  readonly createdAt: string;
  readonly durationMs: number;
  /** Anything the reader should know (a column skipped, a sample used, a parse option guessed). */
  readonly notes: readonly string[];
}

/** A file that could not be profiled, with the reason (never a crash). */
export interface ProfileFailure {
  readonly path: string;
  readonly error: string;
}

/** The artifact `labbook/data/profile.json`: one entry per tabular input of the run. */
export interface RunProfiles {
  readonly format: typeof RUN_PROFILES_FORMAT;
  readonly profiles: readonly DataProfile[];
  readonly failures: readonly ProfileFailure[];
}
