// Two training runs of a model as Labbook and MLflow 3 record them, in a real SQLite store with real
// artifacts: params, run metrics and model-linked metrics, data.json + fingerprints.json, an MLflow
// dataset with a schema, code snapshot and patch, pip freeze, and each run's logged model with an
// MLmodel (signature, input example). `clf` v1 (@champion) and v2 are registered from the logged
// models; v3 from the second run's artifact folder (`runs:/<run>/model`).
import { writeDataRecord } from '../../../src/core/data/dataRecord.ts';
import type { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';

export const COMMIT_A = 'a'.repeat(40);
export const COMMIT_B = 'b'.repeat(40);
export const SNAPSHOT = 'labbook/code/train.py';

export const FREEZE_A = ['numpy==1.26.4', 'pandas==2.1.0', 'scipy==1.11.0', 'mypkg @ file:///tmp/mypkg', '-e git+https://example.invalid/yy.git#egg=yy', 'requests==2.31.0', '!!not a requirement'].join('\n');
export const FREEZE_B = ['numpy==2.0.1', 'pandas==1.5.3', 'torch==2.3.0', 'mypkg @ file:///tmp/mypkg2', '-e git+https://example.invalid/yy.git#egg=yy', 'requests==2.31.0'].join('\n');

const colspec = (cols: readonly (readonly [string, string])[]) => JSON.stringify({ mlflow_colspec: cols.map(([name, type]) => ({ type, name, required: true })) });

export function mlmodel(inputs: readonly (readonly [string, string])[], example: boolean): string {
  const list = JSON.stringify(inputs.map(([name, type]) => ({ type, name, required: true })));
  return [
    'artifact_path: model',
    'flavors:',
    '  python_function:',
    '    loader_module: mlflow.sklearn',
    ...(example ? ['saved_input_example_info:', '  artifact_path: input_example.json', '  type: dataframe', '  pandas_orient: split'] : []),
    'signature:',
    `  inputs: '${list}'`,
    `  outputs: '[{"type": "double", "required": true}]'`,
    '  params: null',
    '',
  ].join('\n');
}

export interface Scenario {
  readonly runA: string;
  readonly runB: string;
  readonly modelA: string;
  readonly modelB: string;
}

const text = (s: string) => new TextEncoder().encode(s);

export async function buildScenario(store: SqliteTrackingStore): Promise<Scenario> {
  const runA = (await store.createRun({ experimentId: '0', runName: 'train-a', startTime: 1000 })).info.runId;
  const runB = (await store.createRun({ experimentId: '0', runName: 'train-b', startTime: 2000 })).info.runId;
  const common = (commit: string, dirty: boolean) => [
    { key: 'mlflow.source.git.commit', value: commit },
    { key: 'mlflow.source.git.branch', value: 'main' },
    { key: 'labbook.git.dirty', value: String(dirty) },
    { key: 'labbook.source.snapshot', value: SNAPSHOT },
  ];
  await store.logBatch(runA, {
    params: [{ key: 'lr', value: '0.1' }, { key: 'depth', value: '3' }, { key: 'seed', value: '1' }],
    metrics: [{ key: 'rmse', value: 0.5, timestamp: 1, step: 0 }, { key: 'accuracy', value: 0.8, timestamp: 1, step: 0 }, { key: 'widgets', value: 10, timestamp: 1, step: 0 }],
    tags: [...common(COMMIT_A, false), { key: 'labbook.python.version', value: '3.11.9' }],
  });
  await store.logBatch(runB, {
    params: [{ key: 'lr', value: '0.05' }, { key: 'depth', value: '3' }, { key: 'dropout', value: '0.2' }],
    metrics: [{ key: 'rmse', value: 0.4, timestamp: 1, step: 0 }, { key: 'accuracy', value: 0.85, timestamp: 1, step: 0 }, { key: 'widgets', value: 12, timestamp: 1, step: 0 }],
    tags: [...common(COMMIT_B, true), { key: 'labbook.python.version', value: '3.12.4' }],
  });
  await store.writeArtifact(runA, SNAPSHOT, text('print("a")\n'));
  await store.writeArtifact(runB, SNAPSHOT, text('print("b")\n'));
  await store.writeArtifact(runB, 'labbook/code/git.patch', text('--- a/train.py\n+++ b/train.py\n'));
  await store.writeArtifact(runA, 'labbook/environment/requirements.txt', text(FREEZE_A));
  await store.writeArtifact(runB, 'labbook/environment/requirements.txt', text(FREEZE_B));
  const sha = (c: string) => c.repeat(64);
  await writeDataRecord(store, runA, {
    version: 1, cwd: '/work', outputs: [], notes: [],
    inputs: [{ path: 'data/train.csv', kind: 'file', found: ['observed'], sha256: sha('1') }, { path: 'data/extra.csv', kind: 'file', found: ['observed'], sha256: sha('2') }, { path: 'data/same.csv', kind: 'file', found: ['observed'], sha256: sha('3') }],
  });
  await writeDataRecord(store, runB, {
    version: 1, cwd: '/work', outputs: [], notes: [],
    inputs: [{ path: 'data/train.csv', kind: 'file', found: ['observed'], sha256: sha('4') }, { path: 'data/new.csv', kind: 'file', found: ['observed'], sha256: sha('5') }, { path: 'data/same.csv', kind: 'file', found: ['observed'], sha256: sha('3') }],
  });
  await store.writeArtifact(runA, 'labbook/data/fingerprints.json', text(JSON.stringify({ combined: 'c', entries: [{ path: 'data/labels.csv', kind: 'file', sha256: sha('6') }] })));
  await store.writeArtifact(runB, 'labbook/data/fingerprints.json', text(JSON.stringify({ combined: 'c', entries: [{ path: 'data/labels.csv', kind: 'file', sha256: sha('6') }] })));
  await store.logInputs(runA, [{ tags: [{ key: 'mlflow.data.context', value: 'training' }], dataset: { name: 'iris', digest: 'd1', sourceType: 'local', source: '{"uri": "iris.csv"}', schema: colspec([['x', 'double'], ['y', 'long']]) } }]);
  await store.logInputs(runB, [{ tags: [{ key: 'mlflow.data.context', value: 'training' }], dataset: { name: 'iris', digest: 'd2', sourceType: 'local', source: '{"uri": "iris.csv"}', schema: colspec([['x', 'float'], ['z', 'string']]) } }]);

  const modelA = store.transaction(() => store.loggedModels.create({ experimentId: '0', name: 'clf', sourceRunId: runA })).modelId;
  const modelB = store.transaction(() => store.loggedModels.create({ experimentId: '0', name: 'clf', sourceRunId: runB })).modelId;
  await store.logOutputs(runA, [{ modelId: modelA, step: 0 }]);
  await store.logOutputs(runB, [{ modelId: modelB, step: 0 }]);
  await store.logMetric(runA, { key: 'rmse', value: 0.45, timestamp: 2, step: 1, modelId: modelA, datasetName: 'iris', datasetDigest: 'd1' });
  await store.logMetric(runB, { key: 'rmse', value: 0.36, timestamp: 2, step: 1, modelId: modelB, datasetName: 'iris', datasetDigest: 'd2' });
  for (const [id, inputs, example] of [[modelA, [['x', 'double'], ['y', 'long']], '{"columns": ["x", "y"], "data": [[1.0, 2]]}'], [modelB, [['x', 'float'], ['z', 'string']], '{"columns": ["x", "z"], "data": [[1.0, "a"]]}']] as const) {
    const location = (await store.getLoggedModel(id)).artifactLocation;
    await store.artifacts.write(location, 'MLmodel', text(mlmodel(inputs, true)));
    await store.artifacts.write(location, 'input_example.json', text(example));
  }
  // v3: MLflow 2 style, the model's files in the run's artifacts.
  await store.writeArtifact(runB, 'model/MLmodel', text(mlmodel([['x', 'float']], false)));

  await store.createRegisteredModel('clf');
  await store.createModelVersion('clf', `models:/${modelA}`, runA);
  await store.createModelVersion('clf', `models:/${modelB}`, runB);
  await store.createModelVersion('clf', `runs:/${runB}/model`, runB);
  await store.setRegisteredModelAlias('clf', 'champion', '1');
  return { runA, runB, modelA, modelB };
}
