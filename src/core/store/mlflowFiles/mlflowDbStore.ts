import { existsSync } from 'node:fs';
import path from 'node:path';
import { openDatabase, SqliteUnavailableError } from '../../sqlite/openDatabase.ts';
import type { SqliteDatabase, SqliteRuntime } from '../../sqlite/openDatabase.ts';
import { notFound, TrackingError } from '../errors.ts';
import { searchExperimentsInMemory, searchRunsInMemory } from '../inMemorySearch.ts';
import { listLocalArtifacts, localPathOfUri, proxiedArtifactPath, readLocalArtifact } from '../localArtifacts.ts';
import type { ArtifactLocation } from '../localArtifacts.ts';
import { searchLoggedModelsInMemory, type SearchLoggedModelsQuery } from '../loggedModelSearch.ts';
import { withMetricLinks } from '../metricLinks.ts';
import { readLoggedModels, runMetricLinks } from './mlflowDbRunIo.ts';
import { MlflowDbRegistry } from './mlflowDbRegistry.ts';
import { MlflowDbSchema } from './mlflowDbSchema.ts';
import { MlflowDbTables } from './mlflowDbTables.ts';
import { ReadOnlyStore } from '../readOnlyStore.ts';
import { settled } from '../settled.ts';
import type { LoggedModelReader } from '../trackingStore.ts';
import { searchModelVersionsInMemory, searchRegisteredModelsInMemory } from '../registrySearch.ts';
import type { SearchRegistryQuery } from '../types.ts';
import type {
  Experiment,
  FileInfo,
  LoggedModel,
  Metric,
  ModelVersion,
  Page,
  RegisteredModel,
  Run,
  SearchExperimentsQuery,
  SearchRunsQuery,
} from '../types.ts';
import { errorMessage } from '../../../shared/errorMessage.ts';

export interface MlflowDbStoreOptions {
  /** MLflow 3's workspace to show (databases without workspaces ignore it). Default `default`. */
  readonly workspace?: string;
}

/**
 * An MLflow SQLite tracking database (`mlflow.db`, MLflow's SQLAlchemy schema), read-only. The
 * file is opened read-only, so nothing (not even the journal mode) changes while MLflow may still
 * be writing to it. Searches load the asked-for experiments' runs and filter in memory, which is
 * plenty for a local database and keeps MLflow's exact search semantics in one place.
 */
export class MlflowDbStore extends ReadOnlyStore implements LoggedModelReader {
  readonly description: string;
  readonly file: string;
  private readonly db: SqliteDatabase;
  private readonly tables: MlflowDbTables;
  private readonly registry: MlflowDbRegistry;
  private readonly schema: MlflowDbSchema;

  constructor(file: string, runtime: SqliteRuntime, options: MlflowDbStoreOptions = {}) {
    super();
    this.file = path.resolve(file);
    this.description = `MLflow database ${this.file}`;
    // Without this check better-sqlite3 says only "unable to open database file".
    if (!existsSync(this.file)) throw notFound(`There is no MLflow database at ${this.file}.`);
    try {
      this.db = openDatabase(this.file, runtime, { readonly: true });
    } catch (err) {
      if (err instanceof SqliteUnavailableError) throw err;
      throw notReadable(this.file, err);
    }
    let schema: MlflowDbSchema;
    try {
      schema = new MlflowDbSchema(this.db, options.workspace ?? 'default');
    } catch (err) {
      this.db.close();
      throw notReadable(this.file, err);
    }
    this.schema = schema;
    this.tables = new MlflowDbTables(schema);
    this.registry = new MlflowDbRegistry(schema);
    const missing = schema.missingCoreTables();
    if (missing.length > 0) {
      this.db.close();
      throw new TrackingError('INVALID_PARAMETER_VALUE', `${this.file} is not an MLflow tracking database (it has no ${missing.join(', ')} table${missing.length > 1 ? 's' : ''}).`);
    }
  }

  // Experiments

  getExperiment(experimentId: string): Promise<Experiment> {
    return settled(() => {
      const [experiment] = this.tables.experiments(undefined, experimentId);
      if (experiment === undefined) throw notFound(`No Experiment with id=${experimentId} exists`);
      return experiment;
    });
  }

  getExperimentByName(name: string): Promise<Experiment | undefined> {
    return settled(() => this.tables.experiments(name)[0]);
  }

