import { TrackingError } from './errors.ts';
import type { TrackingStore } from './trackingStore.ts';
import { downsampleMetricHistory } from './downsample.ts';
import type {
  CreateRunInput,
  Experiment,
  FileInfo,
  LogBatchInput,
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
 * A store over data Labbook must not change (another tool's MLflow database or `mlruns/` folder,
 * which MLflow may still be writing). Every write is refused with PERMISSION_DENIED, so the UI can
 * say so instead of failing half-way; subclasses implement the reads only.
 *
 * Damaged entries met while reading are skipped and described in `warnings` (each once, and to
 * `onWarning` listeners); `refresh()` forgets what was read, so the next read sees the files as
 * they are now, and the warnings start over.
 */
export abstract class ReadOnlyStore implements TrackingStore {
  abstract readonly description: string;
  readonly readOnly = true;
  /** One line per entry skipped since the last refresh, naming the file and the problem. */
  readonly warnings: string[] = [];
  private readonly seen = new Set<string>();
  private readonly warningListeners = new Set<(message: string) => void>();

  /** Calls `listener` with each new warning; returns the unsubscribe function. */
  onWarning(listener: (message: string) => void): () => void {
    this.warningListeners.add(listener);
    return () => this.warningListeners.delete(listener);
  }

  /** Records a skipped entry (once per refresh). */
  protected warn(message: string): void {
    if (this.seen.has(message)) return;
    this.seen.add(message);
    this.warnings.push(message);
    for (const listener of this.warningListeners) listener(message);
  }

  /** Forgets what was read (subclasses drop their caches too) and the warnings with it. */
  refresh(): void {
    this.seen.clear();
    this.warnings.length = 0;
  }

  /** Rejects (never throws synchronously), so callers see the same failure as any store error. */
  protected refuse(what: string): Promise<never> {
    return Promise.reject(
      new TrackingError('PERMISSION_DENIED', `${this.description} is read-only: cannot ${what}. Labbook opens MLflow's own data without changing it.`),
    );
  }

  // Reads: each subclass answers these from its own format.
  abstract getExperiment(experimentId: string): Promise<Experiment>;
  abstract getExperimentByName(name: string): Promise<Experiment | undefined>;
  abstract searchExperiments(query?: SearchExperimentsQuery): Promise<Page<Experiment>>;
  abstract getRun(runId: string): Promise<Run>;
  abstract searchRuns(query: SearchRunsQuery): Promise<Page<Run>>;
  abstract getMetricHistory(runId: string, key: string): Promise<readonly Metric[]>;
  /** Stores over files hold no summaries: downsample the full history in memory. */
  async getMetricHistoryDownsampled(runId: string, key: string, buckets: number): Promise<readonly MetricBucket[]> {
    return downsampleMetricHistory(await this.getMetricHistory(runId, key), buckets);
  }
  abstract listArtifacts(runId: string, path?: string): Promise<readonly FileInfo[]>;
  abstract readArtifact(runId: string, path: string): Promise<Uint8Array>;
  abstract getRegisteredModel(name: string): Promise<RegisteredModel>;
  abstract searchRegisteredModels(query?: { filter?: string; maxResults?: number; pageToken?: string }): Promise<Page<RegisteredModel>>;
  abstract getModelVersion(name: string, version: string): Promise<ModelVersion>;
  abstract searchModelVersions(query?: { filter?: string; maxResults?: number; pageToken?: string }): Promise<Page<ModelVersion>>;
  abstract getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion>;
  abstract close(): Promise<void>;

  // Writes: all refused.
  createExperiment(name: string, _options?: { artifactLocation?: string; tags?: readonly Tag[] }): Promise<string> {
    return this.refuse(`create experiment '${name}'`);
  }
  renameExperiment(experimentId: string, _newName: string): Promise<void> {
    return this.refuse(`rename experiment ${experimentId}`);
  }
  deleteExperiment(experimentId: string): Promise<void> {
    return this.refuse(`delete experiment ${experimentId}`);
  }
  restoreExperiment(experimentId: string): Promise<void> {
    return this.refuse(`restore experiment ${experimentId}`);
  }
  setExperimentTag(experimentId: string, _tag: Tag): Promise<void> {
    return this.refuse(`tag experiment ${experimentId}`);
  }
  createRun(input: CreateRunInput): Promise<Run> {
    return this.refuse(`create a run in experiment ${input.experimentId}`);
  }
  updateRun(runId: string, _update: UpdateRunInput): Promise<Run> {
    return this.refuse(`update run ${runId}`);
  }
  deleteRun(runId: string): Promise<void> {
    return this.refuse(`delete run ${runId}`);
  }
  restoreRun(runId: string): Promise<void> {
    return this.refuse(`restore run ${runId}`);
  }
  setTag(runId: string, _tag: Tag): Promise<void> {
    return this.refuse(`tag run ${runId}`);
  }
  deleteTag(runId: string, _key: string): Promise<void> {
    return this.refuse(`delete a tag of run ${runId}`);
  }
  logParam(runId: string, _key: string, _value: string): Promise<void> {
    return this.refuse(`log a param to run ${runId}`);
  }
  logMetric(runId: string, _metric: Metric): Promise<void> {
    return this.refuse(`log a metric to run ${runId}`);
  }
  logBatch(runId: string, _batch: LogBatchInput): Promise<void> {
    return this.refuse(`log to run ${runId}`);
  }
  writeArtifact(runId: string, _path: string, _content: Uint8Array): Promise<void> {
    return this.refuse(`write an artifact of run ${runId}`);
  }
  createRegisteredModel(name: string, _options?: { description?: string; tags?: readonly Tag[] }): Promise<RegisteredModel> {
    return this.refuse(`register model '${name}'`);
  }
  deleteRegisteredModel(name: string): Promise<void> {
    return this.refuse(`delete model '${name}'`);
  }
  setRegisteredModelTag(name: string, _tag: Tag): Promise<void> {
    return this.refuse(`tag model '${name}'`);
  }
  createModelVersion(name: string, _source: string, _runId: string, _options?: { description?: string; tags?: readonly Tag[] }): Promise<ModelVersion> {
    return this.refuse(`create a version of model '${name}'`);
  }
  setModelVersionTag(name: string, version: string, _tag: Tag): Promise<void> {
    return this.refuse(`tag version ${version} of model '${name}'`);
  }
  setRegisteredModelAlias(name: string, alias: string, _version: string): Promise<void> {
    return this.refuse(`set alias '${alias}' of model '${name}'`);
  }
  deleteRegisteredModelAlias(name: string, alias: string): Promise<void> {
    return this.refuse(`delete alias '${alias}' of model '${name}'`);
  }
}
