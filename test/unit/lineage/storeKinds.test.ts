// Lineage over a store that lacks parts of it: an MLflow `mlruns/` folder keeps no dataset inputs
// and no logged models, so its graphs have runs, versions and aliases only, and no errors.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LineageReader } from '../../../src/core/lineage/lineageReader.ts';
import { MlrunsStore } from '../../../src/core/store/mlflowFiles/mlrunsStore.ts';

function write(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

function mlrunsRun(root: string, runId: string, name: string, tags: Record<string, string> = {}): void {
  const dir = path.join(root, '0', runId);
  write(
    path.join(dir, 'meta.yaml'),
    `artifact_uri: file://${dir}/artifacts\nend_time: 2\nexperiment_id: '0'\nlifecycle_stage: active\nrun_id: ${runId}\nrun_name: ${name}\nrun_uuid: ${runId}\nstart_time: 1\nstatus: 3\nuser_id: ada\n`,
  );
  for (const [key, value] of Object.entries(tags)) write(path.join(dir, 'tags', key), value);
}

describe('core/lineage: an mlruns folder (no dataset inputs, no logged models)', () => {
  let dir: string;
  let store: MlrunsStore;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-lineage-mlruns-'));
    write(path.join(dir, '0', 'meta.yaml'), `artifact_location: file://${dir}/0\nexperiment_id: '0'\nlifecycle_stage: active\nname: Default\ncreation_time: 1\nlast_update_time: 1\n`);
    mlrunsRun(dir, 'sweep0000', 'sweep');
    mlrunsRun(dir, 'train0000', 'train', { 'mlflow.parentRunId': 'sweep0000' });
    write(path.join(dir, 'models', 'clf', 'meta.yaml'), 'name: clf\ncreation_timestamp: 1\nlast_updated_timestamp: 1\n');
    write(path.join(dir, 'models', 'clf', 'version-1', 'meta.yaml'), 'name: clf\nversion: 1\nsource: runs:/train0000/model\nrun_id: train0000\ncreation_timestamp: 1\ncurrent_stage: None\nstatus: READY\n');
    write(path.join(dir, 'models', 'clf', 'aliases', 'champion'), '1');
    store = new MlrunsStore(dir);
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('walks upstream of an alias through the version to the run and its parent', async () => {
    const graph = await new LineageReader(store).upstream({ kind: 'alias', name: 'clf', alias: 'champion' });
    assert.deepEqual(graph.edges.map((e) => `${e.from} -${e.kind}-> ${e.to}`).sort(), [
      'alias:clf@champion -points-to-> modelVersion:clf/1',
      'run:sweep0000 -parent-> run:train0000',
      'run:train0000 -registered-as-> modelVersion:clf/1',
    ]);
    assert.deepEqual(graph.notes, []);
  });

  it('walks downstream of the parent run to the alias, and finds no users of a digest', async () => {
    const reader = new LineageReader(store);
    const graph = await reader.downstream({ kind: 'run', runId: 'sweep0000' });
    assert.deepEqual(graph.nodes.map((n) => n.id).sort(), ['alias:clf@champion', 'modelVersion:clf/1', 'run:sweep0000', 'run:train0000']);
    const users = await reader.usersOfDigest('d1gest01');
    assert.deepEqual([users.runs, users.modelVersions, users.graph.edges], [[], [], []]);
  });
});
