import type { Statement } from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { openDatabase, type SqliteDatabase, type SqliteRuntime } from '../../sqlite/openDatabase.ts';
import { currentUserName } from '../../system/currentUser.ts';
import { ArtifactFolder } from '../artifactFolder.ts';
import { invalidParameter, TrackingError } from '../errors.ts';
import { searchLoggedModelsInMemory, type SearchLoggedModelsQuery } from '../loggedModelSearch.ts';
import type { BucketColumnsReader, ColumnSpread, GroupAggregatesChunk, GroupByKey, LoggedModelArtifactReader, LoggedModelReader, MetricExtremes, MetricSelection, RunKeys, RunTableQueries, TrackingStore } from '../trackingStore.ts';
import type {
  CreateRunInput, DatasetInput, Experiment, FileInfo, LogBatchInput, LoggedModel, Metric, MetricBucket, MetricBucketColumns, ModelVersion, Page,
  RegisteredModel, Run, SearchExperimentsQuery, SearchRegistryQuery, SearchRunsQuery, Tag, UpdateRunInput,
} from '../types.ts';
import { RUN_STATUSES } from '../types.ts';
import { validateBatch, validateExperimentName, validateMetric, validateParam, validateTag } from '../validation.ts';
import { withMetricLinks } from '../metricLinks.ts';
import { settled } from '../settled.ts';
import { ExperimentTables } from './experimentTables.ts';
import { LoggedModelTables } from './loggedModelTables.ts';
import { MetricsTable } from './metricsTable.ts';
import { migrate } from './migrations.ts';
import { RegistryTables } from './registryTables.ts';
import { recordRunInputs, recordRunOutputs } from './runIoTable.ts';
import { activeRunRow, generateRunName, loadRuns, runByKey, runRow, setRunTags } from './runRows.ts';
import { searchRunRows } from './sqliteSearch.ts';
import { deleteRunTag, insertParams, insertRun, setRunStage, updateRunRow } from './runWrites.ts';
import * as runTable from './runTableQueries.ts';
import { WalCheckpointer, type WalCheckpointOptions } from './walCheckpointer.ts';

export interface SqliteStoreOptions {
  readonly runtime?: SqliteRuntime;
  /** Folder for artifacts; default: `artifacts/` beside the database file. */
  readonly artifactRoot?: string;
  readonly now?: () => number;
  /** Recorded as a run's user when the caller names none. */
  readonly user?: string;
  /** When WAL checkpoints run (walCheckpointer.ts); the defaults suit every caller but tests. */
  readonly checkpoints?: WalCheckpointOptions;
}

/**
 * The embedded default store: one SQLite file (WAL, busy timeout, IMMEDIATE write transactions)
 * that several windows and processes write at once, and an artifact folder beside it.
 */
export class SqliteTrackingStore implements TrackingStore, LoggedModelReader, LoggedModelArtifactReader, RunTableQueries, BucketColumnsReader {
  readonly readOnly = false;
  readonly description: string;
  readonly file: string;
  readonly artifacts: ArtifactFolder;
  private readonly db: SqliteDatabase;
  private readonly now: () => number;
  private readonly user: string;
  private readonly experiments: ExperimentTables;
  private readonly metrics: MetricsTable;
  private readonly registry: RegistryTables;
  private readonly bumpChangeSeq: Statement;
  private readonly readChangeSeq: Statement;
  /** Checkpoints the WAL after writes, off the write itself. */
  readonly checkpointer: WalCheckpointer;
  /** MLflow 3 LoggedModel entities, for the MLflow endpoint (not part of TrackingStore). */
  readonly loggedModels: LoggedModelTables;

  constructor(file: string, options: SqliteStoreOptions = {}) {
    this.file = path.resolve(file);
    this.description = this.file;
    mkdirSync(path.dirname(this.file), { recursive: true });
    this.db = openDatabase(this.file, options.runtime ?? {}, { busyTimeoutMs: 15_000 });
    // MLflow's LIKE is case-sensitive; ILIKE is the case-insensitive one.
    this.db.pragma('case_sensitive_like = ON');
    this.db.pragma('synchronous = NORMAL');
    migrate(this.db);
    this.checkpointer = new WalCheckpointer(this.db, { file: this.file, runtime: options.runtime ?? {} }, options.checkpoints);
    this.artifacts = new ArtifactFolder(options.artifactRoot ?? path.join(path.dirname(this.file), 'artifacts'));
    this.now = options.now ?? Date.now;
    this.user = options.user ?? currentUserName();
    this.experiments = new ExperimentTables(this.db, this.now);
    this.metrics = new MetricsTable(this.db);
    this.registry = new RegistryTables(this.db, this.now);
    this.loggedModels = new LoggedModelTables(this.db, this.now);
    this.bumpChangeSeq = this.db.prepare('UPDATE store_meta SET change_seq = change_seq + 1 WHERE id = 1');
    this.readChangeSeq = this.db.prepare('SELECT change_seq FROM store_meta WHERE id = 1').pluck();
  }

