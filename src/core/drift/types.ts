// A drift report: how a current table's columns differ from a reference table's, with the test
// each column was judged by. The drift panel, `labbook drift --json`, the data checks and the CI
// workflow's report all carry this shape. Changing a field is a data-format change.
import type { ColumnKind, ColumnRole, Histogram } from '../profile/types.ts';

export const DRIFT_FORMAT = 'labbook.drift/1';

/**
 * ks: two-sample Kolmogorov–Smirnov (p-value; drift below the threshold).
 * wasserstein: Wasserstein-1 distance normed by the reference's standard deviation (drift above).
 * psi: population stability index over the reference's bins (drift above).
 * chisquare: chi-square test of the category counts (p-value; drift below).
 * jensenshannon: Jensen–Shannon distance of the category shares, natural log as Evidently (scipy's
 *   default base), so it lies in [0, √ln 2 ≈ 0.833] (drift above).
 */
export type DriftTest = 'ks' | 'wasserstein' | 'psi' | 'chisquare' | 'jensenshannon';

export const DRIFT_TEST_NAMES: Readonly<Record<DriftTest, string>> = {
  ks: 'Kolmogorov–Smirnov p-value',
  wasserstein: 'Wasserstein distance (normed)',
  psi: 'PSI',
  chisquare: 'chi-square p-value',
  jensenshannon: 'Jensen–Shannon distance',
};

/** Whether a score past the threshold is drift when it is below (p-values) or above (distances). */
export const DRIFT_WHEN_BELOW: Readonly<Record<DriftTest, boolean>> = {
  ks: true, chisquare: true, wasserstein: false, psi: false, jensenshannon: false,
};

/** Thresholds and the sample size that switches tests; defaults as Evidently's DataDriftPreset. */
export interface DriftOptions {
  /** Reference rows up to which the small-sample tests (KS, chi-square) are used. Default 1000. */
  readonly smallSample: number;
  readonly thresholds: Readonly<Record<DriftTest, number>>;
  /** The dataset drifts when at least this share of the compared columns drift. Default 0.5. */
  readonly datasetShare: number;
  /** Compare id/row-number/timestamp columns too (default false: left out, and the report says so). */
  readonly includeIdentifiers: boolean;
  /** A column's test forced by name (otherwise chosen by kind and sample size). */
  readonly testByColumn?: Readonly<Record<string, DriftTest>>;
}

export const DEFAULT_DRIFT_OPTIONS: DriftOptions = {
  smallSample: 1000,
  thresholds: { ks: 0.05, chisquare: 0.05, wasserstein: 0.1, jensenshannon: 0.1, psi: 0.1 },
  datasetShare: 0.5,
  includeIdentifiers: false,
};

/** What one side looked like, for the overlaid charts (same bins on both sides for numeric columns). */
export interface SideSummary {
  readonly count: number;
  readonly nullShare: number;
  readonly histogram?: Histogram;
  readonly categories?: readonly { readonly value: string; readonly count: number }[];
  readonly mean?: number;
  readonly std?: number;
}

export interface ColumnDrift {
  readonly column: string;
  readonly kind: ColumnKind;
  readonly role: ColumnRole;
  /** Set when the column was not compared: why ("identifies rows: unique in every row", "only in the reference"). */
  readonly skipped?: string;
  /** The deciding test and its score (absent when skipped). */
  readonly test?: DriftTest;
  readonly score?: number;
  readonly threshold?: number;
  readonly drifted: boolean;
  /** Other statistics shown beside the deciding one (PSI for numeric columns). */
  readonly also?: readonly { readonly test: DriftTest; readonly score: number; readonly threshold: number; readonly drifted: boolean }[];
  readonly reference: SideSummary;
  readonly current: SideSummary;
}

export interface SchemaChange {
  readonly added: readonly { readonly column: string; readonly type: string }[];
  readonly removed: readonly { readonly column: string; readonly type: string }[];
  readonly typeChanged: readonly { readonly column: string; readonly from: string; readonly to: string }[];
}

/** Which data a side is: a file, a run's input, or the training data behind a model alias. */
export interface DriftSide {
  readonly label: string;
  readonly path?: string;
  readonly runId?: string;
  readonly rows: number;
  /** True when the side was read from a stored profile (the file changed or is gone): scores are approximate. */
  readonly fromProfile: boolean;
}

export interface DriftReport {
  readonly format: typeof DRIFT_FORMAT;
  readonly reference: DriftSide;
  readonly current: DriftSide;
  readonly options: DriftOptions;
  /** Most drifted first (by how far past, or how close to, its threshold). */
  readonly columns: readonly ColumnDrift[];
  readonly dataset: {
    readonly comparedColumns: number;
    readonly driftedColumns: number;
    readonly share: number;
    readonly drifted: boolean;
    readonly schema: SchemaChange;
    /** Columns whose null share moved by more than 0.05 (absolute). */
    readonly nullShareChanges: readonly { readonly column: string; readonly reference: number; readonly current: number }[];
  };
  readonly notes: readonly string[];
  readonly createdAt: string;
}