  searchExperiments(query: SearchExperimentsQuery = {}): Promise<Page<Experiment>> {
    return settled(() => searchExperimentsInMemory(this.tables.experiments(), query));
  }

  // Runs

  getRun(runId: string): Promise<Run> {
    return settled(() => {
      const [run] = this.tables.runs(this.tables.runScope({ runId }));
      if (run === undefined) throw notFound(`Run with id=${runId} not found`);
      return run;
    });
  }

  searchRuns(query: SearchRunsQuery): Promise<Page<Run>> {
    return settled(() => searchRunsInMemory(this.tables.runs(this.tables.runScope({ experimentIds: query.experimentIds })), query));
  }

  async getMetricHistory(runId: string, key: string): Promise<readonly Metric[]> {
    await this.getRun(runId);
    return withMetricLinks(this.tables.metricHistory(runId, key), runMetricLinks(this.schema, runId, key));
  }


  // Artifacts

  async listArtifacts(runId: string, relPath?: string): Promise<readonly FileInfo[]> {
    return listLocalArtifacts(await this.artifactLocation(runId), relPath);
  }

  async readArtifact(runId: string, relPath: string): Promise<Uint8Array> {
    return readLocalArtifact(await this.artifactLocation(runId), relPath);
  }

  private async artifactLocation(runId: string): Promise<ArtifactLocation> {
    const { info } = await this.getRun(runId);
    const here = path.dirname(this.file);
    const proxied = proxiedArtifactPath(info.artifactUri, here);
    return {
      runId,
      artifactUri: info.artifactUri,
      // MLflow stores relative artifact roots as given (`./mlruns`), relative to where it ran:
      // beside the database is the best guess.
      dir: localPathOfUri(info.artifactUri, here),
      // If the database moved with its default artifact folders, the recorded absolute path is
      // stale but the run's folder is still beside it.
      guesses: [
        ...(proxied === undefined ? [] : [proxied]),
        path.join(here, 'mlruns', info.experimentId, runId, 'artifacts'),
        path.join(here, 'mlartifacts', info.experimentId, runId, 'artifacts'),
      ],
    };
  }

  // Model registry

  getRegisteredModel(name: string): Promise<RegisteredModel> {
    return settled(() => {
      const [model] = this.registry.registeredModels(name);
      if (model === undefined) throw notFound(`Registered Model with name=${name} not found`);
      return model;
    });
  }

  searchRegisteredModels(query: SearchRegistryQuery = {}): Promise<Page<RegisteredModel>> {
    return settled(() => searchRegisteredModelsInMemory(this.registry.registeredModels(), query));
  }

  getModelVersion(name: string, version: string): Promise<ModelVersion> {
    return settled(() => {
      const found = this.registry.modelVersions(name).find((v) => v.version.version === version);
      if (found === undefined) throw notFound(`Model Version (name=${name}, version=${version}) not found`);
      return found.version;
    });
  }

  searchModelVersions(query: SearchRegistryQuery = {}): Promise<Page<ModelVersion>> {
    return settled(() => searchModelVersionsInMemory(this.registry.modelVersions().map((v) => v.version), query));
  }

  async getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    const model = await this.getRegisteredModel(name);
    const target = model.aliases.find((a) => a.alias === alias);
    if (target === undefined) throw notFound(`Registered model alias ${alias} not found.`);
    return this.getModelVersion(name, target.version);
  }

  // Logged models (MLflow 3)

  getLoggedModel(modelId: string): Promise<LoggedModel> {
    return settled(() => {
      const [model] = readLoggedModels(this.schema, { modelId });
      if (model === undefined) throw notFound(`Logged model with ID '${modelId}' not found.`);
      return model;
    });
  }

  searchLoggedModels(experimentIds: readonly string[], query: SearchLoggedModelsQuery = {}): Promise<Page<LoggedModel>> {
    return settled(() => searchLoggedModelsInMemory(readLoggedModels(this.schema, { experimentIds }), query));
  }

  close(): Promise<void> {
    return settled(() => {
      if (this.db.open) this.db.close();
    });
  }
}

function notReadable(file: string, err: unknown): TrackingError {
  return new TrackingError('INVALID_PARAMETER_VALUE', `${file} is not a readable SQLite database: ${errorMessage(err)}`);
}
