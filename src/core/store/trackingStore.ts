import { TrackingError } from './errors.ts';
import type { SearchLoggedModelsQuery } from './loggedModelSearch.ts';
import type {
  CreateRunInput,
  DatasetInput,
  Experiment,
  FileInfo,
  LogBatchInput,
  LoggedModel,
  Metric,
  MetricBucket,
  MetricBucketColumns,
  ModelVersion,
  Page,
  RegisteredModel,
  Run,
  SearchExperimentsQuery,
  SearchRegistryQuery,
  SearchRunsQuery,
  Tag,
  UpdateRunInput,
} from './types.ts';

// A store implements the roles it can: every store reads (`ReadableStore`); the local store and an
// MLflow server also write (`TrackingStore`); stores over another tool's data (an `mlflow.db`, an
// `mlruns/` folder, TensorBoard logs) do not, and the type system says so. A caller that may hold
// a read-only store asks for the writer role with `canWrite`/`requireWriter`.
// All methods fail with `TrackingError` for the caller's mistakes (unknown ids, bad values).

/** What names a store and lets it go; part of every role. */
export interface StoreHandle {
  /** A short human name for the store, e.g. the file path or the server URL. */
  readonly description: string;
  /** True for stores over data Labbook must not change (they implement no writer role). */
  readonly readOnly: boolean;
  close(): Promise<void>;
}

/** Reading experiments, runs, metrics and artifacts. */
export interface TrackingReader extends StoreHandle {
  getExperiment(experimentId: string): Promise<Experiment>;
  getExperimentByName(name: string): Promise<Experiment | undefined>;
  searchExperiments(query?: SearchExperimentsQuery): Promise<Page<Experiment>>;
  getRun(runId: string): Promise<Run>;
  searchRuns(query: SearchRunsQuery): Promise<Page<Run>>;
  getMetricHistory(runId: string, key: string): Promise<readonly Metric[]>;
  /** The history cut into at most `buckets` step ranges, each keeping min, max and last. */
  getMetricHistoryDownsampled(runId: string, key: string, buckets: number): Promise<readonly MetricBucket[]>;
  listArtifacts(runId: string, path?: string): Promise<readonly FileInfo[]>;
  readArtifact(runId: string, path: string): Promise<Uint8Array>;
}

/** Creating, changing, tagging and deleting experiments and runs, logging to runs. */
export interface TrackingWriter extends StoreHandle {
  createExperiment(name: string, options?: { artifactLocation?: string; tags?: readonly Tag[] }): Promise<string>;
  renameExperiment(experimentId: string, newName: string): Promise<void>;
  deleteExperiment(experimentId: string): Promise<void>;
  restoreExperiment(experimentId: string): Promise<void>;
  setExperimentTag(experimentId: string, tag: Tag): Promise<void>;
  createRun(input: CreateRunInput): Promise<Run>;
  updateRun(runId: string, update: UpdateRunInput): Promise<Run>;
  deleteRun(runId: string): Promise<void>;
  restoreRun(runId: string): Promise<void>;
  setTag(runId: string, tag: Tag): Promise<void>;
  deleteTag(runId: string, key: string): Promise<void>;
  logParam(runId: string, key: string, value: string): Promise<void>;
  logMetric(runId: string, metric: Metric): Promise<void>;
  logBatch(runId: string, batch: LogBatchInput): Promise<void>;
  writeArtifact(runId: string, path: string, content: Uint8Array): Promise<void>;
}

/** Reading the model registry: registered models, their versions and aliases. */
export interface ModelRegistryReader extends StoreHandle {
  getRegisteredModel(name: string): Promise<RegisteredModel>;
  searchRegisteredModels(query?: SearchRegistryQuery): Promise<Page<RegisteredModel>>;
  getModelVersion(name: string, version: string): Promise<ModelVersion>;
  searchModelVersions(query?: SearchRegistryQuery): Promise<Page<ModelVersion>>;
  getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion>;
}

