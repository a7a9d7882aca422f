/**
 * What the Run Details panel shows, as plain JSON (ISO dates, no class instances). Built by the
 * helpers of this folder from a TrackingStore; src/protocol/runDetails.ts carries it to the webview.
 */
import type { RunProfiles } from '../profile/types.ts';
import type { LifecycleStage, Param, RunStatus } from '../store/types.ts';

/** Which run of which store: the store is the explorer root id (`local`, `remote:<url>`). */
export interface RunRef {
  readonly store: string;
  readonly runId: string;
}

/** A metric value that survives JSON: NaN and ±Infinity travel as their names. */
export type JsonNumber = number | 'NaN' | 'Infinity' | '-Infinity';

export interface GitInfo {
  readonly commit: string;
  readonly branch: string | null;
  readonly repoUrl: string | null;
  /** Whether the working tree had uncommitted changes at launch (labbook.git.dirty), when known. */
  readonly dirty: boolean | null;
  /** The launched file relative to the repository root, when known: what "open at commit" opens. */
  readonly repoPath: string | null;
}

export interface RunOverview {
  readonly runId: string;
  readonly runName: string;
  readonly status: RunStatus;
  readonly lifecycleStage: LifecycleStage;
  readonly experimentId: string;
  /** Null when the experiment could not be read. */
  readonly experimentName: string | null;
  readonly startTime: string | null;
  readonly endTime: string | null;
  /** labbook.durationMs when recorded, else end − start, else (running) now − start. */
  readonly durationMs: number | null;
  readonly user: string | null;
  /** mlflow.source.name: the launched file as recorded (repository-relative for Labbook launches). */
  readonly source: string | null;
  /** labbook.source.snapshot: the artifact path of the launched file's snapshot. */
  readonly sourceSnapshot: string | null;
  readonly git: GitInfo | null;
  readonly exitCode: number | null;
  /** mlflow.parentRunId: the run this one is nested under. */
  readonly parentRunId: string | null;
  /** labbook.reproduces: the run this one was launched to reproduce. */
  readonly reproduces: string | null;
  readonly artifactUri: string;
}

/** One point per downsampled bucket: its last value, with the bucket's min and max (finite only). */
export interface SparkPoint {
  readonly step: number;
  readonly value: number;
  readonly min: number;
  readonly max: number;
}

export interface Sparkline {
  readonly points: readonly SparkPoint[];
  /** Smallest and largest finite value over all buckets; null when there is none. */
  readonly min: number | null;
  readonly max: number | null;
  /** How many logged values the buckets cover. */
  readonly count: number;
  /** Buckets left out because their last value was NaN or infinite. */
  readonly skipped: number;
}

export interface MetricSummary {
  readonly key: string;
  readonly latest: JsonNumber;
  readonly step: number;
  readonly timestamp: string;
  /** Null when sparklines were not read for this metric (see RunDetails.sparklinesOmitted). */
  readonly sparkline: Sparkline | null;
}

export interface TagRow {
  readonly key: string;
  readonly value: string;
  /** `mlflow.*` and `labbook.*`: written by tools, shown under "system tags", not editable. */
  readonly system: boolean;
}

export interface RunDetails {
  readonly ref: RunRef;
  readonly storeDescription: string;
  /** The store refuses writes, or the run is deleted: tags and note cannot be edited. */
  readonly readOnly: boolean;
  readonly overview: RunOverview;
  readonly params: readonly Param[];
  readonly metrics: readonly MetricSummary[];
  /** Metrics past the sparkline budget, shown without one. */
  readonly sparklinesOmitted: number;
  readonly tags: readonly TagRow[];
  /** mlflow.note.content, '' when there is none. */
  readonly note: string;
  /** MLflow 3 dataset inputs and logged models; absent from details saved by older versions. */
  readonly lineage?: RunLineage;
  readonly loadedAt: string;
}

/** A dataset the run took as input, as MLflow records it (schema and profile as given, JSON text). */
export interface DatasetRow {
  readonly name: string;
  readonly digest: string;
  readonly sourceType: string;
  readonly source: string;
  /** mlflow.data.context (`training`, `eval`, …), when tagged. */
  readonly context: string | null;
  readonly tags: readonly { readonly key: string; readonly value: string }[];
  readonly schema: string | null;
  readonly profile: string | null;
}

export interface LoggedModelRow {
  readonly modelId: string;
  /** Null when the store could not read the model (another store, deleted since). */
  readonly name: string | null;
  /** The run made it (with the step), or took it as input. */
  readonly role: 'output' | 'input';
  readonly step: number | null;
  readonly status: string | null;
  readonly metrics: readonly { readonly key: string; readonly value: JsonNumber; readonly step: number; readonly dataset: string | null; readonly runId: string | null }[];
}

