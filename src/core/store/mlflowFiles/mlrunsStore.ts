import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { invalidParameter, notFound, TrackingError } from '../errors.ts';
import { searchExperimentsInMemory, searchRunsInMemory } from '../inMemorySearch.ts';
import { listLocalArtifacts, localPathOfUri, readLocalArtifact } from '../localArtifacts.ts';
import type { ArtifactLocation } from '../localArtifacts.ts';
import { META_FILE, readExperiment, readMetricFile, readRegisteredModel, readRun, RESERVED_EXPERIMENT_FOLDERS, subfolders } from './mlrunsFiles.ts';
import { ReadOnlyStore } from '../readOnlyStore.ts';
import { searchModelVersionsInMemory, searchRegisteredModelsInMemory } from '../registrySearch.ts';
import type {
  Experiment,
  FileInfo,
  Metric,
  ModelVersion,
  Page,
  RegisteredModel,
  Run,
  SearchExperimentsQuery,
  SearchRegistryQuery,
  SearchRunsQuery,
} from '../types.ts';
import { errorMessage } from '../../../shared/errorMessage.ts';
import { mapLimited } from '../../../shared/mapLimited.ts';

const TRASH = '.trash';
const MODELS = 'models';
/** Runs read at once: enough to overlap file I/O, few enough to stay far from the open-file limit. */
const READ_CONCURRENCY = 16;

interface ExperimentDir {
  readonly id: string;
  readonly dir: string;
  readonly deleted: boolean;
}

/**
 * An MLflow file store (`mlruns/`), read-only and read afresh on every call, so it follows an
 * MLflow process that is still writing. A run, experiment or model whose files are missing or
 * corrupt is left out and described in `warnings`; the rest of the store still reads. Nothing is
 * cached, so `refresh()` only starts the warnings over.
 */
export class MlrunsStore extends ReadOnlyStore {
  readonly description: string;
  readonly root: string;

  constructor(root: string) {
    super();
    this.root = path.resolve(root);
    this.description = `MLflow file store ${this.root}`;
    if (!existsSync(this.root) || !statSync(this.root).isDirectory()) throw notFound(`There is no MLflow file store (mlruns folder) at ${this.root}.`);
    const entries = readdirSync(this.root, { withFileTypes: true });
    const looksLikeMlruns = entries.some(
      (e) => e.isDirectory() && (e.name === TRASH || e.name === MODELS || existsSync(path.join(this.root, e.name, META_FILE))),
    );
    if (!looksLikeMlruns && entries.length > 0) {
      throw invalidParameter(`${this.root} is not an MLflow file store: no experiment folder with a ${META_FILE} in it.`);
    }
  }

  // Experiments

  async getExperiment(experimentId: string): Promise<Experiment> {
    const found = this.experimentDir(experimentId);
    if (found === undefined) throw notFound(`No Experiment with id=${experimentId} exists`);
    return this.strict(readExperiment(found.dir, found.deleted));
  }

  async getExperimentByName(name: string): Promise<Experiment | undefined> {
    return (await this.allExperiments()).find((e) => e.name === name);
  }

  async searchExperiments(query: SearchExperimentsQuery = {}): Promise<Page<Experiment>> {
    return searchExperimentsInMemory(await this.allExperiments(), query);
  }

  private async allExperiments(): Promise<Experiment[]> {
    const experiments = await mapLimited(await this.experimentDirs(), READ_CONCURRENCY, (e) => this.lenient(readExperiment(e.dir, e.deleted), `experiment ${e.id}`));
    return experiments.filter((e): e is Experiment => e !== undefined);
  }

  // Runs

  async getRun(runId: string): Promise<Run> {
    const found = this.runDir(runId);
    if (found === undefined) throw notFound(`Run with id=${runId} not found`);
    return this.strict(readRun(found.runDir, found.experiment.id));
  }

  async searchRuns(query: SearchRunsQuery): Promise<Page<Run>> {
    const runDirs: { runDir: string; experimentId: string }[] = [];
    for (const id of new Set(query.experimentIds)) {
      const experiment = this.experimentDir(id);
      if (experiment === undefined) continue;
      for (const folder of await subfolders(experiment.dir)) {
        if (!RESERVED_EXPERIMENT_FOLDERS.has(folder) && !folder.startsWith('.')) runDirs.push({ runDir: path.join(experiment.dir, folder), experimentId: id });
      }
    }
    const runs = await mapLimited(runDirs, READ_CONCURRENCY, (r) => this.lenient(readRun(r.runDir, r.experimentId), `run ${path.basename(r.runDir)}`));
    return searchRunsInMemory(
      runs.filter((r): r is Run => r !== undefined),
      query,
    );
  }

  async getMetricHistory(runId: string, key: string): Promise<readonly Metric[]> {
    const found = this.runDir(runId);
    if (found === undefined) throw notFound(`Run with id=${runId} not found`);
    const parts = key.split('/');
    if (key === '' || parts.some((p) => p === '' || p === '.' || p === '..')) throw invalidParameter(`Invalid metric name: '${key}'.`);
    const file = path.join(found.runDir, 'metrics', ...parts);
    if (!existsSync(file)) return [];
    const points = await this.strict(readMetricFile(file, key));
    // Stable: points at the same step and time keep the order they were logged in.
    return points.sort((a, b) => a.step - b.step || a.timestamp - b.timestamp);
  }


  // Artifacts

  async listArtifacts(runId: string, relPath?: string): Promise<readonly FileInfo[]> {
    return listLocalArtifacts(await this.artifactLocation(runId), relPath);
  }

