import { TrackingError } from './errors.ts';
import type { SearchLoggedModelsQuery } from './loggedModelSearch.ts';
import type {
  CreateRunInput,
  Experiment,
  FileInfo,
  LogBatchInput,
  LoggedModel,
  Metric,
  MetricBucket,
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
