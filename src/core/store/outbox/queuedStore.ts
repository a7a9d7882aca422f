// A remote store whose writes go through the outbox: what Labbook itself logs into a run on an
// MLflow server (printed metrics, end tags, the final status) is durable on disk before the call
// returns, and reaches the server in order when it can — a server that blinks at the end of a run
// loses nothing. Dataset inputs (`logInputs`) are queued the same way. Reads, run creation and artifacts go straight to the server (a run id is needed
// before the process starts; artifact bytes are not queued).
import type { Outbox } from './outbox.ts';
import type { RunInputsWriter, TrackingStore } from '../trackingStore.ts';
import type {
  CreateRunInput,
  DatasetInput,
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
  SearchRegistryQuery,
  SearchRunsQuery,
  Tag,
  UpdateRunInput,
} from '../types.ts';

export interface QueuedStoreOptions {
  /** Called when a flush stops early (the server is unreachable); the writes stay queued. */
  readonly onFlushError?: (err: unknown) => void;
}

/**
 * What became of a run update sent through the outbox. Never a made-up `Run`: while the server is
 * down nothing knows the run's current state, only that the update waits on disk.
 */
export type QueuedRunUpdate =
  /** The server took it. */
  | { readonly state: 'shipped'; readonly runId: string }
  /** The server is unreachable: the update waits in the outbox (`pending` writes in all) and ships when it is back. */
  | { readonly state: 'queued'; readonly runId: string; readonly pending: number; readonly reason: string }
  /** The server refused it for good; the outbox keeps it aside, with the server's answer. */
  | { readonly state: 'refused'; readonly runId: string; readonly reason: string };

/** A remote store whose run writes (and dataset inputs) go through an outbox: `updateRun` says whether the update shipped. */
export interface QueuedTrackingStore extends Omit<TrackingStore, 'updateRun'>, RunInputsWriter {
  updateRun(runId: string, update: UpdateRunInput): Promise<QueuedRunUpdate>;
}

/**
 * `remote` with its run writes queued in `outbox` (which must ship to that same remote): a typed
 * decorator. `logBatch`, `logParam`, `logMetric`, `setTag`, `logInputs` and `updateRun` are durable
 * in the outbox before they return; every other method is the remote's own.
 */
export class QueuedStore implements QueuedTrackingStore {
  private readonly remote: TrackingStore;
  private readonly outbox: Outbox;
  private readonly options: QueuedStoreOptions;

  constructor(remote: TrackingStore, outbox: Outbox, options: QueuedStoreOptions = {}) {
    this.remote = remote;
    this.outbox = outbox;
    this.options = options;
  }

  get description(): string {
    return this.remote.description;
  }

  get readOnly(): boolean {
    return this.remote.readOnly;
  }

  // ── run writes: through the outbox ──────────────────────────────────────────────────────────

  async logBatch(runId: string, batch: LogBatchInput): Promise<void> {
    this.outbox.logBatch(runId, batch);
    await this.flush();
  }

  async logParam(runId: string, key: string, value: string): Promise<void> {
    this.outbox.logBatch(runId, { params: [{ key, value }] });
    await this.flush();
  }

  async logMetric(runId: string, metric: Metric): Promise<void> {
    this.outbox.logBatch(runId, { metrics: [metric] });
    await this.flush();
  }

  async setTag(runId: string, tag: Tag): Promise<void> {
    this.outbox.setTag(runId, tag);
    await this.flush();
  }

  /** MLflow's log_inputs, queued as one entry; it ships when the server takes it. */
  async logInputs(runId: string, datasets: readonly DatasetInput[], models: readonly { modelId: string }[] = []): Promise<void> {
    this.outbox.logInputs(runId, datasets, models);
    await this.flush();
  }

  async updateRun(runId: string, update: UpdateRunInput): Promise<QueuedRunUpdate> {
    const seq = this.outbox.updateRun(runId, update);
    await this.flush();
    const entry = this.outbox.entryState(seq);
    switch (entry.state) {
      case 'shipped':
        return { state: 'shipped', runId };
      case 'pending':
        return { state: 'queued', runId, pending: this.outbox.state().pending, reason: entry.error ?? this.outbox.state().lastError ?? 'the server did not answer' };
      case 'failed':
        return { state: 'refused', runId, reason: entry.error ?? 'refused by the server' };
    }
  }

  private async flush(): Promise<void> {
    try {
      await this.outbox.flush();
    } catch (err) {
      this.options.onFlushError?.(err);
    }
  }

