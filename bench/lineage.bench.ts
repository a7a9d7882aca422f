// Issue 15's lineage benchmark: the neighbourhood of a model version in a local store of 10,000
// runs and 1,000 model versions, target < 200 ms. The runs are a sweep: each run is the child of one
// of 100 parent runs and used one of 10 datasets (so a dataset has 1,000 users, cut at the
// per-node limit); every tenth run registered a version of one of 10 models, and each model's
// newest version holds `@champion`. Timed with a fresh LineageReader each time (nothing cached):
// the neighbourhood of 2 hops of a version, and the runs and models one dataset digest touches.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LineageReader } from '../src/core/lineage/lineageReader.ts';
import { SqliteTrackingStore } from '../src/core/store/sqlite/sqliteTrackingStore.ts';
import { medianMs, type Benchmark, type BenchResult } from './timing.ts';

const RUNS = Number(process.env.LABBOOK_BENCH_RUNS ?? 10_000);
const PARENTS = 100;
const DATASETS = 10;
const MODELS = 10;
const VERSION_EVERY = 10;
const TARGET_MS = 200;

let dir: string | undefined;
let seeded: Promise<{ store: SqliteTrackingStore; versions: number }> | undefined;

const datasetOf = (i: number) => ({ name: `ds-${i % DATASETS}`, digest: `digest${String(i % DATASETS).padStart(4, '0')}`, sourceType: 'local', source: `{"uri": "data/${i % DATASETS}.csv"}` });

function seed(): Promise<{ store: SqliteTrackingStore; versions: number }> {
  seeded ??= (async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-bench-lineage-'));
    const store = new SqliteTrackingStore(path.join(dir, 'tracking.db'));
    const parents: string[] = [];
    for (let p = 0; p < PARENTS; p++) parents.push((await store.createRun({ experimentId: '0', runName: `sweep-${p}` })).info.runId);
    for (let m = 0; m < MODELS; m++) await store.createRegisteredModel(`model-${m}`);
    let versions = 0;
    for (let i = 0; i < RUNS; i++) {
      const runId = (await store.createRun({ experimentId: '0', runName: `trial-${i}`, tags: [{ key: 'mlflow.parentRunId', value: parents[i % PARENTS] as string }] })).info.runId;
      await store.logInputs(runId, [{ tags: [{ key: 'mlflow.data.context', value: 'training' }], dataset: datasetOf(i) }]);
      if (i % VERSION_EVERY === 0) {
        await store.createModelVersion(`model-${(i / VERSION_EVERY) % MODELS}`, `runs:/${runId}/model`, runId);
        versions++;
      }
    }
    for (let m = 0; m < MODELS; m++) {
      const newest = (await store.searchModelVersions({ filter: `name = 'model-${m}'`, maxResults: 1000 })).items.reduce((a, b) => (Number(b.version) > Number(a.version) ? b : a));
      await store.setRegisteredModelAlias(`model-${m}`, 'champion', newest.version);
    }
    return { store, versions };
  })();
  return seeded;
}

export async function dispose(): Promise<void> {
  if (seeded) await (await seeded).store.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  seeded = undefined;
  dir = undefined;
}

function report(what: string, ms: number, detail: string): BenchResult {
  return { oursMs: ms, target: `< ${TARGET_MS} ms (${what}; ${detail})`, met: ms < TARGET_MS };
}

export const benchmarks: Benchmark[] = [
  {
    name: `lineage: neighbourhood of a model version, 2 hops (${RUNS / 1000}k runs, ${RUNS / VERSION_EVERY} versions)`,
    async run() {
      const { store, versions } = await seed();
      let nodes = 0;
      let cut = 0;
      const ms = await medianMs(async () => {
        const graph = await new LineageReader(store).neighbourhood({ kind: 'modelVersion', name: 'model-3', version: '7' }, 2);
        nodes = graph.nodes.length;
        cut = graph.truncated.length;
        if (!graph.nodes.some((n) => n.kind === 'dataset')) throw new Error('the neighbourhood lacks the version’s dataset');
      });
      return report('a fresh reader each time', ms, `${nodes} nodes, ${cut} cut at the per-node limit; ${versions} versions in the store`);
    },
  },
  {
    name: `lineage: what one dataset digest touches (${RUNS / DATASETS} runs used it)`,
    async run() {
      const { store } = await seed();
      let found = '';
      const ms = await medianMs(async () => {
        const users = await new LineageReader(store).usersOfDigest(datasetOf(0).digest);
        found = `${users.runs.length} runs, ${users.modelVersions.length} versions, ${users.aliases.length} aliases shown; ${users.graph.truncated.length} nodes cut`;
        if (users.runs.length === 0) throw new Error('no run found for the digest');
      });
      return report('a fresh reader each time', ms, found);
    },
  },
];
