/**
 * A TrackingStore over a remote MLflow tracking server's REST API 2.0. Artifacts go through the
 * server's proxied artifact routes (`mlflow server --serve-artifacts`, MLflow's default), so
 * Labbook never needs credentials for the server's own artifact storage.
 */
import { MlflowRestClient, type RestClientOptions } from '../../mlflow/restClient.ts';
import {
  experimentFromWire,
  loggedModelFromWire,
  metricFromWire,
  metricToWire,
  paramToWire,
  runFromWire,
  tagToWire,
} from '../../mlflow/wire.ts';
import { datasetInputToWire } from '../../mlflow/wireRunIo.ts';
import { downsampleMetricHistory } from '../downsample.ts';
import { invalidParameter, TrackingError } from '../errors.ts';
import { splitLogBatch } from '../logBatchChunks.ts';
import { replyField, replyPage, replyString } from './restReplies.ts';
import { RestArtifacts } from './restArtifacts.ts';
import { RestModelRegistry } from './restRegistry.ts';
import type { SearchLoggedModelsQuery } from '../loggedModelSearch.ts';
import type { LoggedModelArtifactReader, LoggedModelReader, RunInputsWriter, TrackingStore } from '../trackingStore.ts';
import type {
  CreateRunInput,
  DatasetInput,
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
} from '../types.ts';

const API = '/api/2.0/mlflow';
/** Bounds for loops over server pages, so a server that keeps sending tokens cannot hang us. */
const MAX_PAGES = 100_000;

export interface RestTrackingStoreOptions extends RestClientOptions {
  /** Points per get-history request. Default 10 000. */
  readonly metricHistoryPageSize?: number;
}

export class RestTrackingStore implements TrackingStore, LoggedModelReader, LoggedModelArtifactReader, RunInputsWriter {
  readonly description: string;
  readonly readOnly = false;
  readonly client: MlflowRestClient;
  private readonly registry: RestModelRegistry;
  private readonly artifacts: RestArtifacts;
  private readonly historyPageSize: number;

  constructor(options: RestTrackingStoreOptions) {
    this.client = new MlflowRestClient(options);
    this.description = this.client.baseUrl;
    this.registry = new RestModelRegistry(this.client);
    this.artifacts = new RestArtifacts(this.client, (runId) => this.getRun(runId));
    this.historyPageSize = Math.max(1, Math.floor(options.metricHistoryPageSize ?? 10_000));
  }

  // ---- experiments --------------------------------------------------------------------------

  async createExperiment(name: string, options: { artifactLocation?: string; tags?: readonly Tag[] } = {}): Promise<string> {
    const route = 'experiments/create';
    const reply = await this.client.post(`${API}/${route}`, {
      name,
      artifact_location: options.artifactLocation,
      tags: (options.tags ?? []).map(tagToWire),
    });
    return replyString(reply, 'experiment_id', route);
  }

  async getExperiment(experimentId: string): Promise<Experiment> {
    const route = 'experiments/get';
    const reply = await this.client.get(`${API}/${route}`, { experiment_id: experimentId });
    return experimentFromWire(replyField(reply, 'experiment', route));
  }

  async getExperimentByName(name: string): Promise<Experiment | undefined> {
    const route = 'experiments/get-by-name';
    try {
      const reply = await this.client.get(`${API}/${route}`, { experiment_name: name });
      return experimentFromWire(replyField(reply, 'experiment', route));
    } catch (err) {
      if (err instanceof TrackingError && err.code === 'RESOURCE_DOES_NOT_EXIST') return undefined;
      throw err;
    }
  }

  async searchExperiments(query: SearchExperimentsQuery = {}): Promise<Page<Experiment>> {
    const route = 'experiments/search';
    const reply = await this.client.post(
      `${API}/${route}`,
      {
        filter: query.filter,
        order_by: query.orderBy,
        max_results: query.maxResults,
        page_token: query.pageToken,
        view_type: query.viewType,
      },
      { idempotent: true },
    );
    return replyPage(reply, 'experiments', route, (e) => experimentFromWire(e));
  }

  async renameExperiment(experimentId: string, newName: string): Promise<void> {
    await this.client.post(`${API}/experiments/update`, { experiment_id: experimentId, new_name: newName }, { idempotent: true });
  }

  async deleteExperiment(experimentId: string): Promise<void> {
    await this.client.post(`${API}/experiments/delete`, { experiment_id: experimentId });
  }

  async restoreExperiment(experimentId: string): Promise<void> {
    await this.client.post(`${API}/experiments/restore`, { experiment_id: experimentId });
  }

  async setExperimentTag(experimentId: string, tag: Tag): Promise<void> {
    await this.client.post(
      `${API}/experiments/set-experiment-tag`,
      { experiment_id: experimentId, key: tag.key, value: tag.value },
      { idempotent: true },
    );
  }

  // ---- runs ---------------------------------------------------------------------------------

