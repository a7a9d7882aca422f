/**
 * The Run Comparison model: plain JSON the host computes from a store and the compare webview
 * renders (src/protocol/compare.ts re-exports these types). Flags such as `differs` and `best` are
 * computed here, so every view (table, CSV) agrees. Chart series are the exception to "plain JSON":
 * their columns are Float64Arrays (see MetricSeries).
 */

/** The runs a panel compares: run ids of one store (its explorer root id), any experiments. */
export interface CompareSource {
  readonly store: string;
  readonly runIds: readonly string[];
  /** Runs the charts may draw together as one mean line with a band; each run id is one of `runIds`. */
  readonly groups?: readonly CompareGroup[];
}

/** A named set of compared runs (e.g. the seeds of one configuration in the Runs Table). */
export interface CompareGroup {
  readonly label: string;
  readonly runIds: readonly string[];
}

/** What a chart's x axis shows: steps, wall-clock time, or seconds since the run started. */
export type XAxisMode = 'step' | 'wall' | 'relative';

/** Which value of a metric's history a table row shows. */
export type MetricAggregate = 'last' | 'min' | 'max';
export const METRIC_AGGREGATES: readonly MetricAggregate[] = ['last', 'min', 'max'];

/** Whether a metric improves downwards (loss) or upwards (accuracy). */
export type MetricDirection = 'lower' | 'higher';

export type RowKind = 'attribute' | 'param' | 'metric';

/** One table cell: text, a number, or nothing (the run has no such key). */
export type CompareValue = string | number | null;

export interface CompareRun {
  readonly runId: string;
  /** The run name as logged. */
  readonly name: string;
  /** Unique among the compared runs: the name, with a short id when two runs share it. */
  readonly label: string;
  readonly experimentId: string;
  readonly experimentName: string;
  readonly startTime: number;
  readonly endTime: number | null;
}

export interface CompareRow {
  /** `${kind}:${key}`, unique in the table. */
  readonly id: string;
  readonly kind: RowKind;
  readonly key: string;
  /** Attributes and params: one value per run, aligned with `CompareModel.runs`. */
  readonly values?: readonly CompareValue[];
  /** Whether the values are not all the same (missing counts as a value). */
  readonly differs?: boolean;
  /** Metrics only. */
  readonly metric?: MetricRowData;
}

export interface MetricRowData {
  readonly direction: MetricDirection;
  /** Whether the direction is the name-based guess (false: the user chose it). */
  readonly guessed: boolean;
  readonly values: { readonly [A in MetricAggregate]: readonly (number | null)[] };
  readonly differs: { readonly [A in MetricAggregate]: boolean };
  /** Indexes of the runs holding the best value (ties: all), empty when there is nothing to prefer. */
  readonly best: { readonly [A in MetricAggregate]: readonly number[] };
}

/** A run that was asked for and could not be read. */
export interface CompareProblem {
  readonly runId: string;
  readonly message: string;
}

export interface CompareModel {
  readonly source: CompareSource;
  /** The store's human name, e.g. its file path. */
  readonly storeDescription: string;
  readonly runs: readonly CompareRun[];
  readonly rows: readonly CompareRow[];
  /** Metric keys every readable run has, sorted. */
  readonly sharedMetrics: readonly string[];
  /** Metric keys any run has, sorted. */
  readonly allMetrics: readonly string[];
  readonly paramKeys: readonly string[];
  readonly problems: readonly CompareProblem[];
}

/** The table as the user sees it, for CSV export. */
export interface TableView {
  readonly aggregate: MetricAggregate;
  readonly diffOnly: boolean;
  readonly transposed: boolean;
}

/**
 * One run's downsampled history of one metric, as columns: index i of every column is bucket i
 * (the store's min/max/last buckets, in step order). Typed arrays, not arrays of objects:
 * structured clone copies each column in one piece, and VS Code's webview postMessage sends them
 * as binary buffers (not JSON) and rebuilds them as Float64Arrays in the page.
 */
export interface MetricSeries {
  readonly runId: string;
  readonly key: string;
  /** The step of the bucket's last point. */
  readonly step: Float64Array;
  /** The timestamp (ms) of the bucket's last point. */
  readonly timestamp: Float64Array;
  /** NaN where the bucket holds only NaN values. */
  readonly min: Float64Array;
  readonly max: Float64Array;
  /** The value at the bucket's last point (NaN if that value is NaN). */
  readonly last: Float64Array;
  /** Found where the columns are made (seriesFacts), so that a chart need not test every point. */
  readonly facts: SeriesFacts;
}

export interface SeriesFacts {
  /** No step is below the one before it. */
  readonly stepsAscending: boolean;
  /** Every min, max and last is finite (no NaN, no ±∞). */
  readonly finite: boolean;
  /** Every min is above 0 (so, when finite, every value: what a log scale can show). */
  readonly positive: boolean;
}

/**
 * One group's history of one metric, aggregated across its runs per x bucket (see
 * groupSeries.ts): `runs[i]` is how many of the group's runs have a value in bucket i.
 */
export interface GroupSeries {
  readonly label: string;
  readonly key: string;
  /** The group's runs that have this metric. */
  readonly runIds: readonly string[];
  readonly x: Float64Array;
  readonly mean: Float64Array;
  /** Sample standard deviation (n − 1); 0 where one run has a value. */
  readonly std: Float64Array;
  readonly min: Float64Array;
  readonly max: Float64Array;
  readonly runs: Float64Array;
}

export interface ImageArtifact {
  readonly path: string;
  /** Ids of the runs that have an image at this path. */
  readonly runIds: readonly string[];
}

export interface ArtifactListing {
  readonly images: readonly ImageArtifact[];
  /** True when the walk stopped at its depth or count bound. */
  readonly truncated: boolean;
}

export type ImageContent =
  | { readonly kind: 'image'; readonly dataUri: string; readonly bytes: number }
  | { readonly kind: 'tooLarge'; readonly bytes: number }
  | { readonly kind: 'missing'; readonly message: string };

/** One run's code snapshot as captured at launch (artifacts under labbook/code/). */
export interface CodeSide {
  readonly runId: string;
  /** The launched file's artifact path (tag labbook.source.snapshot), if any. */
  readonly snapshotPath: string | null;
  /** Its text, unless it is a notebook or could not be read. */
  readonly snapshotText: string | null;
  /** labbook/code/git.patch, if captured. */
  readonly gitPatch: string | null;
  /** Why something is missing, in words. */
  readonly notes: readonly string[];
}

export interface CodeComparison {
  readonly base: CodeSide;
  readonly remote: CodeSide;
}