  // ── everything else: the remote's own ──────────────────────────────────────────────────────

  getExperiment(experimentId: string): Promise<Experiment> {
    return this.remote.getExperiment(experimentId);
  }
  getExperimentByName(name: string): Promise<Experiment | undefined> {
    return this.remote.getExperimentByName(name);
  }
  searchExperiments(query?: SearchExperimentsQuery): Promise<Page<Experiment>> {
    return this.remote.searchExperiments(query);
  }
  getRun(runId: string): Promise<Run> {
    return this.remote.getRun(runId);
  }
  searchRuns(query: SearchRunsQuery): Promise<Page<Run>> {
    return this.remote.searchRuns(query);
  }
  getMetricHistory(runId: string, key: string): Promise<readonly Metric[]> {
    return this.remote.getMetricHistory(runId, key);
  }
  getMetricHistoryDownsampled(runId: string, key: string, buckets: number): Promise<readonly MetricBucket[]> {
    return this.remote.getMetricHistoryDownsampled(runId, key, buckets);
  }
  listArtifacts(runId: string, path?: string): Promise<readonly FileInfo[]> {
    return this.remote.listArtifacts(runId, path);
  }
  readArtifact(runId: string, path: string): Promise<Uint8Array> {
    return this.remote.readArtifact(runId, path);
  }
  createExperiment(name: string, options?: { artifactLocation?: string; tags?: readonly Tag[] }): Promise<string> {
    return this.remote.createExperiment(name, options);
  }
  renameExperiment(experimentId: string, newName: string): Promise<void> {
    return this.remote.renameExperiment(experimentId, newName);
  }
  deleteExperiment(experimentId: string): Promise<void> {
    return this.remote.deleteExperiment(experimentId);
  }
  restoreExperiment(experimentId: string): Promise<void> {
    return this.remote.restoreExperiment(experimentId);
  }
  setExperimentTag(experimentId: string, tag: Tag): Promise<void> {
    return this.remote.setExperimentTag(experimentId, tag);
  }
  /** Straight to the server: the run id is needed before the process starts. */
  createRun(input: CreateRunInput): Promise<Run> {
    return this.remote.createRun(input);
  }
  deleteRun(runId: string): Promise<void> {
    return this.remote.deleteRun(runId);
  }
  restoreRun(runId: string): Promise<void> {
    return this.remote.restoreRun(runId);
  }
  deleteTag(runId: string, key: string): Promise<void> {
    return this.remote.deleteTag(runId, key);
  }
  /** Straight to the server: artifact bytes are not queued. */
  writeArtifact(runId: string, path: string, content: Uint8Array): Promise<void> {
    return this.remote.writeArtifact(runId, path, content);
  }
  getRegisteredModel(name: string): Promise<RegisteredModel> {
    return this.remote.getRegisteredModel(name);
  }
  searchRegisteredModels(query?: SearchRegistryQuery): Promise<Page<RegisteredModel>> {
    return this.remote.searchRegisteredModels(query);
  }
  getModelVersion(name: string, version: string): Promise<ModelVersion> {
    return this.remote.getModelVersion(name, version);
  }
  searchModelVersions(query?: SearchRegistryQuery): Promise<Page<ModelVersion>> {
    return this.remote.searchModelVersions(query);
  }
  getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    return this.remote.getModelVersionByAlias(name, alias);
  }
  createRegisteredModel(name: string, options?: { description?: string; tags?: readonly Tag[] }): Promise<RegisteredModel> {
    return this.remote.createRegisteredModel(name, options);
  }
  deleteRegisteredModel(name: string): Promise<void> {
    return this.remote.deleteRegisteredModel(name);
  }
  setRegisteredModelTag(name: string, tag: Tag): Promise<void> {
    return this.remote.setRegisteredModelTag(name, tag);
  }
  createModelVersion(name: string, source: string, runId: string, options?: { description?: string; tags?: readonly Tag[] }): Promise<ModelVersion> {
    return this.remote.createModelVersion(name, source, runId, options);
  }
  setModelVersionTag(name: string, version: string, tag: Tag): Promise<void> {
    return this.remote.setModelVersionTag(name, version, tag);
  }
  setRegisteredModelAlias(name: string, alias: string, version: string): Promise<void> {
    return this.remote.setRegisteredModelAlias(name, alias, version);
  }
  deleteRegisteredModelAlias(name: string, alias: string): Promise<void> {
    return this.remote.deleteRegisteredModelAlias(name, alias);
  }
  close(): Promise<void> {
    return this.remote.close();
  }
}
