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
  SearchRunsQuery,
  Tag,
  UpdateRunInput,
} from './types.ts';

/**
 * What every tracking store offers: the local SQLite store, a remote MLflow server, and read-only
 * stores over existing data (which throw `TrackingError('PERMISSION_DENIED')` on writes).
 * All methods fail with `TrackingError` for the caller's mistakes (unknown ids, bad values).
 */
export interface TrackingStore {
  /** A short human name for the store, e.g. the file path or the server URL. */
  readonly description: string;
  readonly readOnly: boolean;

  // Experiments
  createExperiment(name: string, options?: { artifactLocation?: string; tags?: readonly Tag[] }): Promise<string>;
  getExperiment(experimentId: string): Promise<Experiment>;
  getExperimentByName(name: string): Promise<Experiment | undefined>;
  searchExperiments(query?: SearchExperimentsQuery): Promise<Page<Experiment>>;
  renameExperiment(experimentId: string, newName: string): Promise<void>;
  deleteExperiment(experimentId: string): Promise<void>;
  restoreExperiment(experimentId: string): Promise<void>;
  setExperimentTag(experimentId: string, tag: Tag): Promise<void>;

  // Runs
  createRun(input: CreateRunInput): Promise<Run>;
  getRun(runId: string): Promise<Run>;
  updateRun(runId: string, update: UpdateRunInput): Promise<Run>;
  searchRuns(query: SearchRunsQuery): Promise<Page<Run>>;
  deleteRun(runId: string): Promise<void>;
  restoreRun(runId: string): Promise<void>;
  setTag(runId: string, tag: Tag): Promise<void>;
  deleteTag(runId: string, key: string): Promise<void>;

  // Params and metrics
  logParam(runId: string, key: string, value: string): Promise<void>;
  logMetric(runId: string, metric: Metric): Promise<void>;
  logBatch(runId: string, batch: LogBatchInput): Promise<void>;
  getMetricHistory(runId: string, key: string): Promise<readonly Metric[]>;
  /** The history cut into at most `buckets` step ranges, each keeping min, max and last. */
  getMetricHistoryDownsampled(runId: string, key: string, buckets: number): Promise<readonly MetricBucket[]>;

  // Artifacts
  listArtifacts(runId: string, path?: string): Promise<readonly FileInfo[]>;
  readArtifact(runId: string, path: string): Promise<Uint8Array>;
  writeArtifact(runId: string, path: string, content: Uint8Array): Promise<void>;

  // Model registry
  createRegisteredModel(name: string, options?: { description?: string; tags?: readonly Tag[] }): Promise<RegisteredModel>;
  getRegisteredModel(name: string): Promise<RegisteredModel>;
  searchRegisteredModels(query?: { filter?: string; maxResults?: number; pageToken?: string }): Promise<Page<RegisteredModel>>;
  deleteRegisteredModel(name: string): Promise<void>;
  setRegisteredModelTag(name: string, tag: Tag): Promise<void>;
  createModelVersion(name: string, source: string, runId: string, options?: { description?: string; tags?: readonly Tag[] }): Promise<ModelVersion>;
  getModelVersion(name: string, version: string): Promise<ModelVersion>;
  searchModelVersions(query?: { filter?: string; maxResults?: number; pageToken?: string }): Promise<Page<ModelVersion>>;
  setModelVersionTag(name: string, version: string, tag: Tag): Promise<void>;
  setRegisteredModelAlias(name: string, alias: string, version: string): Promise<void>;
  deleteRegisteredModelAlias(name: string, alias: string): Promise<void>;
  getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion>;

  close(): Promise<void>;
}

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
