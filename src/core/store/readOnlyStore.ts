import type { ReadableStore } from './trackingStore.ts';
import { downsampleMetricHistory } from './downsample.ts';
import type {
  Experiment,
  FileInfo,
  Metric,
  MetricBucket,
  ModelVersion,
  Page,
  RegisteredModel,
  Run,
  SearchExperimentsQuery,
  SearchRegistryQuery,
  SearchRunsQuery,
} from './types.ts';

/**
 * A store over data Labbook must not change (another tool's MLflow database or `mlruns/` folder,
 * which MLflow may still be writing). It implements the reader roles only, so no write compiles
 * against it; callers that may hold one ask `canWrite`/`requireWriter` (trackingStore.ts), which
 * refuse with PERMISSION_DENIED before anything is changed.
 *
 * Damaged entries met while reading are skipped and described in `warnings` (each once, and to
 * `onWarning` listeners); `refresh()` forgets what was read, so the next read sees the files as
 * they are now, and the warnings start over.
 */
export abstract class ReadOnlyStore implements ReadableStore {
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
  abstract searchRegisteredModels(query?: SearchRegistryQuery): Promise<Page<RegisteredModel>>;
  abstract getModelVersion(name: string, version: string): Promise<ModelVersion>;
  abstract searchModelVersions(query?: SearchRegistryQuery): Promise<Page<ModelVersion>>;
  abstract getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion>;
  abstract close(): Promise<void>;
}
