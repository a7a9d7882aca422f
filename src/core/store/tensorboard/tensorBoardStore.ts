// A folder of TensorBoard logs opened as a read-only store: one experiment (the folder), one run
// per directory holding event files, each scalar tag a metric history.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { scanTensorBoardLogs, type TensorBoardRun } from '../../readers/tensorboard.ts';
import { notFound } from '../errors.ts';
import { searchExperimentsInMemory, searchRunsInMemory } from '../inMemorySearch.ts';
import { ReadOnlyStore } from '../readOnlyStore.ts';
import type { Experiment, FileInfo, Metric, ModelVersion, Page, RegisteredModel, Run, SearchExperimentsQuery, SearchRunsQuery } from '../types.ts';

export const TENSORBOARD_EXPERIMENT_ID = '0';

interface Loaded {
  readonly experiment: Experiment;
  readonly runs: Map<string, { run: Run; source: TensorBoardRun }>;
}

/**
 * Scans on first use and again after `refresh()` (a writer may still be adding events). Run ids
 * are stable: a hash of the run's folder relative to the root.
 */
export class TensorBoardStore extends ReadOnlyStore {
  readonly description: string;
  readonly root: string;
  private loaded: Promise<Loaded> | undefined;

  constructor(root: string) {
    super();
    this.root = path.resolve(root);
    this.description = `TensorBoard logs ${this.root}`;
  }

  /** Forgets what was read, so the next call scans the folder again (new runs, new events). */
  override refresh(): void {
    super.refresh();
    this.loaded = undefined;
  }

  private load(): Promise<Loaded> {
    this.loaded ??= (async () => {
      const scanned = await scanTensorBoardLogs(this.root, { onWarning: (message) => this.warn(message) });
      const start = Math.min(...scanned.map((r) => r.startTime), Date.now());
      const end = Math.max(...scanned.map((r) => r.endTime), start);
      const experiment: Experiment = {
        experimentId: TENSORBOARD_EXPERIMENT_ID,
        name: path.basename(this.root),
        artifactLocation: this.root,
        lifecycleStage: 'active',
        creationTime: start,
        lastUpdateTime: end,
        tags: [{ key: 'labbook.source', value: 'tensorboard' }],
      };
      const runs = new Map<string, { run: Run; source: TensorBoardRun }>();
      for (const source of scanned) {
        if (source.corruptRecords > 0) this.warn(`Skipped ${source.corruptRecords} damaged record${source.corruptRecords === 1 ? '' : 's'} in ${source.dir}`);
        const run = toRun(source, this.root);
        runs.set(run.info.runId, { run, source });
      }
      return { experiment, runs };
    })();
    return this.loaded;
  }

  private async entry(runId: string): Promise<{ run: Run; source: TensorBoardRun }> {
    const found = (await this.load()).runs.get(runId);
    if (!found) throw notFound(`Run with id=${runId} not found in ${this.description}`);
    return found;
  }

  async getExperiment(experimentId: string): Promise<Experiment> {
    const { experiment } = await this.load();
    if (experimentId !== experiment.experimentId) throw notFound(`No Experiment with id=${experimentId} exists`);
    return experiment;
  }

  async getExperimentByName(name: string): Promise<Experiment | undefined> {
    const { experiment } = await this.load();
    return experiment.name === name ? experiment : undefined;
  }

  async searchExperiments(query: SearchExperimentsQuery = {}): Promise<Page<Experiment>> {
    return searchExperimentsInMemory([(await this.load()).experiment], query);
  }

  async getRun(runId: string): Promise<Run> {
    return (await this.entry(runId)).run;
  }

  async searchRuns(query: SearchRunsQuery): Promise<Page<Run>> {
    return searchRunsInMemory([...(await this.load()).runs.values()].map((e) => e.run), query);
  }

  async getMetricHistory(runId: string, key: string): Promise<readonly Metric[]> {
    return [...((await this.entry(runId)).source.metrics.get(key) ?? [])].sort((a, b) => a.step - b.step || a.timestamp - b.timestamp);
  }


  async listArtifacts(runId: string): Promise<readonly FileInfo[]> {
    await this.entry(runId);
    return [];
  }

  async readArtifact(runId: string, relPath: string): Promise<Uint8Array> {
    await this.entry(runId);
    throw notFound(`TensorBoard runs have no artifacts ('${relPath}').`);
  }

  // Nothing below reads the folder: answered at once, a refusal as a rejected promise.

  getRegisteredModel(name: string): Promise<RegisteredModel> {
    return Promise.reject(notFound(`Registered Model with name=${name} not found (TensorBoard logs have no model registry)`));
  }

  searchRegisteredModels(): Promise<Page<RegisteredModel>> {
    return Promise.resolve({ items: [] });
  }

  getModelVersion(name: string, version: string): Promise<ModelVersion> {
    return Promise.reject(notFound(`Model Version (name=${name}, version=${version}) not found`));
  }

  searchModelVersions(): Promise<Page<ModelVersion>> {
    return Promise.resolve({ items: [] });
  }

  getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    return Promise.reject(notFound(`Registered model alias ${alias} of ${name} not found.`));
  }

  close(): Promise<void> {
    this.loaded = undefined;
    return Promise.resolve();
  }
}

function toRun(source: TensorBoardRun, root: string): Run {
  const runId = createHash('sha256').update(source.name).digest('hex').slice(0, 32);
  const latest: Metric[] = [];
  for (const [key, points] of source.metrics) {
    let best: Metric | undefined;
    for (const m of points) if (!best || m.step > best.step || (m.step === best.step && m.timestamp >= best.timestamp)) best = m;
    if (best) latest.push({ ...best, key });
  }
  const runName = source.name === '.' ? path.basename(root) : source.name;
  return {
    info: {
      runId,
      runName,
      experimentId: TENSORBOARD_EXPERIMENT_ID,
      userId: '',
      // A half-written last record means a writer is still at it.
      status: source.truncated ? 'RUNNING' : 'FINISHED',
      startTime: source.startTime,
      endTime: source.truncated ? null : source.endTime,
      artifactUri: source.dir,
      lifecycleStage: 'active',
    },
    data: {
      metrics: latest.sort((a, b) => a.key.localeCompare(b.key)),
      params: [],
      tags: [
        { key: 'labbook.source', value: 'tensorboard' },
        { key: 'labbook.tensorboard.dir', value: source.dir },
        { key: 'mlflow.runName', value: runName },
      ],
    },
  };
}
