// One lineage node's neighbours, read from a store on demand: what it came from (upstream) or
// what came of it (downstream), each side cut at a per-node limit so a dataset used by 10k runs
// or a model with 1k versions stays bounded. A store that lacks something (logged models on an
// mlruns folder, dataset inputs on TensorBoard logs) gives fewer neighbours, never an error.
import { readDataRecord } from '../data/observedDifferences.ts';
import { DIGEST_LENGTH, type DataRecord } from '../data/dataRecord.ts';
import { TAGS } from '../launch/conventions.ts';
import { errorFirstLine } from '../../shared/errorMessage.ts';
import { mapLimited } from '../../shared/mapLimited.ts';
import { isNotFound, TrackingError } from '../store/errors.ts';
import { readsLoggedModels, type ReadableStore } from '../store/trackingStore.ts';
import type { LoggedModel, Run } from '../store/types.ts';
import { aliasNode, dataEntryHas, dataHash, dataNode, datasetNode, loggedModelIdOf, loggedModelNode, modelVersionNode, runNode } from './nodes.ts';
import { runsUsingDigest, type DigestRuns } from './digestRuns.ts';
import { searchString as quoted } from '../runsTable/viewQuery.ts';
import { nodeId, type LineageEdge, type LineageNode, type LineageRef, type Truncation } from './types.ts';

export interface LineageOptions {
  /** Neighbours kept per node and side (the rest are counted in `truncated`). Default 50. */
  readonly perNodeLimit?: number;
  /** Nodes in one graph at most. Default 2000. */
  readonly maxNodes?: number;
  /** Store reads in flight at once. Default 4. */
  readonly concurrency?: number;
  /** Runs read at most where a store's search cannot filter by dataset. Default 5000. */
  readonly scanLimit?: number;
}

export type Side = 'upstream' | 'downstream';

/** A neighbour and the edge that joins it to the node expanded. */
export interface Neighbour {
  readonly node: LineageNode;
  readonly edge: LineageEdge;
}

export interface Expansion {
  readonly neighbours: readonly Neighbour[];
  readonly truncated?: Truncation;
}

const NONE: Expansion = { neighbours: [] };

/** MLflow's nested-run tag: a child run (of a sweep, say) names its parent. */
const PARENT_RUN_TAG = 'mlflow.parentRunId';


export class LineageSource {
  readonly limit: number;
  readonly maxNodes: number;
  readonly concurrency: number;
  readonly scanLimit: number;
  readonly notes: string[] = [];
  private readonly runs = new Map<string, Promise<Run | undefined>>();
  private readonly records = new Map<string, Promise<DataRecord | undefined>>();
  private readonly store: ReadableStore;

  constructor(store: ReadableStore, options: LineageOptions = {}) {
    this.store = store;
    this.limit = Math.max(1, options.perNodeLimit ?? 50);
    this.maxNodes = Math.max(1, options.maxNodes ?? 2000);
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.scanLimit = Math.max(1, options.scanLimit ?? 5000);
  }

  /** The node a ref names, or undefined (with a note) when the store does not have it. */
  async resolve(ref: LineageRef): Promise<LineageNode | undefined> {
    switch (ref.kind) {
      case 'dataset': {
        const found = (await this.digestRuns(ref.digest, ref.name, 1)) ?? { runs: [] };
        const input = found.runs.flatMap((r) => r.inputs?.datasetInputs ?? []).find((d) => d.dataset.digest === ref.digest && (ref.name === undefined || d.dataset.name === ref.name));
        if (input && ref.name !== undefined) return datasetNode(input.dataset);
        // A digest alone stands for every dataset with it, whatever their names.
        return { kind: 'dataset', id: nodeId(ref), name: ref.name ?? input?.dataset.name ?? '', digest: ref.digest, sourceType: input?.dataset.sourceType ?? '', source: input?.dataset.source ?? '', ...(ref.name === undefined ? { anyName: true as const } : {}) };
      }
      case 'data':
        return (await this.dataUsers(ref.hash, 1)).node;
      case 'run': {
        const run = await this.run(ref.runId);
        return run && runNode(run);
      }
      case 'loggedModel': {
        const model = await this.loggedModel(ref.modelId);
        return model && loggedModelNode(model);
      }
      case 'modelVersion':
        return this.guard(`model version ${ref.name} ${ref.version}`, async () => modelVersionNode(await this.store.getModelVersion(ref.name, ref.version)));
      case 'alias':
        return this.guard(`alias ${ref.name}@${ref.alias}`, async () => aliasNode(ref.name, ref.alias, (await this.store.getModelVersionByAlias(ref.name, ref.alias)).version));
    }
  }