  async readArtifact(runId: string, relPath: string): Promise<Uint8Array> {
    return readLocalArtifact(await this.artifactLocation(runId), relPath);
  }

  private async artifactLocation(runId: string): Promise<ArtifactLocation> {
    const run = await this.getRun(runId);
    const runDir = this.runDir(runId)?.runDir ?? '';
    // Relative roots were relative to the project that holds mlruns/.
    const dir = localPathOfUri(run.info.artifactUri, path.dirname(this.root));
    return {
      runId,
      artifactUri: run.info.artifactUri,
      dir,
      // The store was moved or copied: the recorded absolute URI is stale, the run's own folder is
      // not. Only for local URIs: with remote storage that folder is MLflow's empty placeholder.
      guesses: dir === undefined ? [] : [path.join(runDir, 'artifacts')],
    };
  }

  // Model registry

  async getRegisteredModel(name: string): Promise<RegisteredModel> {
    return (await this.registeredModel(name)).model;
  }

  async searchRegisteredModels(query: SearchRegistryQuery = {}): Promise<Page<RegisteredModel>> {
    return searchRegisteredModelsInMemory((await this.registry()).map((r) => r.model), query);
  }

  async getModelVersion(name: string, version: string): Promise<ModelVersion> {
    const found = (await this.registeredModel(name)).versions.find((v) => v.version === version);
    if (found === undefined) throw notFound(`Model Version (name=${name}, version=${version}) not found`);
    return found;
  }

  async searchModelVersions(query: SearchRegistryQuery = {}): Promise<Page<ModelVersion>> {
    return searchModelVersionsInMemory((await this.registry()).flatMap((r) => r.versions), query);
  }

  async getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    const { model } = await this.registeredModel(name);
    const target = model.aliases.find((a) => a.alias === alias);
    if (target === undefined) throw notFound(`Registered model alias ${alias} not found.`);
    return this.getModelVersion(name, target.version);
  }

  private async registeredModel(name: string): Promise<{ model: RegisteredModel; versions: ModelVersion[] }> {
    if (!isSafeName(name) || !existsSync(path.join(this.root, MODELS, name, META_FILE))) throw notFound(`Registered Model with name=${name} not found`);
    return this.strict(readRegisteredModel(path.join(this.root, MODELS, name)));
  }

  private async registry(): Promise<{ model: RegisteredModel; versions: ModelVersion[] }[]> {
    const modelsDir = path.join(this.root, MODELS);
    const found = await mapLimited(await subfolders(modelsDir), READ_CONCURRENCY, (name) => this.lenient(readRegisteredModel(path.join(modelsDir, name)), `registered model ${name}`));
    return found.filter((m) => m !== undefined);
  }

  async close(): Promise<void> {
    // Nothing held open: every call reads the files afresh.
  }

  // Finding folders

  private async experimentDirs(): Promise<ExperimentDir[]> {
    const active = (await subfolders(this.root)).filter((name) => name !== MODELS && !name.startsWith('.'));
    const deleted = await subfolders(path.join(this.root, TRASH));
    return [
      ...active.map((id) => ({ id, dir: path.join(this.root, id), deleted: false })),
      ...deleted.map((id) => ({ id, dir: path.join(this.root, TRASH, id), deleted: true })),
    ];
  }

  private experimentDir(experimentId: string): ExperimentDir | undefined {
    if (!isSafeName(experimentId) || experimentId === MODELS) return undefined;
    const active = path.join(this.root, experimentId);
    if (existsSync(path.join(active, META_FILE))) return { id: experimentId, dir: active, deleted: false };
    const trashed = path.join(this.root, TRASH, experimentId);
    if (existsSync(path.join(trashed, META_FILE))) return { id: experimentId, dir: trashed, deleted: true };
    return undefined;
  }

  /** Run ids are unique across the store, so the first experiment folder holding one is it. */
  private runDir(runId: string): { runDir: string; experiment: ExperimentDir } | undefined {
    if (!isSafeName(runId) || RESERVED_EXPERIMENT_FOLDERS.has(runId)) return undefined;
    const roots = [this.root, path.join(this.root, TRASH)];
    for (const root of roots) {
      if (!existsSync(root)) continue;
      for (const entry of readdirSync(root, { withFileTypes: true })) {
        if (!entry.isDirectory() || entry.name.startsWith('.') || (root === this.root && entry.name === MODELS)) continue;
        const runDir = path.join(root, entry.name, runId);
        if (existsSync(runDir)) return { runDir, experiment: { id: entry.name, dir: path.join(root, entry.name), deleted: root !== this.root } };
      }
    }
    return undefined;
  }

  // Errors

  /** For an entity the caller asked for by name: a broken file is an error naming the file. */
  private async strict<T>(read: Promise<T>): Promise<T> {
    try {
      return await read;
    } catch (err) {
      if (err instanceof TrackingError) throw err;
      throw new TrackingError('INVALID_STATE', `Cannot read ${errorMessage(err)}`);
    }
  }

  /** For an entity met while listing: a broken file skips it, with a warning. */
  private async lenient<T>(read: Promise<T>, what: string): Promise<T | undefined> {
    try {
      return await read;
    } catch (err) {
      this.warn(`Skipped ${what}: ${errorMessage(err)}`);
      return undefined;
    }
  }
}

/** One path segment, so an id can never reach outside the store. */
function isSafeName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !/[/\\\0]/.test(name);
}

