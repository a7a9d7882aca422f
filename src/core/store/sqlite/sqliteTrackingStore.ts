import type { Statement } from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { openDatabase, type SqliteDatabase, type SqliteRuntime } from '../../sqlite/openDatabase.ts';
import { currentUserName } from '../../system/currentUser.ts';
import { ArtifactFolder } from '../artifactFolder.ts';
import { invalidParameter, notFound, TrackingError } from '../errors.ts';
import { searchLoggedModelsInMemory, type SearchLoggedModelsQuery } from '../loggedModelSearch.ts';
import type { LoggedModelReader, TrackingStore } from '../trackingStore.ts';
import type {
  CreateRunInput, DatasetInput, Experiment, FileInfo, LifecycleStage, LogBatchInput, LoggedModel, Metric, MetricBucket, ModelVersion, Page,
  RegisteredModel, Run, SearchExperimentsQuery, SearchRegistryQuery, SearchRunsQuery, Tag, UpdateRunInput,
} from '../types.ts';
import { RUN_STATUSES } from '../types.ts';
import { validateBatch, validateExperimentName, validateMetric, validateParam, validateTag } from '../validation.ts';
import { withMetricLinks } from '../metricLinks.ts';
import { LoggedModelTables } from './loggedModelTables.ts';
import { MetricsTable } from './metricsTable.ts';
import { migrate } from './migrations.ts';
import { RegistryTables } from './registryTables.ts';
import { recordRunInputs, recordRunOutputs } from './runIoTable.ts';
import { loadRuns, RUN_COLUMNS, type RunRow } from './runRows.ts';
import { searchExperimentRows, searchRunRows } from './sqliteSearch.ts';

export interface SqliteStoreOptions {
  readonly runtime?: SqliteRuntime;
  /** Folder for artifacts; default: `artifacts/` beside the database file. */
  readonly artifactRoot?: string;
  readonly now?: () => number;
  /** Recorded as a run's user when the caller names none. */
  readonly user?: string;
}

interface ExperimentRow {
  experiment_id: number;
  name: string;
  artifact_location: string;
  lifecycle_stage: string;
  creation_time: number;
  last_update_time: number;
}

/**
 * The embedded default store: one SQLite file (WAL, busy timeout, IMMEDIATE write transactions)
 * that several windows and processes write at once, and an artifact folder beside it.
 */
export class SqliteTrackingStore implements TrackingStore, LoggedModelReader {
  readonly readOnly = false;
  readonly description: string;
  readonly file: string;
  readonly artifacts: ArtifactFolder;
  private readonly db: SqliteDatabase;
  private readonly now: () => number;
  private readonly user: string;
  private readonly metrics: MetricsTable;
  private readonly registry: RegistryTables;
  private readonly bumpChangeSeq: Statement;
  private readonly readChangeSeq: Statement;
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
    this.artifacts = new ArtifactFolder(options.artifactRoot ?? path.join(path.dirname(this.file), 'artifacts'));
    this.now = options.now ?? Date.now;
    this.user = options.user ?? currentUserName();
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
  async logInputs(runId: string, datasets: readonly DatasetInput[], models: readonly { modelId: string }[] = []): Promise<void> {
    for (const input of datasets) input.tags.forEach(validateTag);
    this.write(() => recordRunInputs(this.db, this.activeRunRow(runId).run_key, datasets, models));
  }

