/**
 * The tracking data model, shaped after MLflow's entities (see mlflow/protos/service.proto) in
 * camelCase plain JSON. Times are milliseconds since the epoch; steps are integers.
 * `src/core/mlflow/wire.ts` maps these to and from MLflow's snake_case REST bodies.
 */

export const RUN_STATUSES = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export type LifecycleStage = 'active' | 'deleted';
/** Which lifecycle stages a search returns (MLflow's ViewType). */
export type ViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';

export interface Tag {
  readonly key: string;
  readonly value: string;
}

export interface Param {
  readonly key: string;
  readonly value: string;
}

export interface Metric {
  readonly key: string;
  readonly value: number;
  readonly timestamp: number;
  readonly step: number;
  /** MLflow 3: the logged model (and the dataset) this value was measured for, when linked. */
  readonly modelId?: string;
  readonly datasetName?: string;
  readonly datasetDigest?: string;
}

export interface Experiment {
  readonly experimentId: string;
  readonly name: string;
  readonly artifactLocation: string;
  readonly lifecycleStage: LifecycleStage;
  readonly creationTime: number;
  readonly lastUpdateTime: number;
  readonly tags: readonly Tag[];
}

export interface RunInfo {
  readonly runId: string;
  readonly runName: string;
  readonly experimentId: string;
  readonly userId: string;
  readonly status: RunStatus;
  readonly startTime: number;
  readonly endTime: number | null;
  readonly artifactUri: string;
  readonly lifecycleStage: LifecycleStage;
}

export interface RunData {
  /** The latest value of each metric (highest step, then latest timestamp, then largest value). */
  readonly metrics: readonly Metric[];
  readonly params: readonly Param[];
  readonly tags: readonly Tag[];
}

/** A dataset as MLflow records it (mlflow.entities.Dataset): schema and profile are JSON text. */
export interface Dataset {
  readonly name: string;
  readonly digest: string;
  readonly sourceType: string;
  readonly source: string;
  readonly schema?: string;
  readonly profile?: string;
}

export interface DatasetInput {
  /** e.g. `mlflow.data.context` = `train`. */
  readonly tags: readonly Tag[];
  readonly dataset: Dataset;
}

/** What a run consumed (MLflow's RunInputs) and produced (RunOutputs). */
export interface RunInputs {
  readonly datasetInputs: readonly DatasetInput[];
  readonly modelInputs: readonly { readonly modelId: string }[];
}

export interface RunOutputs {
  readonly modelOutputs: readonly { readonly modelId: string; readonly step: number }[];
}

export interface Run {
  readonly info: RunInfo;
  readonly data: RunData;
  /** Absent from stores that cannot know them (mlruns folders, TensorBoard logs). */
  readonly inputs?: RunInputs;
  readonly outputs?: RunOutputs;
}

export interface Page<T> {
  readonly items: readonly T[];
  /** Opaque; absent on the last page. */
  readonly nextPageToken?: string;
}

export interface SearchExperimentsQuery {
  readonly filter?: string;
  readonly orderBy?: readonly string[];
  readonly maxResults?: number;
  readonly pageToken?: string;
  readonly viewType?: ViewType;
}

export interface SearchRunsQuery {
  readonly experimentIds: readonly string[];
  /** MLflow search syntax, e.g. `metrics.rmse < 0.8 and params.model = 'rf'`. */
  readonly filter?: string;
  /** e.g. `metrics.rmse ASC`, `attributes.start_time DESC`. */
  readonly orderBy?: readonly string[];
  readonly maxResults?: number;
  readonly pageToken?: string;
  readonly viewType?: ViewType;
}

/** A search of the model registry (registered models or their versions). */
export interface SearchRegistryQuery {
  readonly filter?: string;
  readonly maxResults?: number;
  readonly pageToken?: string;
}

export interface CreateRunInput {
  readonly experimentId: string;
  readonly runName?: string;
  readonly userId?: string;
  readonly startTime?: number;
  readonly status?: RunStatus;
  readonly tags?: readonly Tag[];
}

export interface UpdateRunInput {
  readonly status?: RunStatus;
  readonly endTime?: number | null;
  readonly runName?: string;
}

export interface LogBatchInput {
  readonly metrics?: readonly Metric[];
  readonly params?: readonly Param[];
  readonly tags?: readonly Tag[];
}

/** One bucket of a downsampled metric history: spikes survive as min/max. */
export interface MetricBucket {
  readonly stepStart: number;
  readonly stepEnd: number;
  readonly count: number;
  readonly min: number;
  readonly max: number;
  /** The value at the bucket's last step (latest timestamp on ties). */
  readonly last: number;
  readonly lastStep: number;
  readonly lastTimestamp: number;
}

/**
 * The same buckets as columns, one Float64Array per field and no object per bucket: what the
 * compare charts draw (and what crosses to the webview as binary).
 */
export interface MetricBucketColumns {
  /** The step of each bucket's last point. */
  readonly step: Float64Array;
  /** The timestamp (ms) of each bucket's last point. */
  readonly timestamp: Float64Array;
  /** NaN where the bucket holds only NaN values. */
  readonly min: Float64Array;
  readonly max: Float64Array;
  /** The value at the bucket's last point (NaN if that value is NaN). */
  readonly last: Float64Array;
}

export interface FileInfo {
  /** Path relative to the run's artifact root, '/'-separated. */
  readonly path: string;
  readonly isDir: boolean;
  /** Bytes, for files. */
  readonly fileSize?: number;
}

export interface RegisteredModel {
  readonly name: string;
  readonly creationTimestamp: number;
  readonly lastUpdatedTimestamp: number;
  readonly description: string;
  readonly tags: readonly Tag[];
  readonly aliases: readonly { readonly alias: string; readonly version: string }[];
  readonly latestVersions: readonly ModelVersion[];
}

export type ModelVersionStatus = 'PENDING_REGISTRATION' | 'FAILED_REGISTRATION' | 'READY';

export interface ModelVersion {
  readonly name: string;
  readonly version: string;
  readonly creationTimestamp: number;
  readonly lastUpdatedTimestamp: number;
  readonly description: string;
  /** Where the model's files are, e.g. `runs:/<run id>/model` or an artifact URI. */
  readonly source: string;
  readonly runId: string;
  readonly status: ModelVersionStatus;
  readonly tags: readonly Tag[];
  readonly aliases: readonly string[];
}

export type LoggedModelStatus = 'LOGGED_MODEL_PENDING' | 'LOGGED_MODEL_READY' | 'LOGGED_MODEL_UPLOAD_FAILED';
export const LOGGED_MODEL_STATUSES: readonly LoggedModelStatus[] = ['LOGGED_MODEL_PENDING', 'LOGGED_MODEL_READY', 'LOGGED_MODEL_UPLOAD_FAILED'];

/** MLflow 3's LoggedModel: what `mlflow.<flavor>.log_model` creates, with its linked metrics. */
export interface LoggedModel {
  readonly modelId: string;
  readonly experimentId: string;
  readonly name: string;
  readonly artifactLocation: string;
  readonly creationTimestamp: number;
  readonly lastUpdatedTimestamp: number;
  readonly status: LoggedModelStatus;
  readonly statusMessage: string;
  readonly modelType: string;
  readonly sourceRunId: string;
  readonly tags: readonly Tag[];
  readonly params: readonly Tag[];
  /** Every value logged with this model's id (each carries its run id), by key then step. */
  readonly metrics: readonly (Metric & { readonly runId?: string })[];
}