  /** The node's neighbours on one side, with the edges that join them. */
  async expand(node: LineageNode, side: Side): Promise<Expansion> {
    const up = side === 'upstream';
    switch (node.kind) {
      case 'dataset':
      case 'data': {
        if (up) return NONE;
        const found = node.kind === 'data' ? await this.dataUsers(node.sha256 ?? node.dvcMd5?.[0] ?? '', this.limit + 1) : ((await this.digestRuns(node.digest, node.anyName ? undefined : node.name, this.limit + 1)) ?? { runs: [], found: 0 });
        const used = found.runs.map((r): Neighbour => ({ node: runNode(r), edge: { kind: 'used-by', from: node.id, to: nodeId({ kind: 'run', runId: r.info.runId }) } }));
        // Cut when the search found more runs than the limit, even if some were then dropped.
        return this.cut(node, side, used, Math.max(found.found, found.runs.length) > this.limit);
      }
      case 'run':
        return up ? this.runInputs(node.runId) : this.runOutputs(node.runId, node.experimentId);
      case 'loggedModel': {
        if (up) {
          const run = node.sourceRunId === '' ? undefined : await this.run(node.sourceRunId);
          return { neighbours: run ? [{ node: runNode(run), edge: { kind: 'produced', from: runNode(run).id, to: node.id } }] : [] };
        }
        const versions = (await this.guard(`the versions of logged model ${node.modelId}`, () => this.store.searchModelVersions({ filter: `source_path = ${quoted(`models:/${node.modelId}`)}` }))) ?? { items: [] };
        return this.cut(node, side, versions.items.map((v) => ({ node: modelVersionNode(v), edge: { kind: 'registered-as', from: node.id, to: modelVersionNode(v).id } })));
      }
      case 'modelVersion': {
        if (!up) return this.cut(node, side, node.aliases.map((a) => ({ node: aliasNode(node.name, a, node.version), edge: { kind: 'points-to', from: nodeId({ kind: 'alias', name: node.name, alias: a }), to: node.id } })));
        const modelId = loggedModelIdOf(node);
        const model = modelId === undefined ? undefined : await this.loggedModel(modelId);
        if (model) return { neighbours: [{ node: loggedModelNode(model), edge: { kind: 'registered-as', from: loggedModelNode(model).id, to: node.id } }] };
        const run = node.runId === '' ? undefined : await this.run(node.runId);
        return { neighbours: run ? [{ node: runNode(run), edge: { kind: 'registered-as', from: runNode(run).id, to: node.id } }] : [] };
      }
      case 'alias': {
        if (!up) return NONE;
        const version = await this.guard(`alias ${node.name}@${node.alias}`, () => this.store.getModelVersionByAlias(node.name, node.alias));
        return version ? { neighbours: [{ node: modelVersionNode(version), edge: { kind: 'points-to', from: node.id, to: modelVersionNode(version).id } }] } : NONE;
      }
    }
  }

  /** Datasets, Labbook data, consumed models and the parent run a run came from. */
  private async runInputs(runId: string): Promise<Expansion> {
    const run = await this.run(runId);
    if (!run) return NONE;
    const to = nodeId({ kind: 'run', runId });
    const found: Neighbour[] = [];
    const record = await this.dataRecord(runId);
    const recordPaths = new Set(record?.inputs.map((e) => e.path) ?? []);
    for (const input of run.inputs?.datasetInputs ?? []) {
      // Labbook mirrors data.json's inputs as dataset inputs: shown once, as data.
      if (recordPaths.has(input.dataset.name) && input.tags.some((t) => t.key === TAGS.dataFound)) continue;
      const node = datasetNode(input.dataset);
      found.push({ node, edge: { kind: 'used-by', from: node.id, to } });
    }
    for (const entry of record?.inputs ?? []) {
      const hash = dataHash(entry);
      if (hash === undefined) continue;
      const node = dataNode(entry, record?.cwd ?? '', hash);
      found.push({ node, edge: { kind: 'used-by', from: node.id, to } });
    }
    for (const { modelId } of run.inputs?.modelInputs ?? []) {
      const model = await this.loggedModel(modelId);
      if (!model) continue;
      found.push({ node: loggedModelNode(model), edge: { kind: 'used-by', from: loggedModelNode(model).id, to } });
    }
    const parentId = run.data.tags.find((t) => t.key === PARENT_RUN_TAG)?.value;
    const parent = parentId ? await this.run(parentId) : undefined;
    if (parent) found.push({ node: runNode(parent), edge: { kind: 'parent', from: runNode(parent).id, to } });
    return this.cut(runNode(run), 'upstream', found);
  }