export interface RunLineage {
  readonly datasets: readonly DatasetRow[];
  readonly models: readonly LoggedModelRow[];
}

/** What getDetails answers: the details, or why there are none (each with a message for the user). */
export type RunDetailsResult =
  | { readonly kind: 'details'; readonly ref: RunRef; readonly details: RunDetails }
  | { readonly kind: 'missing'; readonly ref: RunRef; readonly message: string }
  | { readonly kind: 'unavailable'; readonly ref: RunRef; readonly message: string };

export interface ArtifactEntry {
  readonly path: string;
  readonly name: string;
  readonly isDir: boolean;
  /** Bytes, for files whose size the store reports. */
  readonly size: number | null;
}

/** How an artifact is previewed; chosen from its name, then checked against its bytes. */
export type PreviewKind = 'text' | 'json' | 'csv' | 'image' | 'binary';

export type ArtifactPreview =
  | { readonly kind: 'text'; readonly path: string; readonly size: number; readonly text: string; readonly truncated: boolean; readonly language: 'diff' | 'plain' }
  | { readonly kind: 'json'; readonly path: string; readonly size: number; readonly text: string; readonly truncated: boolean }
  | {
      readonly kind: 'csv';
      readonly path: string;
      readonly size: number;
      readonly header: readonly string[];
      readonly rows: readonly (readonly string[])[];
      /** More rows (or bytes) than shown. */
      readonly truncated: boolean;
    }
  | { readonly kind: 'image'; readonly path: string; readonly size: number; readonly mime: string; readonly dataUri: string }
  | { readonly kind: 'binary'; readonly path: string; readonly size: number }
  | { readonly kind: 'tooLarge'; readonly path: string; readonly size: number; readonly limit: number; readonly what: string }
  | { readonly kind: 'missing'; readonly path: string; readonly message: string };

/** A text artifact read with a bound: the head (or the tail, for logs) of at most `limit` bytes. */
export interface BoundedText {
  readonly path: string;
  readonly text: string;
  /** The artifact's size in bytes. */
  readonly size: number;
  readonly truncated: boolean;
}

export interface RunLog {
  /** Null when the run has no labbook/logs/output.log. */
  readonly log: BoundedText | null;
  /** Whether this is the tail (false: the whole log up to the "show all" bound). */
  readonly tail: boolean;
  readonly running: boolean;
}

export interface RunCode {
  readonly source: string | null;
  readonly snapshot: BoundedText | null;
  readonly patch: BoundedText | null;
}

export interface RunEnvironment {
  /** environment.json flattened to dotted keys and display values; null when absent. */
  readonly facts: readonly { readonly key: string; readonly value: string }[] | null;
  readonly requirements: readonly string[] | null;
  /** Problems reading what is there (e.g. environment.json is not JSON). */
  readonly problems: readonly string[];
}

export interface DataFingerprint {
  readonly path: string;
  readonly kind: string;
  readonly size: number | null;
  readonly mtime: string | null;
  readonly sha256: string | null;
  /** The DVC md5 (several joined by ', ' when a .dvc file records more than one out). */
  readonly dvcMd5: string | null;
  /** What the launcher noted, e.g. a missing path or a folder hash cut short. */
  readonly note: string | null;
}

/** A file or folder the run read or wrote, or an MLflow dataset it logged, for the Data tab. */
export interface DataFileRow {
  /** Relative to the run's working directory (the workspace folder for editor launches); a dataset's name. */
  readonly path: string;
  readonly kind: string;
  readonly size: number | null;
  readonly mtime: string | null;
  /** The sha256 of the content as the run read it (outputs: after the run), or an MLflow dataset's digest. */
  readonly hash: string | null;
  /** How Labbook knows of it: `observed`, `declared` (both joined by ', '), or `MLflow dataset`. */
  readonly found: string;
  readonly note: string | null;
}

export interface RunFingerprints {
  /** Null when the run has no labbook/data/fingerprints.json. */
  readonly fingerprints: readonly DataFingerprint[] | null;
  /** labbook/data.json's inputs and outputs, and MLflow dataset inputs Labbook did not log; absent when the run has none. */
  readonly files?: { readonly inputs: readonly DataFileRow[]; readonly outputs: readonly DataFileRow[] };
  /** One hash over all entries, when the launcher recorded it. */
  readonly combined: string | null;
  readonly problems: readonly string[];
  /** labbook/data/profile.json (a profile per tabular input, and the files that could not be profiled); absent when the run has none. */
  readonly profiles?: RunProfiles;
}