/** Changing the model registry. */
export interface ModelRegistryWriter extends StoreHandle {
  createRegisteredModel(name: string, options?: { description?: string; tags?: readonly Tag[] }): Promise<RegisteredModel>;
  deleteRegisteredModel(name: string): Promise<void>;
  setRegisteredModelTag(name: string, tag: Tag): Promise<void>;
  createModelVersion(name: string, source: string, runId: string, options?: { description?: string; tags?: readonly Tag[] }): Promise<ModelVersion>;
  setModelVersionTag(name: string, version: string, tag: Tag): Promise<void>;
  setRegisteredModelAlias(name: string, alias: string, version: string): Promise<void>;
  deleteRegisteredModelAlias(name: string, alias: string): Promise<void>;
}

export type ModelRegistry = ModelRegistryReader & ModelRegistryWriter;

/** What every store offers, read-only ones included. */
export type ReadableStore = TrackingReader & ModelRegistryReader;

/** A full store (the local SQLite store, an MLflow server): every role but logged models. */
export type TrackingStore = ReadableStore & TrackingWriter & ModelRegistryWriter;

/**
 * MLflow 3's logged models (with their linked metrics), for the stores that keep them: the local
 * store, an MLflow database and an MLflow server. Others (mlruns folders, TensorBoard) do not.
 */
export interface LoggedModelReader {
  getLoggedModel(modelId: string): Promise<LoggedModel>;
  searchLoggedModels(experimentIds: readonly string[], query?: SearchLoggedModelsQuery): Promise<Page<LoggedModel>>;
}

/** A logged model's own files (MLflow 3 keeps them apart from the run's artifacts, e.g. its `MLmodel`): the local store and an MLflow server. */
export interface LoggedModelArtifactReader {
  readLoggedModelArtifact(modelId: string, path: string): Promise<Uint8Array>;
}

export function readsLoggedModelArtifacts<T extends object>(store: T): store is T & LoggedModelArtifactReader {
  return typeof (store as Partial<LoggedModelArtifactReader>).readLoggedModelArtifact === 'function';
}

/** MLflow's log_inputs (datasets and models a run consumed): the local store and an MLflow server. */
export interface RunInputsWriter {
  logInputs(runId: string, datasets: readonly DatasetInput[], models?: readonly { modelId: string }[]): Promise<void>;
}

export function writesRunInputs<T extends object>(store: T): store is T & RunInputsWriter {
  return typeof (store as Partial<RunInputsWriter>).logInputs === 'function';
}

/**
 * Downsampled histories as columns (the buckets of getMetricHistoryDownsampled without an object
 * each): the local store, which builds them straight from its tiles.
 */
export interface BucketColumnsReader {
  getMetricHistoryColumns(runId: string, key: string, buckets: number): Promise<MetricBucketColumns>;
}

export function readsBucketColumns<T extends object>(store: T): store is T & BucketColumnsReader {
  return typeof (store as Partial<BucketColumnsReader>).getMetricHistoryColumns === 'function';
}

export function readsLoggedModels<T extends object>(store: T): store is T & LoggedModelReader {
  const candidate = store as Partial<LoggedModelReader>;
  return typeof candidate.getLoggedModel === 'function' && typeof candidate.searchLoggedModels === 'function';
}

/** Whether `store` takes writes (runs, experiments and the registry), not only reads. */
export function canWrite<T extends ReadableStore>(store: T): store is T & TrackingWriter & ModelRegistryWriter {
  const candidate = store as Partial<TrackingWriter & ModelRegistryWriter> & StoreHandle;
  return !candidate.readOnly && typeof candidate.createRun === 'function' && typeof candidate.createModelVersion === 'function';
}

/** The refusal a read-only store gives for a write: PERMISSION_DENIED, naming the store and what was refused. */
export function readOnlyRefusal(store: StoreHandle, what: string): TrackingError {
  return new TrackingError('PERMISSION_DENIED', `${store.description} is read-only: cannot ${what}. Labbook opens MLflow's own data without changing it.`);
}