  /** MLflow 3's log_outputs: the logged models a run produced, each at a step. */
  async logOutputs(runId: string, models: readonly { modelId: string; step: number }[]): Promise<void> {
    this.write(() => recordRunOutputs(this.db, this.activeRunRow(runId).run_key, models));
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

  async createExperiment(name: string, options: { artifactLocation?: string; tags?: readonly Tag[] } = {}): Promise<string> {
    validateExperimentName(name);
    for (const tag of options.tags ?? []) validateTag(tag);
    return this.write(() => {
      if (this.db.prepare('SELECT 1 FROM experiments WHERE name = ?').get(name)) {
        throw new TrackingError('RESOURCE_ALREADY_EXISTS', `Experiment '${name}' already exists.`);
      }
      const now = this.now();
      const id = Number(
        this.db.prepare("INSERT INTO experiments (name, artifact_location, creation_time, last_update_time) VALUES (?, '', ?, ?)").run(name, now, now).lastInsertRowid,
      );
      const location = options.artifactLocation ?? ArtifactFolder.experimentUri(String(id));
      this.db.prepare('UPDATE experiments SET artifact_location = ? WHERE experiment_id = ?').run(location, id);
      const setTag = this.db.prepare('INSERT OR REPLACE INTO experiment_tags (experiment_id, key, value) VALUES (?, ?, ?)');
      for (const tag of options.tags ?? []) setTag.run(id, tag.key, tag.value);
      return String(id);
    });
  }

  async getExperiment(experimentId: string): Promise<Experiment> {
    const row = this.db.prepare('SELECT * FROM experiments WHERE experiment_id = ?').get(experimentIdNumber(experimentId)) as ExperimentRow | undefined;
    if (!row) throw notFound(`No Experiment with id=${experimentId} exists`);
    return this.experimentFromRow(row);
  }

  async getExperimentByName(name: string): Promise<Experiment | undefined> {
    const row = this.db.prepare('SELECT * FROM experiments WHERE name = ?').get(name) as ExperimentRow | undefined;
    return row ? this.experimentFromRow(row) : undefined;
  }

  async searchExperiments(query: SearchExperimentsQuery = {}): Promise<Page<Experiment>> {
    const page = searchExperimentRows<ExperimentRow>(this.db, query);
    return { items: page.rows.map((r) => this.experimentFromRow(r)), ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}) };
  }

  async renameExperiment(experimentId: string, newName: string): Promise<void> {
    validateExperimentName(newName);
    this.write(() => {
      const exp = this.experimentRow(experimentId);
      if (exp.lifecycle_stage !== 'active') throw new TrackingError('INVALID_STATE', `Cannot rename a non-active experiment (id=${experimentId}).`);
      const clash = this.db.prepare('SELECT experiment_id FROM experiments WHERE name = ?').get(newName) as { experiment_id: number } | undefined;
      if (clash && clash.experiment_id !== exp.experiment_id) throw new TrackingError('RESOURCE_ALREADY_EXISTS', `Experiment '${newName}' already exists.`);
      this.db.prepare('UPDATE experiments SET name = ?, last_update_time = ? WHERE experiment_id = ?').run(newName, this.now(), exp.experiment_id);
    });
  }

  async deleteExperiment(experimentId: string): Promise<void> {
    this.setExperimentStage(experimentId, 'deleted');
  }

  async restoreExperiment(experimentId: string): Promise<void> {
    this.setExperimentStage(experimentId, 'active');
  }

  async setExperimentTag(experimentId: string, tag: Tag): Promise<void> {
    validateTag(tag);
    this.write(() => {
      const exp = this.experimentRow(experimentId);
      this.db.prepare('INSERT OR REPLACE INTO experiment_tags (experiment_id, key, value) VALUES (?, ?, ?)').run(exp.experiment_id, tag.key, tag.value);
    });
  }

  async deleteExperimentTag(experimentId: string, key: string): Promise<void> {
    this.write(() => {
      const exp = this.experimentRow(experimentId);
      const removed = this.db.prepare('DELETE FROM experiment_tags WHERE experiment_id = ? AND key = ?').run(exp.experiment_id, key).changes;
      if (removed === 0) throw notFound(`No tag with name: ${key} in experiment with id ${experimentId}`);
    });
  }

  private setExperimentStage(experimentId: string, stage: LifecycleStage): void {
    this.write(() => {
      const exp = this.experimentRow(experimentId);
      if (stage === 'deleted' && exp.experiment_id === 0) throw invalidParameter('Cannot delete the default experiment (id=0).');
      const now = this.now();
      this.db.prepare('UPDATE experiments SET lifecycle_stage = ?, last_update_time = ? WHERE experiment_id = ?').run(stage, now, exp.experiment_id);
      // Like MLflow, the experiment's runs follow it into (and out of) the trash.
      this.db
        .prepare('UPDATE runs SET lifecycle_stage = ?, deleted_time = ? WHERE experiment_id = ?')
        .run(stage, stage === 'deleted' ? now : null, exp.experiment_id);
    });
  }

  private experimentRow(experimentId: string): ExperimentRow {
    const row = this.db.prepare('SELECT * FROM experiments WHERE experiment_id = ?').get(experimentIdNumber(experimentId)) as ExperimentRow | undefined;
    if (!row) throw notFound(`No Experiment with id=${experimentId} exists`);
    return row;
  }

  private experimentFromRow(row: ExperimentRow): Experiment {
    const tags = this.db.prepare('SELECT key, value FROM experiment_tags WHERE experiment_id = ? ORDER BY key').all(row.experiment_id) as Tag[];
    return {
      experimentId: String(row.experiment_id),
      name: row.name,
      artifactLocation: row.artifact_location,
      lifecycleStage: row.lifecycle_stage as LifecycleStage,
      creationTime: row.creation_time,
      lastUpdateTime: row.last_update_time,
      tags,
    };
  }

  // ── Runs ─────────────────────────────────────────────────────────────────────────────────

  async createRun(input: CreateRunInput): Promise<Run> {
    const status = input.status ?? 'RUNNING';
    if (!RUN_STATUSES.includes(status)) throw invalidParameter(`Invalid run status '${String(status)}'.`);
    for (const tag of input.tags ?? []) validateTag(tag);
    const runId = randomUUID().replace(/-/g, '');
    const runName = input.runName || input.tags?.find((t) => t.key === 'mlflow.runName')?.value || generateRunName();
    const runKey = this.write(() => {
      const exp = this.experimentRow(input.experimentId);
      if (exp.lifecycle_stage !== 'active') {
        throw new TrackingError('INVALID_STATE', `The experiment ${input.experimentId} must be in the 'active' state. Current state is ${exp.lifecycle_stage}.`);
      }
      const key = Number(
        this.db
          .prepare('INSERT INTO runs (run_id, experiment_id, run_name, user_id, status, start_time, artifact_uri) VALUES (?, ?, ?, ?, ?, ?, ?)')
          .run(runId, exp.experiment_id, runName, input.userId ?? this.user, status, input.startTime ?? this.now(), ArtifactFolder.runUri(String(exp.experiment_id), runId))
          .lastInsertRowid,
      );
      const setTag = this.db.prepare('INSERT OR REPLACE INTO tags (run_key, key, value) VALUES (?, ?, ?)');
      for (const tag of input.tags ?? []) setTag.run(key, tag.key, tag.value);
      setTag.run(key, 'mlflow.runName', runName);
      return key;
    });
    return this.runByKey(runKey);
  }

  async getRun(runId: string): Promise<Run> {
    return this.runByKey(this.runRow(runId).run_key);
  }

  async updateRun(runId: string, update: UpdateRunInput): Promise<Run> {
    if (update.status !== undefined && !RUN_STATUSES.includes(update.status)) throw invalidParameter(`Invalid run status '${String(update.status)}'.`);
    const key = this.write(() => {
      const row = this.activeRunRow(runId);
      this.db
        .prepare('UPDATE runs SET status = coalesce(?, status), end_time = CASE WHEN ? THEN ? ELSE end_time END WHERE run_key = ?')
        .run(update.status ?? null, update.endTime === undefined ? 0 : 1, update.endTime ?? null, row.run_key);
      if (update.runName) this.setTagsOn(row, [{ key: 'mlflow.runName', value: update.runName }]);
      return row.run_key;
    });
    return this.runByKey(key);
  }

  async searchRuns(query: SearchRunsQuery): Promise<Page<Run>> {
    const page = searchRunRows(this.db, query);
    return { items: loadRuns(this.db, page.rows), ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}) };
  }

  async deleteRun(runId: string): Promise<void> {
    this.write(() => {
      const row = this.runRow(runId);
      this.db.prepare("UPDATE runs SET lifecycle_stage = 'deleted', deleted_time = ? WHERE run_key = ?").run(this.now(), row.run_key);
    });
  }

  async restoreRun(runId: string): Promise<void> {
    this.write(() => {
      const row = this.runRow(runId);
      this.db.prepare("UPDATE runs SET lifecycle_stage = 'active', deleted_time = NULL WHERE run_key = ?").run(row.run_key);
    });
  }

  async setTag(runId: string, tag: Tag): Promise<void> {
    validateTag(tag);
    this.write(() => this.setTagsOn(this.activeRunRow(runId), [tag]));
  }

  async deleteTag(runId: string, key: string): Promise<void> {
    this.write(() => {
      const row = this.activeRunRow(runId);
      const removed = this.db.prepare('DELETE FROM tags WHERE run_key = ? AND key = ?').run(row.run_key, key).changes;
      if (removed === 0) throw notFound(`No tag with name: ${key} in run with id ${runId}`);
    });
  }

  // ── Params and metrics ───────────────────────────────────────────────────────────────────

  async logParam(runId: string, key: string, value: string): Promise<void> {
    await this.logBatch(runId, { params: [validateParam({ key, value })] });
  }

  async logMetric(runId: string, metric: Metric): Promise<void> {
    await this.logBatch(runId, { metrics: [validateMetric(metric)] });
  }

  /** All or nothing: a batch that fails validation or breaks param immutability writes nothing. */
  async logBatch(runId: string, batch: LogBatchInput): Promise<void> {
    validateBatch(batch);
    this.write(() => {
      const row = this.activeRunRow(runId);
      const params = batch.params ?? [];
      if (params.length) {
        const existing = this.db.prepare('SELECT value FROM params WHERE run_key = ? AND key = ?');
        const insert = this.db.prepare('INSERT OR IGNORE INTO params (run_key, key, value) VALUES (?, ?, ?)');
        for (const p of params) {
          const old = existing.get(row.run_key, p.key) as { value: string } | undefined;
          if (old && old.value !== p.value) {
            throw invalidParameter(
              `Changing param values is not allowed. Param with key='${p.key}' was already logged with value='${old.value}' for run ID='${runId}'. Attempted logging new value '${p.value}'.`,
            );
          }
          insert.run(row.run_key, p.key, p.value);
        }
      }
      if (batch.metrics?.length) {
        this.metrics.insert(row.run_key, batch.metrics);
        this.loggedModels.logMetrics(runId, batch.metrics);
      }
      if (batch.tags?.length) this.setTagsOn(row, batch.tags);
    });
  }

  async getMetricHistory(runId: string, key: string): Promise<readonly Metric[]> {
    return withMetricLinks(this.metrics.getHistory(this.runRow(runId).run_key, key), this.loggedModels.runMetricLinks(runId, key));
  }

  async getMetricHistoryDownsampled(runId: string, key: string, buckets: number): Promise<readonly MetricBucket[]> {
    return this.metrics.getDownsampled(this.runRow(runId).run_key, key, buckets);
  }

  // ── Artifacts ────────────────────────────────────────────────────────────────────────────

  async listArtifacts(runId: string, relPath = ''): Promise<readonly FileInfo[]> {
    return this.artifacts.list(this.runRow(runId).artifact_uri, relPath);
  }

  async readArtifact(runId: string, relPath: string): Promise<Uint8Array> {
    return this.artifacts.read(this.runRow(runId).artifact_uri, relPath);
  }

  async writeArtifact(runId: string, relPath: string, content: Uint8Array): Promise<void> {
    await this.artifacts.write(this.activeRunRow(runId).artifact_uri, relPath, content);
  }

  // ── Model registry ───────────────────────────────────────────────────────────────────────

  async createRegisteredModel(name: string, options?: { description?: string; tags?: readonly Tag[] }): Promise<RegisteredModel> {
    return this.write(() => this.registry.createModel(name, options));
  }
  async getRegisteredModel(name: string): Promise<RegisteredModel> {
    return this.registry.getModel(name);
  }
  async searchRegisteredModels(query?: SearchRegistryQuery): Promise<Page<RegisteredModel>> {
    return this.registry.searchModels(query);
  }
  async deleteRegisteredModel(name: string): Promise<void> {
    this.write(() => this.registry.deleteModel(name));
  }
  async setRegisteredModelTag(name: string, tag: Tag): Promise<void> {
    validateTag(tag);
    this.write(() => this.registry.setModelTag(name, tag));
  }
  async createModelVersion(name: string, source: string, runId: string, options?: { description?: string; tags?: readonly Tag[] }): Promise<ModelVersion> {
    if (runId) this.runRow(runId);
    return this.write(() => this.registry.createVersion(name, source, runId, options));
  }
  async getModelVersion(name: string, version: string): Promise<ModelVersion> {
    return this.registry.getVersion(name, version);
  }
  async searchModelVersions(query?: SearchRegistryQuery): Promise<Page<ModelVersion>> {
    return this.registry.searchVersions(query);
  }
  async setModelVersionTag(name: string, version: string, tag: Tag): Promise<void> {
    validateTag(tag);
    this.write(() => this.registry.setVersionTag(name, version, tag));
  }
  async setRegisteredModelAlias(name: string, alias: string, version: string): Promise<void> {
    this.write(() => this.registry.setAlias(name, alias, version));
  }
  async deleteRegisteredModelAlias(name: string, alias: string): Promise<void> {
    this.write(() => this.registry.deleteAlias(name, alias));
  }
  async getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    return this.registry.getVersionByAlias(name, alias);
  }

  // ── Logged models (MLflow 3) ─────────────────────────────────────────────────────────────

  async getLoggedModel(modelId: string): Promise<LoggedModel> {
    return this.loggedModels.get(modelId);
  }
  async searchLoggedModels(experimentIds: readonly string[], query: SearchLoggedModelsQuery = {}): Promise<Page<LoggedModel>> {
    return searchLoggedModelsInMemory(this.loggedModels.list(experimentIds), query);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  /** For the MLflow endpoint's logged-model routes and other same-file helpers. */
  get database(): SqliteDatabase {
    return this.db;
  }

  // ── helpers ──────────────────────────────────────────────────────────────────────────────

  private runRow(runId: string): RunRow {
    const row = this.db.prepare(`SELECT ${RUN_COLUMNS} FROM runs r WHERE r.run_id = ?`).get(runId) as RunRow | undefined;
    if (!row) throw notFound(`Run with id=${runId} not found`);
    return row;
  }

  private activeRunRow(runId: string): RunRow {
    const row = this.runRow(runId);
    if (row.lifecycle_stage !== 'active') {
      throw invalidParameter(`The run ${runId} must be in the 'active' state. Current state is ${row.lifecycle_stage}.`);
    }
    return row;
  }

  private runByKey(runKey: number): Run {
    const row = this.db.prepare(`SELECT ${RUN_COLUMNS} FROM runs r WHERE r.run_key = ?`).get(runKey) as RunRow;
    const [run] = loadRuns(this.db, [row]);
    if (!run) throw new TrackingError('INTERNAL_ERROR', `Run ${runKey} vanished while being read.`);
    return run;
  }

  private setTagsOn(row: RunRow, tags: readonly Tag[]): void {
    const setTag = this.db.prepare('INSERT OR REPLACE INTO tags (run_key, key, value) VALUES (?, ?, ?)');
    for (const tag of tags) {
      setTag.run(row.run_key, tag.key, tag.value);
      // The run name lives in both places, as in MLflow.
      if (tag.key === 'mlflow.runName' && tag.value) this.db.prepare('UPDATE runs SET run_name = ? WHERE run_key = ?').run(tag.value, row.run_key);
    }
  }
}

function experimentIdNumber(experimentId: string): number {
  if (!/^\d+$/.test(String(experimentId))) throw invalidParameter(`Invalid experiment ID: '${experimentId}'.`);
  return Number(experimentId);
}

const ADJECTIVES = ['bright', 'calm', 'clever', 'bold', 'eager', 'gentle', 'keen', 'lucky', 'merry', 'quiet', 'rare', 'swift', 'warm', 'wise'];
const NOUNS = ['otter', 'falcon', 'heron', 'lynx', 'panda', 'raven', 'robin', 'seal', 'trout', 'wolf', 'yak', 'zebra', 'moth', 'newt'];

/** A readable default name like MLflow's (`bright-otter-123`). */
function generateRunName(): string {
  const pick = (list: readonly string[]) => list[Math.floor(Math.random() * list.length)] ?? list[0];
  return `${pick(ADJECTIVES)}-${pick(NOUNS)}-${Math.floor(Math.random() * 1000)}`;
}

