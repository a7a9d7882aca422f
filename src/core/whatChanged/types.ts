/**
 * "What changed" between two model versions or two runs: plain JSON the host computes from a store
 * and the What Changed panel renders (src/protocol/whatChanged.ts re-exports these types). Each
 * section carries its own notes: a side that could not be read says so there, it never throws.
 */

/** One side as the user names it: a registered model's version, or a run. */
export type SideRef =
  | { readonly kind: 'version'; readonly name: string; readonly version: string }
  | { readonly kind: 'run'; readonly runId: string };

/** What a side resolved to. */
export interface SideInfo {
  readonly ref: SideRef;
  /** e.g. `churn v3 (@champion)` or the run's name. */
  readonly label: string;
  readonly runId: string | null;
  readonly runName: string | null;
  /** The MLflow 3 logged model the version was registered from (`models:/m-…`), or the run's last output model. */
  readonly modelId: string | null;
  readonly version: { readonly name: string; readonly version: string; readonly source: string; readonly aliases: readonly string[] } | null;
}

export type Change = 'same' | 'changed' | 'added' | 'removed';

export interface ParamChange {
  readonly key: string;
  readonly base: string | null;
  readonly remote: string | null;
  readonly change: Change;
}

export type MetricDirectionKnown = 'lower' | 'higher';

export interface MetricChange {
  readonly key: string;
  readonly base: number | null;
  readonly remote: number | null;
  /** remote − base, when both are finite. */
  readonly delta: number | null;
  /** The delta as a percentage of |base|, when base is finite and non-zero. */
  readonly deltaPercent: number | null;
  /** Known only for names that say it (loss, rmse… lower; accuracy, f1… higher); null: neutral. */
  readonly direction: MetricDirectionKnown | null;
  /** Whether remote is better than base; null when unknown or equal. */
  readonly verdict: 'better' | 'worse' | null;
  readonly change: Change;
}

export interface MetricsSection {
  /** Where each side's values come from: its logged model's linked metrics first (the run's latest for other keys), or the run's latest metrics only. */
  readonly origin: { readonly base: 'model' | 'run' | null; readonly remote: 'model' | 'run' | null };
  readonly rows: readonly MetricChange[];
  readonly notes: readonly string[];
}

/** A Labbook data file (data.json inputs and fingerprints.json), by path. */
export interface DataFileChange {
  readonly path: string;
  readonly base: string | null;
  readonly remote: string | null;
  /** 'unknown': on both sides, but a side recorded no hash. */
  readonly change: Change | 'unknown';
}

export type ColumnChangeKind = 'same' | 'added' | 'removed' | 'typeChanged';

export interface ColumnChange {
  readonly name: string;
  readonly base: string | null;
  readonly remote: string | null;
  readonly change: ColumnChangeKind;
}

/** A schema's columns: colspec names and types, or tensors as `tensor<dtype>[shape]`. */
export interface SchemaColumns {
  readonly columns: readonly { readonly name: string; readonly type: string }[];
}

export interface DatasetFacts {
  readonly digest: string;
  readonly sourceType: string;
  readonly source: string;
  readonly context: string | null;
}

/** An MLflow dataset input, by name. */
export interface DatasetChange {
  readonly name: string;
  readonly base: DatasetFacts | null;
  readonly remote: DatasetFacts | null;
  readonly change: Change;
  /** Column by column, when both sides logged a schema that reads as one. */
  readonly schema: readonly ColumnChange[] | null;
}

export interface DataSection {
  readonly files: readonly DataFileChange[];
  readonly datasets: readonly DatasetChange[];
  readonly notes: readonly string[];
}

export interface CodeFacts {
  readonly commit: string | null;
  readonly branch: string | null;
  readonly dirty: boolean | null;
  /** The launched file's snapshot artifact (tag labbook.source.snapshot). */
  readonly snapshotPath: string | null;
  readonly notebook: boolean;
  readonly hasPatch: boolean;
}

export interface CodeSection {
  readonly base: CodeFacts | null;
  readonly remote: CodeFacts | null;
  /** `abc1234..def5678` when both commits are known. */
  readonly range: string | null;
  readonly sameCommit: boolean | null;
  /** Null when a side has none to compare (or it could not be read). */
  readonly snapshotDiffers: boolean | null;
  readonly patchDiffers: boolean | null;
  /** Both snapshots are notebooks at one path: Labbook's notebook diff can show them. */
  readonly notebookPath: string | null;
  readonly notes: readonly string[];
}

export type PackageChangeKind = 'added' | 'removed' | 'upgraded' | 'downgraded' | 'changed';

export interface PackageChange {
  readonly name: string;
  /** The version, or the requirement's text (`pkg @ file://…`, `-e …`). */
  readonly base: string | null;
  readonly remote: string | null;
  readonly change: PackageChangeKind;
}

export interface EnvironmentSection {
  /** Requirement lines on each side; null when the side has no pip freeze. */
  readonly counts: { readonly base: number | null; readonly remote: number | null };
  readonly python: { readonly base: string | null; readonly remote: string | null };
  /** Only the packages that differ. */
  readonly packages: readonly PackageChange[];
  readonly notes: readonly string[];
}

export interface SignatureFacts {
  /** Where the MLmodel was read, e.g. `logged model m-… / MLmodel` or `run artifact model/MLmodel`. */
  readonly from: string;
  readonly inputs: SchemaColumns | null;
  readonly outputs: SchemaColumns | null;
  readonly params: SchemaColumns | null;
  /** The saved input example, bounded; null when none. */
  readonly example: { readonly path: string; readonly text: string; readonly truncated: boolean } | null;
}

export interface SignatureSection {
  readonly base: SignatureFacts | null;
  readonly remote: SignatureFacts | null;
  readonly inputs: readonly ColumnChange[];
  readonly outputs: readonly ColumnChange[];
  readonly params: readonly ColumnChange[];
  readonly exampleDiffers: boolean | null;
  readonly notes: readonly string[];
}

export interface WhatChanged {
  readonly base: SideInfo;
  readonly remote: SideInfo;
  /** One line per kind of difference, for the Summary. */
  readonly summary: readonly string[];
  readonly params: { readonly rows: readonly ParamChange[]; readonly notes: readonly string[] };
  readonly metrics: MetricsSection;
  readonly data: DataSection;
  readonly code: CodeSection;
  readonly environment: EnvironmentSection;
  readonly signature: SignatureSection;
  /** Whole-side problems (a version or run that could not be read). */
  readonly notes: readonly string[];
}