/** `store` as a writer, or the read-only refusal for `what` (e.g. `rename experiment 3`). */
export function requireWriter<T extends ReadableStore>(store: T, what: string): T & TrackingWriter & ModelRegistryWriter {
  if (!canWrite(store)) throw readOnlyRefusal(store, what);
  return store;
}

/** The param, metric and tag keys the runs of some experiments have: the Runs Table's columns. */
export interface RunKeys {
  readonly params: readonly string[];
  readonly metrics: readonly string[];
  readonly tags: readonly string[];
}

/** A metric's smallest and largest logged value in one run (NaN points left out). */
export interface MetricExtremes {
  readonly min: number;
  readonly max: number;
}

/**
 * How many of the runs have a column, and whether its value is the same in all of them. The count
 * is exact for a uniform column; a column with two values may report any count from 1 (it differs
 * either way, and a store need not count it).
 */
export interface KeySpread {
  readonly present: number;
  readonly uniform: boolean;
}

/** Per column over the runs a search matches: by column id (`params.x`, `metrics.x`, `min:metrics.x`, `attributes.status`). */
export interface ColumnSpread {
  readonly runs: number;
  readonly columns: ReadonlyMap<string, KeySpread>;
}

/** Metric keys read as their last value, or as the min or the max of their history. */
export interface MetricSelection {
  readonly last: readonly string[];
  readonly min: readonly string[];
  readonly max: readonly string[];
}

export interface GroupByKey {
  readonly kind: 'param' | 'tag';
  readonly key: string;
}

/** Count, mean, sum of squared deviations from the mean (m2), min and max of some finite values. */
export interface Moments {
  readonly n: number;
  readonly mean: number;
  readonly m2: number;
  readonly min: number;
  readonly max: number;
}

/**
 * Part of the group aggregates of the runs a search matches, computed by the store: runs per group
 * (the group key is the JSON array of the run's group-by values, null where it has none), and the
 * moments of each metric value's finite values per group over a chunk of runs, as
 * [group key, `last:key` | `min:key` | `max:key`, moments]. Chunks are merged (Chan et al.).
 */
export interface GroupAggregatesChunk {
  readonly groups: readonly (readonly [string, number])[];
  readonly aggregates: readonly (readonly [string, string, Moments])[];
}

/**
 * What the Runs Table asks of a store beyond the search, for stores that answer it without
 * reading every run (the local SQLite store, in SQL). Others are paged through their search.
 * Active runs only, as the table shows them.
 */
export interface RunTableQueries {
  /** The distinct keys over the active runs of these experiments, each list sorted. */
  runKeys(experimentIds: readonly string[]): Promise<RunKeys>;
  /** How many runs a search matches (its paging ignored). */
  countRuns(query: SearchRunsQuery): Promise<number>;
  /** Runs [offset, offset + limit) of a search, without walking its page tokens; `only`: just these keys' values. */
  searchRunsAt(query: SearchRunsQuery, offset: number, limit: number, only?: RunKeys): Promise<readonly Run[]>;
  /** Min and max of each named metric's history in each named run: runId → key → extremes. */
  metricExtremes(runIds: readonly string[], keys: readonly string[]): Promise<ReadonlyMap<string, ReadonlyMap<string, MetricExtremes>>>;
  /** For "differing only": per column, how many matching runs have it and whether its value is the same in all. */
  columnSpread(query: SearchRunsQuery, metrics: MetricSelection): Promise<ColumnSpread>;
  /** The matching runs' groups and each metric value's moments per group, a chunk of runs at a time (so no query blocks for long). */
  groupAggregates(query: SearchRunsQuery, groupBy: readonly GroupByKey[], metrics: MetricSelection): AsyncIterable<GroupAggregatesChunk>;
}

export function answersRunTableQueries<T extends object>(store: T): store is T & RunTableQueries {
  const candidate = store as Partial<RunTableQueries>;
  return ['runKeys', 'countRuns', 'searchRunsAt', 'metricExtremes', 'columnSpread', 'groupAggregates'].every((m) => typeof (candidate as Record<string, unknown>)[m] === 'function');
}
