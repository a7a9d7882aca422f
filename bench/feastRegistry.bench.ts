// Issue 20's registry benchmark: a Feast repository of 500 feature views (one file source, one
// entity), applied by a real `feast apply`, listed as the Feature Store view first lists it: the
// quick reader (Python's start, Feast's protobuf schema without Feast's import, the registry file,
// the JSON answer), target < 1 s, against a Python that only imports Feast (the floor of any
// reader that imports it), timed in the same run. Feast's own read, which follows in the view and
// has the last word, is reported beside it. Re-listing from the view's cache (the answer kept,
// every node and hover built again, as a refresh of the tree does) targets < 50 ms.
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { projectObjects, type FeastRegistry } from '../src/core/feast/feastRegistry.ts';
import { readFeastRegistry } from '../src/core/feast/readFeastRegistry.ts';
import { nodeLook, objectChildren, projectGroups, type FeatureStoreNode } from '../src/host/feast/featureStoreModel.ts';
import { medianMs, type Benchmark, type BenchResult } from './timing.ts';

const VIEWS = Number(process.env.LABBOOK_BENCH_FEAST_VIEWS ?? 500);
const COLD_TARGET_MS = 1000;
const CACHED_TARGET_MS = 50;

let dir: string | undefined;
let seeded: Promise<{ python: string; repo: string }> | undefined;

function feastPython(): string {
  const python = process.env.LABBOOK_FEAST_PYTHON;
  if (!python) throw new Error('LABBOOK_FEAST_PYTHON must name the Feast venv (bench/run.mjs sets it)');
  return python;
}

function seed(): Promise<{ python: string; repo: string }> {
  seeded ??= (() => {
    const python = feastPython();
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-bench-feast-'));
    const repo = path.join(dir, 'big_repo');
    mkdirSync(path.join(repo, 'data'), { recursive: true });
    writeFileSync(path.join(repo, 'feature_store.yaml'), 'project: big\nregistry: data/registry.db\nprovider: local\nonline_store:\n  type: sqlite\n  path: data/online_store.db\nentity_key_serialization_version: 3\n');
    writeFileSync(path.join(repo, 'make_data.py'), 'import pandas as pd\npd.DataFrame({"user_id": [1], "x": [1.0], "y": [1], "ts": [pd.Timestamp("2026-01-01", tz="UTC")]}).to_parquet("data/users.parquet")\n');
    writeFileSync(path.join(repo, 'features.py'), [
      'from datetime import timedelta',
      'from feast import Entity, FeatureView, Field, FileSource',
      'from feast.types import Float64, Int64',
      'user = Entity(name="user", join_keys=["user_id"])',
      'users = FileSource(name="users", path="data/users.parquet", timestamp_field="ts")',
      `for i in range(${VIEWS}):`,
      '    globals()[f"view_{i}"] = FeatureView(name=f"view_{i}", entities=[user], ttl=timedelta(days=1 + i % 30), schema=[Field(name="x", dtype=Float64), Field(name="y", dtype=Int64)], source=users, tags={"team": f"t{i % 7}"})',
      '',
    ].join('\n'));
    const env = { ...process.env, FEAST_USAGE: 'False' };
    execFileSync(python, ['make_data.py'], { cwd: repo, env, timeout: 120_000 });
    execFileSync(path.join(path.dirname(python), 'feast'), ['apply'], { cwd: repo, env, timeout: 900_000, stdio: 'ignore' });
    return Promise.resolve({ python, repo });
  })();
  return seeded;
}

export function dispose(): Promise<void> {
  if (dir) rmSync(dir, { recursive: true, force: true });
  seeded = undefined;
  dir = undefined;
  return Promise.resolve();
}

function importOnly(python: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(python, ['-c', 'import feast'], { env: { ...process.env, FEAST_USAGE: 'False' }, timeout: 120_000 }, (err) => (err ? reject(new Error(err.message)) : resolve()));
  });
}

/** Every node and look the view builds for the registry, as a refresh of the tree does. */
function relist(registry: FeastRegistry): number {
  let nodes = 0;
  const repo = { folder: '/repo', label: 'big_repo' };
  for (const project of registry.projects) {
    const stack: FeatureStoreNode[] = [...projectGroups(repo, project)];
    for (const object of projectObjects(project)) stack.push({ kind: 'object', repo, project: project.name, object }, ...objectChildren(object));
    for (const node of stack) {
      nodeLook(node);
      nodes++;
    }
  }
  return nodes;
}

/** The median time of a listing (`quick`: the quick reader, else Feast itself), checked to have every view. */
async function medianListing(python: string, repo: string, quick: boolean): Promise<{ ms: number; count: number }> {
  let count = 0;
  const ms = await medianMs(async () => {
    const read = await readFeastRegistry(python, repo, { quick });
    if (!read.ok) throw new Error(read.message);
    count = read.registry.projects.reduce((n, p) => n + p.featureViews.length, 0);
  }, 3);
  if (count !== VIEWS) throw new Error(`listed ${count} feature views, not ${VIEWS}`);
  return { ms, count };
}

export const benchmarks: Benchmark[] = [
  {
    name: `feast: first listing of a registry of ${VIEWS} feature views (quick reader, Python's start included)`,
    async run(): Promise<BenchResult> {
      const { python, repo } = await seed();
      const views = await medianListing(python, repo, true);
      const peerMs = await medianMs(() => importOnly(python), 3);
      return {
        oursMs: views.ms, peer: "python -c 'import feast' (the floor of a reader that imports Feast)", peerMs,
        target: `< ${COLD_TARGET_MS} ms including the driver's start (${views.count} views; importing Feast alone takes ${Math.round(peerMs)} ms here)`,
        met: views.ms < COLD_TARGET_MS,
      };
    },
  },
  {
    name: `feast: Feast's own read of the ${VIEWS} feature views (follows the first listing in the view)`,
    async run(): Promise<BenchResult> {
      const { python, repo } = await seed();
      const views = await medianListing(python, repo, false);
      return { oursMs: views.ms, target: `reported (${views.count} views; the view shows the quick listing meanwhile)` };
    },
  },
  {
    name: `feast: re-list the ${VIEWS} feature views from the view's cache (every node and hover built again)`,
    async run(): Promise<BenchResult> {
      const { python, repo } = await seed();
      const read = await readFeastRegistry(python, repo);
      if (!read.ok) throw new Error(read.message);
      let nodes = 0;
      const oursMs = await medianMs(() => {
        nodes = relist(read.registry);
      });
      return { oursMs, target: `< ${CACHED_TARGET_MS} ms (${nodes} nodes)`, met: oursMs < CACHED_TARGET_MS };
    },
  },
];