  /** Runs `fn` in one IMMEDIATE write transaction (for callers outside TrackingStore). */
  transaction<T>(fn: () => T): T {
    return this.write(fn);
  }

  /** MLflow's log_inputs: datasets (with their tags) and models a run consumed. */
  logInputs(runId: string, datasets: readonly DatasetInput[], models: readonly { modelId: string }[] = []): Promise<void> {
    return settled(() => {
      for (const input of datasets) input.tags.forEach(validateTag);
      this.write(() => recordRunInputs(this.db, activeRunRow(this.db, runId).run_key, datasets, models));
    });
  }

  /** MLflow 3's log_outputs: the logged models a run produced, each at a step. */
  logOutputs(runId: string, models: readonly { modelId: string; step: number }[]): Promise<void> {
    return settled(() => this.write(() => recordRunOutputs(this.db, activeRunRow(this.db, runId).run_key, models)));
  }

  private readonly writeListeners = new Set<() => void>();

  /** Runs `fn` in one IMMEDIATE transaction: the write lock is taken up front, so no deadlock. */
  private write<T>(fn: () => T): T {
    const result = this.db
      .transaction(() => {
        const value = fn();
        this.bumpChangeSeq.run();
        return value;
      })
      .immediate();
    this.checkpointer.afterWrite();
    for (const listener of this.writeListeners) {
      try {
        listener();
      } catch {
        // A listener's failure must not turn a committed write into an error.
      }
    }
    return result;
  }

  /** Called after each write through this connection; returns the unsubscribe function. */
  onDidWrite(listener: () => void): () => void {
    this.writeListeners.add(listener);
    return () => this.writeListeners.delete(listener);
  }

  /**
   * A number that grows with every write to the file, by any connection (another window, a
   * script logging through `labbook serve`): one indexed row, cheap enough to poll.
   */
  changeSeq(): number {
    return this.readChangeSeq.get() as number;
  }

  // ── Experiments ──────────────────────────────────────────────────────────────────────────

  createExperiment(name: string, options: { artifactLocation?: string; tags?: readonly Tag[] } = {}): Promise<string> {
    return settled(() => {
      validateExperimentName(name);
      for (const tag of options.tags ?? []) validateTag(tag);
      return this.write(() => this.experiments.create(name, options));
    });
  }

  getExperiment(experimentId: string): Promise<Experiment> {
    return settled(() => this.experiments.get(experimentId));
  }

  getExperimentByName(name: string): Promise<Experiment | undefined> {
    return settled(() => this.experiments.getByName(name));
  }

  searchExperiments(query: SearchExperimentsQuery = {}): Promise<Page<Experiment>> {
    return settled(() => this.experiments.search(query));
  }

  renameExperiment(experimentId: string, newName: string): Promise<void> {
    return settled(() => {
      validateExperimentName(newName);
      this.write(() => this.experiments.rename(experimentId, newName));
    });
  }

  deleteExperiment(experimentId: string): Promise<void> {
    return settled(() => this.write(() => this.experiments.setStage(experimentId, 'deleted')));
  }

  restoreExperiment(experimentId: string): Promise<void> {
    return settled(() => this.write(() => this.experiments.setStage(experimentId, 'active')));
  }

  setExperimentTag(experimentId: string, tag: Tag): Promise<void> {
    return settled(() => {
      validateTag(tag);
      this.write(() => this.experiments.setTag(experimentId, tag));
    });
  }

  deleteExperimentTag(experimentId: string, key: string): Promise<void> {
    return settled(() => this.write(() => this.experiments.deleteTag(experimentId, key)));
  }

  // ── Runs ─────────────────────────────────────────────────────────────────────────────────

