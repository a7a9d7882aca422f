// What a run trained on and produced, as Run Details and Compare show it: MLflow 3 dataset inputs
// and logged models (with linked metrics) read from a real SQLite store, and a store without
// logged models (an MLflow database the model was not logged to) still listing the model by id.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildComparison } from '../../../src/core/compare/comparison.ts';
import { loadRunDetails } from '../../../src/core/runDetails/loadRunDetails.ts';
import { lineageOf } from '../../../src/core/runDetails/runLineage.ts';
import { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';
import type { TrackingStore } from '../../../src/core/store/trackingStore.ts';

describe('core/runDetails: run lineage (dataset inputs and logged models)', () => {
  let dir: string;
  let store: SqliteTrackingStore;
  let train: string;
  let evaluate: string;
  let bare: string;
  let modelId: string;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-lineage-'));
    store = new SqliteTrackingStore(path.join(dir, 'tracking.db'));
    train = (await store.createRun({ experimentId: '0', runName: 'train' })).info.runId;
    evaluate = (await store.createRun({ experimentId: '0', runName: 'evaluate' })).info.runId;
    bare = (await store.createRun({ experimentId: '0', runName: 'bare' })).info.runId;
    const iris = { name: 'iris', digest: 'aa11', sourceType: 'local', source: '{"uri": "iris.csv"}', schema: '{"mlflow_colspec": []}', profile: '{"num_rows": 3}' };
    await store.logInputs(train, [{ tags: [{ key: 'mlflow.data.context', value: 'training' }], dataset: iris }]);
    modelId = store.transaction(() => store.loggedModels.create({ experimentId: '0', name: 'clf', sourceRunId: train })).modelId;
    await store.logOutputs(train, [{ modelId, step: 2 }]);
    await store.logMetric(train, { key: 'acc', value: Number.NaN, timestamp: 5, step: 2, modelId, datasetName: 'iris', datasetDigest: 'aa11' });
    await store.logInputs(evaluate, [{ tags: [], dataset: { name: 'holdout', digest: 'bb22', sourceType: 'http', source: '' } }], [{ modelId }]);
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('puts the datasets and the logged models with their metrics in the run details', async () => {
    const details = await loadRunDetails(store, { store: 'local', runId: train });
    assert.deepEqual(details.lineage, {
      datasets: [{ name: 'iris', digest: 'aa11', sourceType: 'local', source: '{"uri": "iris.csv"}', context: 'training', tags: [{ key: 'mlflow.data.context', value: 'training' }], schema: '{"mlflow_colspec": []}', profile: '{"num_rows": 3}' }],
      models: [{ modelId, role: 'output', step: 2, name: 'clf', status: 'PENDING', metrics: [{ key: 'acc', value: 'NaN', step: 2, dataset: 'iris', runId: train }] }],
    });
    const used = await loadRunDetails(store, { store: 'local', runId: evaluate });
    assert.deepEqual(used.lineage?.models.map((m) => [m.name, m.role, m.step]), [['clf', 'input', null]]);
    assert.deepEqual((await loadRunDetails(store, { store: 'local', runId: bare })).lineage, { datasets: [], models: [] });
  });

  it('lists a model by id where the store keeps no logged models, or no longer has it', async () => {
    const run = await store.getRun(train);
    // A store with the TrackingStore methods only (as mlruns folders and TensorBoard logs are).
    const plain = { getRun: store.getRun.bind(store) } as unknown as TrackingStore;
    assert.deepEqual((await lineageOf(plain, run)).models, [{ modelId, role: 'output', step: 2, name: null, status: null, metrics: [] }]);
    store.transaction(() => store.loggedModels.delete(modelId));
    assert.deepEqual((await lineageOf(store, run)).models.map((m) => m.name), [null]);
  });

  it('adds a datasets row to the comparison when a run logged datasets', async () => {
    const model = await buildComparison(store, { store: 'local', runIds: [train, evaluate, bare] });
    const row = model.rows.find((r) => r.id === 'attribute:datasets');
    assert.deepEqual(row?.values, ['iris@aa11 (training)', 'holdout@bb22', null]);
    assert.equal(row?.differs, true);
    const none = await buildComparison(store, { store: 'local', runIds: [bare] });
    assert.equal(none.rows.some((r) => r.id === 'attribute:datasets'), false);
  });
});