  async createRun(input: CreateRunInput): Promise<Run> {
    const route = 'runs/create';
    const reply = await this.client.post(`${API}/${route}`, {
      experiment_id: input.experimentId,
      run_name: input.runName,
      user_id: input.userId,
      start_time: input.startTime ?? Date.now(),
      tags: (input.tags ?? []).map(tagToWire),
    });
    const run = runFromWire(replyField(reply, 'run', route));
    // MLflow's create-run has no status: every run starts RUNNING.
    if (input.status !== undefined && input.status !== run.info.status) {
      return this.updateRun(run.info.runId, { status: input.status });
    }
    return run;
  }

  async getRun(runId: string): Promise<Run> {
    const route = 'runs/get';
    const reply = await this.client.get(`${API}/${route}`, { run_id: runId });
    return runFromWire(replyField(reply, 'run', route));
  }

  /**
   * As MLflow's update-run: ending a run does not set its end time unless given, and an end time
   * cannot be cleared (`endTime: null` leaves it as it is).
   */
  async updateRun(runId: string, update: UpdateRunInput): Promise<Run> {
    await this.client.post(
      `${API}/runs/update`,
      {
        run_id: runId,
        status: update.status,
        end_time: update.endTime ?? undefined,
        run_name: update.runName,
      },
      { idempotent: true },
    );
    // The reply has only the run info; the caller wants the whole run.
    return this.getRun(runId);
  }

  async searchRuns(query: SearchRunsQuery): Promise<Page<Run>> {
    const route = 'runs/search';
    const reply = await this.client.post(
      `${API}/${route}`,
      {
        experiment_ids: query.experimentIds,
        filter: query.filter,
        run_view_type: query.viewType,
        max_results: query.maxResults,
        order_by: query.orderBy,
        page_token: query.pageToken,
      },
      { idempotent: true },
    );
    return replyPage(reply, 'runs', route, (r) => runFromWire(r));
  }

  async deleteRun(runId: string): Promise<void> {
    await this.client.post(`${API}/runs/delete`, { run_id: runId });
  }

  async restoreRun(runId: string): Promise<void> {
    await this.client.post(`${API}/runs/restore`, { run_id: runId });
  }

  async setTag(runId: string, tag: Tag): Promise<void> {
    await this.client.post(`${API}/runs/set-tag`, { run_id: runId, key: tag.key, value: tag.value }, { idempotent: true });
  }

  async deleteTag(runId: string, key: string): Promise<void> {
    await this.client.post(`${API}/runs/delete-tag`, { run_id: runId, key });
  }

  // ---- params and metrics -------------------------------------------------------------------

  async logParam(runId: string, key: string, value: string): Promise<void> {
    // MLflow accepts the same value again and refuses a different one: a replay is harmless.
    await this.client.post(`${API}/runs/log-parameter`, { run_id: runId, key, value }, { idempotent: true });
  }

  async logMetric(runId: string, metric: Metric): Promise<void> {
    // metricToWire carries MLflow 3's model and dataset links when the metric has them.
    await this.client.post(`${API}/runs/log-metric`, { ...metricToWire(metric), run_id: runId });
  }

  /** Split into as many requests as MLflow's limits need, sent in order. Not atomic across them. */
  async logBatch(runId: string, batch: LogBatchInput): Promise<void> {
    for (const chunk of splitLogBatch(batch)) {
      await this.client.post(`${API}/runs/log-batch`, {
        run_id: runId,
        metrics: chunk.metrics.map(metricToWire),
        params: chunk.params.map(paramToWire),
        tags: chunk.tags.map(tagToWire),
      });
    }
  }

  /**
   * MLflow's log-inputs: the datasets (with their tags, e.g. `mlflow.data.context`) and logged
   * models a run consumed. The server keeps a dataset once per (name, digest) in the experiment
   * and a run's input once, so a replay is harmless.
   */
  async logInputs(runId: string, datasets: readonly DatasetInput[], models: readonly { modelId: string }[] = []): Promise<void> {
    await this.client.post(
      `${API}/runs/log-inputs`,
      { run_id: runId, datasets: datasets.map(datasetInputToWire), models: models.length > 0 ? models.map((m) => ({ model_id: m.modelId })) : undefined },
      { idempotent: true },
    );
  }

  /** Every point, paged from the server, ordered by step then timestamp. */
  async getMetricHistory(runId: string, key: string): Promise<readonly Metric[]> {
    const route = 'metrics/get-history';
    const points: Metric[] = [];
    const seenTokens = new Set<string>();
    let pageToken: string | undefined;
    for (let pages = 0; pages < MAX_PAGES; pages++) {
      const reply = await this.client.get(`${API}/${route}`, {
        run_id: runId,
        metric_key: key,
        max_results: this.historyPageSize,
        page_token: pageToken,
      });
      const page = replyPage(reply, 'metrics', route, (m) => metricFromWire(m));
      points.push(...page.items);
      pageToken = page.nextPageToken;
      if (pageToken === undefined) {
        // MLflow answers an unknown run with an empty history; other stores say it does not exist.
        if (points.length === 0) await this.getRun(runId);
        return points.sort((a, b) => a.step - b.step || a.timestamp - b.timestamp);
      }
      if (seenTokens.has(pageToken)) {
        throw new TrackingError('INTERNAL_ERROR', `The server at ${this.description} sent the same page token twice for the history of "${key}".`);
      }
      seenTokens.add(pageToken);
    }
    throw new TrackingError('INTERNAL_ERROR', `The history of "${key}" has more than ${MAX_PAGES} pages.`);
  }