  createRun(input: CreateRunInput): Promise<Run> {
    return settled(() => {
      const status = input.status ?? 'RUNNING';
      if (!RUN_STATUSES.includes(status)) throw invalidParameter(`Invalid run status '${String(status)}'.`);
      for (const tag of input.tags ?? []) validateTag(tag);
      const runId = randomUUID().replace(/-/g, '');
      const runName = input.runName || input.tags?.find((t) => t.key === 'mlflow.runName')?.value || generateRunName();
      const runKey = this.write(() => {
        const exp = this.experiments.row(input.experimentId);
        if (exp.lifecycle_stage !== 'active') {
          throw new TrackingError('INVALID_STATE', `The experiment ${input.experimentId} must be in the 'active' state. Current state is ${exp.lifecycle_stage}.`);
        }
        return insertRun(this.db, {
          runId, experimentKey: exp.experiment_id, runName, userId: input.userId ?? this.user, status, startTime: input.startTime ?? this.now(),
          artifactUri: ArtifactFolder.runUri(String(exp.experiment_id), runId), tags: input.tags ?? [],
        });
      });
      return runByKey(this.db, runKey);
    });
  }

  getRun(runId: string): Promise<Run> {
    return settled(() => runByKey(this.db, runRow(this.db, runId).run_key));
  }

  updateRun(runId: string, update: UpdateRunInput): Promise<Run> {
    return settled(() => {
      if (update.status !== undefined && !RUN_STATUSES.includes(update.status)) throw invalidParameter(`Invalid run status '${String(update.status)}'.`);
      return runByKey(this.db, this.write(() => updateRunRow(this.db, runId, update)));
    });
  }

