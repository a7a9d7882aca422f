// Lineage over an mlflow.db that the real `mlflow` client wrote (test/fixtures/lineage/logLineage.py):
// the same edges as over Labbook's own store, read by the mlflow.db reader, and the stale marks of
// the data file the run's Labbook record names.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LineageReader } from '../../../src/core/lineage/lineageReader.ts';
import { staleMarks } from '../../../src/core/lineage/staleness.ts';
import type { LineageGraph } from '../../../src/core/lineage/types.ts';
import { MlflowDbStore } from '../../../src/core/store/mlflowFiles/mlflowDbStore.ts';
import { runPython } from '../../support/python.ts';

const SCRIPT = fileURLToPath(new URL('../../fixtures/lineage/logLineage.py', import.meta.url));

function edges(graph: LineageGraph): string[] {
  return graph.edges.map((e) => `${e.from} -${e.kind}-> ${e.to}`).sort();
}

describe('core/lineage: an mlflow.db written by the mlflow client', function () {
  this.timeout(300_000);
  let dir: string;
  let store: MlflowDbStore;
  let ids: { sweep: string; train: string; modelId: string; sha256: string };

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-lineage-db-'));
    const db = path.join(dir, 'mlflow.db');
    const result = await runPython([SCRIPT, path.join(dir, 'ids.json')], { MLFLOW_TRACKING_URI: `sqlite:///${db}` }, 240_000, dir);
    assert.equal(result.code, 0, result.stderr);
    ids = JSON.parse(readFileSync(path.join(dir, 'ids.json'), 'utf8')) as typeof ids;
    store = new MlflowDbStore(db, {});
  });
  after(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('walks upstream of @champion through the logged model to the dataset and the parent run', async () => {
    const graph = await new LineageReader(store).upstream({ kind: 'alias', name: 'clf', alias: 'champion' });
    assert.deepEqual(edges(graph), [
      'alias:clf@champion -points-to-> modelVersion:clf/1',
      `data:${ids.sha256} -used-by-> run:${ids.train}`,
      `dataset:d1gest01:iris -used-by-> run:${ids.train}`,
      `loggedModel:${ids.modelId} -registered-as-> modelVersion:clf/1`,
      `run:${ids.sweep} -parent-> run:${ids.train}`,
      `run:${ids.train} -produced-> loggedModel:${ids.modelId}`,
    ].sort());
  });

  it('finds both versions and the alias from the dataset digest', async () => {
    const users = await new LineageReader(store).usersOfDigest('d1gest01');
    assert.deepEqual(users.runs.map((r) => r.runId), [ids.train]);
    assert.deepEqual(users.modelVersions.map((v) => v.version).sort(), ['1', '2']);
    assert.deepEqual(users.aliases.map((a) => `${a.name}@${a.alias}`), ['clf@champion']);
    assert.ok(edges(users.graph).includes(`run:${ids.train} -registered-as-> modelVersion:clf/2`));
  });

  it('marks the run, versions and alias downstream of the data file stale once it changes', async () => {
    const graph = await new LineageReader(store).upstream({ kind: 'alias', name: 'clf', alias: 'champion' });
    const fresh = await staleMarks(graph);
    assert.deepEqual([...fresh.data.values()], ['fresh']);
    assert.equal(fresh.staleDownstream.size, 0);
    writeFileSync(path.join(dir, 'data', 'train.csv'), 'x,y\n1,3\n');
    const stale = await staleMarks(graph);
    assert.deepEqual([...stale.data.entries()], [[`data:${ids.sha256}`, 'stale']]);
    for (const id of [`run:${ids.train}`, `loggedModel:${ids.modelId}`, 'modelVersion:clf/1', 'alias:clf@champion']) assert.ok(stale.staleDownstream.has(id), id);
    assert.ok(!stale.staleDownstream.has(`run:${ids.sweep}`), 'the parent run did not read it');
  });
});
