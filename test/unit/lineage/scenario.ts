// The lineage tests' store: a dataset input and a Labbook data.json input → a training run (child
// of a sweep run) → a logged model → two model versions (one registered from the logged model, one
// from the run) → `clf@champion` on version 1; and five runs that used the dataset `many`.
import { writeDataRecord, type DataRecord } from '../../../src/core/data/dataRecord.ts';
import type { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';

export const SHA = 'ab'.repeat(32);
export const MD5 = 'cd'.repeat(16);
export const IRIS = { name: 'iris', digest: 'd1gest01', sourceType: 'local', source: '{"uri": "iris.csv"}', schema: '{"mlflow_colspec": []}', profile: '{"num_rows": 3}' };
export const MANY_RUNS = 5;

export interface Scenario {
  readonly sweep: string;
  readonly train: string;
  readonly modelId: string;
  readonly many: readonly string[];
  readonly cwd: string;
}

export async function buildScenario(store: SqliteTrackingStore, cwd: string): Promise<Scenario> {
  const sweep = (await store.createRun({ experimentId: '0', runName: 'sweep' })).info.runId;
  const train = (await store.createRun({ experimentId: '0', runName: 'train', tags: [{ key: 'mlflow.parentRunId', value: sweep }] })).info.runId;
  await store.logInputs(train, [{ tags: [{ key: 'mlflow.data.context', value: 'training' }], dataset: IRIS }]);
  const record: DataRecord = {
    version: 1, cwd, outputs: [], notes: [],
    inputs: [{ path: 'data/train.csv', kind: 'file', found: ['observed'], sha256: SHA, dvc: { file: 'train.csv.dvc', outs: [{ path: 'train.csv', md5: MD5 }] } }],
  };
  // As a launched run records it: data.json, and the input mirrored as an MLflow dataset input.
  await writeDataRecord(store, train, record);
  const modelId = store.transaction(() => store.loggedModels.create({ experimentId: '0', name: 'clf', sourceRunId: train })).modelId;
  await store.logOutputs(train, [{ modelId, step: 1 }]);
  await store.createRegisteredModel('clf');
  await store.createModelVersion('clf', `models:/${modelId}`, train);
  await store.createModelVersion('clf', `runs:/${train}/model`, train);
  await store.setRegisteredModelAlias('clf', 'champion', '1');
  const many: string[] = [];
  for (let i = 0; i < MANY_RUNS; i++) {
    const runId = (await store.createRun({ experimentId: '0', runName: `many-${i}` })).info.runId;
    await store.logInputs(runId, [{ tags: [], dataset: { name: 'many', digest: 'manyd1g', sourceType: 'local', source: '' } }]);
    many.push(runId);
  }
  return { sweep, train, modelId, many, cwd };
}