  /** The logged models, model versions and child runs that came of a run. */
  private async runOutputs(runId: string, experimentId: string): Promise<Expansion> {
    const run = await this.run(runId);
    if (!run) return NONE;
    const from = nodeId({ kind: 'run', runId });
    const found: Neighbour[] = [];
    const models = new Map<string, LoggedModel>();
    const store = this.store;
    let logged: { items: readonly LoggedModel[] } | undefined;
    if (readsLoggedModels(store)) {
      for (const { modelId } of run.outputs?.modelOutputs ?? []) {
        const model = await this.loggedModel(modelId);
        if (model) models.set(modelId, model);
      }
      logged = await this.guard(`the logged models of run ${runId}`, () => store.searchLoggedModels([experimentId], { filter: `source_run_id = ${quoted(runId)}`, maxResults: this.limit + 1 }));
      for (const model of logged?.items ?? []) models.set(model.modelId, model);
    }
    for (const model of models.values()) found.push({ node: loggedModelNode(model), edge: { kind: 'produced', from, to: loggedModelNode(model).id } });
    const versions = await this.guard(`the model versions of run ${runId}`, () => store.searchModelVersions({ filter: `run_id = ${quoted(runId)}` }));
    for (const version of versions?.items ?? []) {
      const modelId = loggedModelIdOf(version);
      // A version registered from one of this run's logged models hangs off that model instead.
      if (modelId !== undefined && models.has(modelId)) continue;
      found.push({ node: modelVersionNode(version), edge: { kind: 'registered-as', from, to: modelVersionNode(version).id } });
    }
    const children = await this.guard(`the child runs of run ${runId}`, () =>
      store.searchRuns({ experimentIds: [experimentId], filter: `tags.\`${PARENT_RUN_TAG}\` = ${quoted(runId)}`, maxResults: this.limit + 1 }),
    );
    for (const child of children?.items ?? []) found.push({ node: runNode(child), edge: { kind: 'parent', from, to: runNode(child).id } });
    const more = (children?.items.length ?? 0) > this.limit || (logged?.items.length ?? 0) > this.limit;
    return this.cut(runNode(run), 'downstream', found, more);
  }

  /** The runs whose data.json has an input with this hash, and the data node itself. */
  private async dataUsers(hash: string, limit: number): Promise<{ node: LineageNode; runs: readonly Run[]; found: number }> {
    // Labbook logs each hashed input as a dataset input whose digest is a prefix of the sha256.
    if (hash.length !== 64) this.note(`data ${hash}: only sha256 hashes are searched (a DVC md5 is found from the runs that read it).`);
    const found = (hash.length === 64 ? await this.digestRuns(hash.slice(0, DIGEST_LENGTH), undefined, limit) : undefined) ?? { runs: [], found: 0 };
    let node: LineageNode = { kind: 'data', id: nodeId({ kind: 'data', hash }), path: '', absolutePath: '', entryKind: 'file', ...(hash.length === 64 ? { sha256: hash } : { dvcMd5: [hash] }) };
    const records = await mapLimited(found.runs, this.concurrency, (run) => this.dataRecord(run.info.runId));
    const runs: Run[] = [];
    for (const [i, run] of found.runs.entries()) {
      const record = records[i];
      const entry = record?.inputs.find((e) => dataEntryHas(e, hash));
      if (!entry) continue;
      if (runs.length === 0) node = dataNode(entry, record?.cwd ?? '', hash);
      runs.push(run);
    }
    return { node, runs, found: found.found };
  }

  /** The runs that used a digest, the scan's note kept; undefined (with a note) when the search failed. */
  private async digestRuns(digest: string, name: string | undefined, limit: number): Promise<DigestRuns | undefined> {
    const found = await this.guard(`the runs of dataset ${digest}`, () => runsUsingDigest(this.store, digest, name, limit, this.scanLimit));
    if (found?.note) this.note(found.note);
    return found;
  }

  /** Keeps the first `limit` neighbours, and says how many were cut. */
  private cut(node: LineageNode, side: Side, found: readonly Neighbour[], more = false): Expansion {
    const unique = [...new Map(found.map((f) => [`${f.edge.kind} ${f.node.id}`, f])).values()];
    const kept = unique.slice(0, this.limit);
    const cut = unique.length > this.limit || more;
    return {
      neighbours: kept,
      ...(cut ? { truncated: { nodeId: node.id, side, shown: kept.length, ...(more ? {} : { total: unique.length }) } } : {}),
    };
  }

  run(runId: string): Promise<Run | undefined> {
    let run = this.runs.get(runId);
    if (!run) {
      run = this.guard(`run ${runId}`, () => this.store.getRun(runId));
      this.runs.set(runId, run);
    }
    return run;
  }

  private dataRecord(runId: string): Promise<DataRecord | undefined> {
    let record = this.records.get(runId);
    if (!record) {
      const notes: string[] = [];
      record = readDataRecord(this.store, runId, notes).then((read) => (notes.forEach((n) => this.note(`run ${runId}: ${n}`)), read));
      this.records.set(runId, record);
    }
    return record;
  }

  private async loggedModel(modelId: string): Promise<LoggedModel | undefined> {
    const store = this.store;
    if (!readsLoggedModels(store)) return undefined;
    return this.guard(`logged model ${modelId}`, () => store.getLoggedModel(modelId));
  }

  /** Runs a read; a missing entity is no neighbour, another failure a note (never a thrown graph). */
  private async guard<T>(what: string, read: () => Promise<T>): Promise<T | undefined> {
    try {
      return await read();
    } catch (err) {
      if (!isNotFound(err)) this.note(`${what}: ${err instanceof TrackingError ? err.message : errorFirstLine(err)}`);
      return undefined;
    }
  }

  private note(line: string): void {
    if (!this.notes.includes(line)) this.notes.push(line);
  }
}