  searchRuns(query: SearchRunsQuery): Promise<Page<Run>> {
    return settled(() => {
      const page = searchRunRows(this.db, query);
      return { items: loadRuns(this.db, page.rows), ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}) };
    });
  }

  deleteRun(runId: string): Promise<void> {
    return settled(() => this.write(() => setRunStage(this.db, runId, 'deleted', this.now())));
  }

  restoreRun(runId: string): Promise<void> {
    return settled(() => this.write(() => setRunStage(this.db, runId, 'active', this.now())));
  }

  setTag(runId: string, tag: Tag): Promise<void> {
    return settled(() => {
      validateTag(tag);
      this.write(() => setRunTags(this.db, activeRunRow(this.db, runId), [tag]));
    });
  }

  deleteTag(runId: string, key: string): Promise<void> {
    return settled(() => this.write(() => deleteRunTag(this.db, runId, key)));
  }

  // ── Params and metrics ───────────────────────────────────────────────────────────────────

  async logParam(runId: string, key: string, value: string): Promise<void> {
    await this.logBatch(runId, { params: [validateParam({ key, value })] });
  }

  async logMetric(runId: string, metric: Metric): Promise<void> {
    await this.logBatch(runId, { metrics: [validateMetric(metric)] });
  }

  /** All or nothing: a batch that fails validation or breaks param immutability writes nothing. */
  logBatch(runId: string, batch: LogBatchInput): Promise<void> {
    return settled(() => {
      validateBatch(batch);
      this.write(() => {
        const row = activeRunRow(this.db, runId);
        insertParams(this.db, row, runId, batch.params ?? []);
        if (batch.metrics?.length) {
          this.metrics.insert(row.run_key, batch.metrics);
          this.loggedModels.logMetrics(runId, batch.metrics);
        }
        if (batch.tags?.length) setRunTags(this.db, row, batch.tags);
      });
    });
  }

  getMetricHistory(runId: string, key: string): Promise<readonly Metric[]> {
    return settled(() => withMetricLinks(this.metrics.getHistory(runRow(this.db, runId).run_key, key), this.loggedModels.runMetricLinks(runId, key)));
  }

  getMetricHistoryDownsampled(runId: string, key: string, buckets: number): Promise<readonly MetricBucket[]> {
    return settled(() => this.metrics.getDownsampled(runRow(this.db, runId).run_key, key, buckets));
  }

  getMetricHistoryColumns(runId: string, key: string, buckets: number): Promise<MetricBucketColumns> {
    return settled(() => this.metrics.getDownsampledColumns(runRow(this.db, runId).run_key, key, buckets));
  }

  // ── The Runs Table's queries (RunTableQueries, in runTableQueries.ts) ──────────────────────

  runKeys(experimentIds: readonly string[]): Promise<RunKeys> {
    return settled(() => runTable.runKeys(this.db, experimentIds));
  }
  countRuns(query: SearchRunsQuery): Promise<number> {
    return settled(() => runTable.countRuns(this.db, query));
  }
  searchRunsAt(query: SearchRunsQuery, offset: number, limit: number, only?: RunKeys): Promise<readonly Run[]> {
    return settled(() => runTable.searchRunsAt(this.db, query, offset, limit, only));
  }
  metricExtremes(runIds: readonly string[], keys: readonly string[]): Promise<ReadonlyMap<string, ReadonlyMap<string, MetricExtremes>>> {
    return settled(() => runTable.metricExtremes(this.db, runIds, keys));
  }
  columnSpread(query: SearchRunsQuery, metrics: MetricSelection): Promise<ColumnSpread> {
    return runTable.columnSpread(this.db, query, metrics);
  }
  groupAggregates(query: SearchRunsQuery, groupBy: readonly GroupByKey[], metrics: MetricSelection): AsyncIterable<GroupAggregatesChunk> {
    return runTable.groupAggregates(this.db, query, groupBy, metrics);
  }

  // ── Artifacts ────────────────────────────────────────────────────────────────────────────

  async listArtifacts(runId: string, relPath = ''): Promise<readonly FileInfo[]> {
    return await this.artifacts.list(runRow(this.db, runId).artifact_uri, relPath);
  }

  async readArtifact(runId: string, relPath: string): Promise<Uint8Array> {
    return await this.artifacts.read(runRow(this.db, runId).artifact_uri, relPath);
  }

  async writeArtifact(runId: string, relPath: string, content: Uint8Array): Promise<void> {
    await this.artifacts.write(activeRunRow(this.db, runId).artifact_uri, relPath, content);
  }

  // ── Model registry ───────────────────────────────────────────────────────────────────────

  createRegisteredModel(name: string, options?: { description?: string; tags?: readonly Tag[] }): Promise<RegisteredModel> {
    return settled(() => this.write(() => this.registry.createModel(name, options)));
  }
  getRegisteredModel(name: string): Promise<RegisteredModel> {
    return settled(() => this.registry.getModel(name));
  }
  searchRegisteredModels(query?: SearchRegistryQuery): Promise<Page<RegisteredModel>> {
    return settled(() => this.registry.searchModels(query));
  }
  deleteRegisteredModel(name: string): Promise<void> {
    return settled(() => this.write(() => this.registry.deleteModel(name)));
  }
  setRegisteredModelTag(name: string, tag: Tag): Promise<void> {
    return settled(() => {
      validateTag(tag);
      this.write(() => this.registry.setModelTag(name, tag));
    });
  }
  createModelVersion(name: string, source: string, runId: string, options?: { description?: string; tags?: readonly Tag[] }): Promise<ModelVersion> {
    return settled(() => {
      if (runId) runRow(this.db, runId);
      return this.write(() => this.registry.createVersion(name, source, runId, options));
    });
  }
  getModelVersion(name: string, version: string): Promise<ModelVersion> {
    return settled(() => this.registry.getVersion(name, version));
  }
  searchModelVersions(query?: SearchRegistryQuery): Promise<Page<ModelVersion>> {
    return settled(() => this.registry.searchVersions(query));
  }
  setModelVersionTag(name: string, version: string, tag: Tag): Promise<void> {
    return settled(() => {
      validateTag(tag);
      this.write(() => this.registry.setVersionTag(name, version, tag));
    });
  }
  setRegisteredModelAlias(name: string, alias: string, version: string): Promise<void> {
    return settled(() => this.write(() => this.registry.setAlias(name, alias, version)));
  }
  deleteRegisteredModelAlias(name: string, alias: string): Promise<void> {
    return settled(() => this.write(() => this.registry.deleteAlias(name, alias)));
  }
  getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    return settled(() => this.registry.getVersionByAlias(name, alias));
  }

  // ── Logged models (MLflow 3) ─────────────────────────────────────────────────────────────

  getLoggedModel(modelId: string): Promise<LoggedModel> {
    return settled(() => this.loggedModels.get(modelId));
  }
  searchLoggedModels(experimentIds: readonly string[], query: SearchLoggedModelsQuery = {}): Promise<Page<LoggedModel>> {
    return settled(() => searchLoggedModelsInMemory(this.loggedModels.list(experimentIds), query));
  }
  /** A file of a logged model, under its artifact location (`mlflow-artifacts:/<exp>/models/<id>/artifacts`). */
  async readLoggedModelArtifact(modelId: string, relPath: string): Promise<Uint8Array> {
    const model = await this.getLoggedModel(modelId);
    return await this.artifacts.read(model.artifactLocation, relPath);
  }

  close(): Promise<void> {
    return settled(() => {
      this.checkpointer.dispose();
      if (this.db.open) this.db.close();
    });
  }

  /** For the MLflow endpoint's logged-model routes and other same-file helpers. */
  get database(): SqliteDatabase {
    return this.db;
  }
}