  /** MLflow has no downsampling route for one run: fetch the history and bucket it here. */
  async getMetricHistoryDownsampled(runId: string, key: string, buckets: number): Promise<readonly MetricBucket[]> {
    if (!Number.isInteger(buckets) || buckets < 1) {
      throw invalidParameter(`The number of buckets must be a whole number of at least 1, not ${buckets}.`);
    }
    return downsampleMetricHistory(await this.getMetricHistory(runId, key), buckets);
  }

  // ---- artifacts ----------------------------------------------------------------------------

  listArtifacts(runId: string, path?: string): Promise<readonly FileInfo[]> {
    return this.artifacts.listArtifacts(runId, path);
  }
  readArtifact(runId: string, path: string): Promise<Uint8Array> {
    return this.artifacts.readArtifact(runId, path);
  }

  /** A logged model's own file, through the server's proxied artifacts (MLflow 3 keeps them apart from the run's). */
  async readLoggedModelArtifact(modelId: string, path: string): Promise<Uint8Array> {
    const model = await this.getLoggedModel(modelId);
    return this.artifacts.readAt(model.artifactLocation, path, `logged model ${modelId}`);
  }
  writeArtifact(runId: string, path: string, content: Uint8Array): Promise<void> {
    return this.artifacts.writeArtifact(runId, path, content);
  }

  // ---- model registry -----------------------------------------------------------------------

  createRegisteredModel(name: string, options?: { description?: string; tags?: readonly Tag[] }): Promise<RegisteredModel> {
    return this.registry.createRegisteredModel(name, options);
  }
  getRegisteredModel(name: string): Promise<RegisteredModel> {
    return this.registry.getRegisteredModel(name);
  }
  searchRegisteredModels(query?: SearchRegistryQuery): Promise<Page<RegisteredModel>> {
    return this.registry.searchRegisteredModels(query);
  }
  deleteRegisteredModel(name: string): Promise<void> {
    return this.registry.deleteRegisteredModel(name);
  }
  setRegisteredModelTag(name: string, tag: Tag): Promise<void> {
    return this.registry.setRegisteredModelTag(name, tag);
  }
  createModelVersion(name: string, source: string, runId: string, options?: { description?: string; tags?: readonly Tag[] }): Promise<ModelVersion> {
    return this.registry.createModelVersion(name, source, runId, options);
  }
  getModelVersion(name: string, version: string): Promise<ModelVersion> {
    return this.registry.getModelVersion(name, version);
  }
  searchModelVersions(query?: SearchRegistryQuery): Promise<Page<ModelVersion>> {
    return this.registry.searchModelVersions(query);
  }
  setModelVersionTag(name: string, version: string, tag: Tag): Promise<void> {
    return this.registry.setModelVersionTag(name, version, tag);
  }
  setRegisteredModelAlias(name: string, alias: string, version: string): Promise<void> {
    return this.registry.setRegisteredModelAlias(name, alias, version);
  }
  deleteRegisteredModelAlias(name: string, alias: string): Promise<void> {
    return this.registry.deleteRegisteredModelAlias(name, alias);
  }
  getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    return this.registry.getModelVersionByAlias(name, alias);
  }

  // ---- logged models (MLflow 3) -------------------------------------------------------------

  async getLoggedModel(modelId: string): Promise<LoggedModel> {
    const route = 'logged-models';
    const reply = await this.client.get(`${API}/${route}/${encodeURIComponent(modelId)}`);
    return loggedModelFromWire(replyField(reply, 'model', route));
  }

  async searchLoggedModels(experimentIds: readonly string[], query: SearchLoggedModelsQuery = {}): Promise<Page<LoggedModel>> {
    const route = 'logged-models/search';
    const reply = await this.client.post(
      `${API}/${route}`,
      {
        experiment_ids: experimentIds,
        filter: query.filter,
        datasets: query.datasets?.map((d) => ({ dataset_name: d.datasetName, dataset_digest: d.datasetDigest })),
        order_by: query.orderBy?.map((o) => ({ field_name: o.fieldName, ascending: o.ascending, dataset_name: o.datasetName, dataset_digest: o.datasetDigest })),
        max_results: query.maxResults,
        page_token: query.pageToken,
      },
      { idempotent: true },
    );
    return replyPage(reply, 'models', route, (m) => loggedModelFromWire(m));
  }

  /** Nothing to release: each request stands alone. */
  async close(): Promise<void> {}
}
