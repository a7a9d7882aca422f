// MLflow 3 run inputs, outputs and logged models in Labbook's readers, over data the real `mlflow`
// client wrote (test/fixtures/mlflowReaders/logRunIo.py): the mlflow.db reader; the local store
// through its MLflow endpoint, which must read back what MLflow's own SQL store reads back; and
// a store from before these existed, upgraded by the schema migration without losing anything.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startLocalTrackingServer } from '../../../src/core/mlflow/server/localTrackingServer.ts';
import { openDatabase } from '../../../src/core/sqlite/openDatabase.ts';
import { MlflowDbStore } from '../../../src/core/store/mlflowFiles/mlflowDbStore.ts';
import { MIGRATIONS, SCHEMA_VERSION } from '../../../src/core/store/sqlite/migrations.ts';
import { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';
import type { LoggedModel, Metric, RunInputs } from '../../../src/core/store/types.ts';
import { logRunIoWithMlflow, testPython, type RunIoManifest } from './mlflowFixture.ts';

/** Ids, creation times and artifact locations differ between stores; names and values must not. */
function normalised(manifest: RunIoManifest): unknown {
  let text = JSON.stringify(manifest);
  manifest.runs.forEach((run, i) => (text = text.replaceAll(run.runId, `run-${i}`)));
  for (const model of manifest.loggedModels) text = text.replaceAll(model.modelId, `model-${model.name}`);
  const parsed = JSON.parse(text, (key, value: unknown) =>
    ['experimentId', 'artifactLocation', 'creationTimestamp', 'lastUpdatedTimestamp'].includes(key) ? undefined : value,
  ) as RunIoManifest;
  return { ...parsed, runs: parsed.runs.map((r) => ({ ...r, inputs: sortedTags(r.inputs) })) };
}

/** MLflow's SQL store returns a dataset input's tags in no defined order. */
function sortedTags(inputs: RunInputs | undefined): RunInputs | undefined {
  return inputs && { ...inputs, datasetInputs: inputs.datasetInputs.map((d) => ({ ...d, tags: [...d.tags].sort((a, b) => a.key.localeCompare(b.key)) })) };
}

/** A run's history of `key` with each value's links, as the run's logged models record them. */
function linkedHistory(manifest: RunIoManifest, runId: string, key: string, points: readonly Metric[]): Metric[] {
  const linked = manifest.loggedModels.flatMap((model) => model.metrics.filter((m) => m.runId === runId && m.key === key));
  return points.map(({ modelId: _m, datasetName: _n, datasetDigest: _d, ...point }) => {
    const link = linked.find((m) => m.step === point.step && m.timestamp === point.timestamp && m.value === point.value);
    if (!link) return point;
    return { ...point, modelId: link.modelId, ...(link.datasetName ? { datasetName: link.datasetName } : {}), ...(link.datasetDigest ? { datasetDigest: link.datasetDigest } : {}) };
  });
}

function withoutHistoryLinks(manifest: RunIoManifest): RunIoManifest {
  const strip = (points: readonly Metric[]) => points.map(({ modelId: _m, datasetName: _n, datasetDigest: _d, ...point }) => point);
  return { ...manifest, runs: manifest.runs.map((r) => ({ ...r, history: Object.fromEntries(Object.entries(r.history).map(([k, v]) => [k, strip(v)])) })) };
}

function sortMetrics(model: LoggedModel): LoggedModel {
  return { ...model, metrics: [...model.metrics].sort((a, b) => a.key.localeCompare(b.key) || a.step - b.step || a.timestamp - b.timestamp || (a.runId ?? '').localeCompare(b.runId ?? '')) };
}

describe('store: MLflow 3 run inputs, outputs and logged models (written by the real mlflow client)', function () {
  this.timeout(300_000);
  let tmp = '';
  let manifest: RunIoManifest;
  let dbFile = '';

  before(async () => {
    tmp = mkdtempSync(path.join(tmpdir(), 'labbook-run-io-'));
    mkdirSync(path.join(tmp, 'db'));
    dbFile = path.join(tmp, 'db', 'mlflow.db');
    manifest = await logRunIoWithMlflow(testPython(), `sqlite:///${dbFile}`, path.join(tmp, 'db'), path.join(tmp, 'db.json'));
  });
  after(() => {
    if (tmp !== '') rmSync(tmp, { recursive: true, force: true });
  });

  describe('MlflowDbStore over mlflow.db', () => {
    let store: MlflowDbStore;
    before(() => {
      store = new MlflowDbStore(dbFile, {});
    });
    after(async () => store.close());

    it('reads each run\'s dataset inputs with tags, schema and profile, its model inputs and outputs', async () => {
      for (const expected of manifest.runs) {
        const run = await store.getRun(expected.runId);
        assert.deepEqual(sortedTags(run.inputs), sortedTags(expected.inputs));
        assert.deepEqual(run.outputs, expected.outputs);
      }
      const found = await store.searchRuns({ experimentIds: [manifest.experimentId] });
      for (const run of found.items) assert.deepEqual(run, await store.getRun(run.info.runId));
      assert.equal(manifest.runs[0]?.inputs.datasetInputs[0]?.dataset.profile, '{"num_rows": 150, "num_elements": 600}');
    });

    it('reads logged models with params, tags, status and every linked metric', async () => {
      for (const expected of manifest.loggedModels) assert.deepEqual(sortMetrics(await store.getLoggedModel(expected.modelId)), expected);
      const all = await store.searchLoggedModels([manifest.experimentId]);
      assert.deepEqual(all.items.map((m) => m.name).sort(), ['classifier', 'draft']);
      const filtered = await store.searchLoggedModels([manifest.experimentId], { filter: 'metrics.accuracy > 0.9' });
      assert.deepEqual(filtered.items.map((m) => m.modelId), manifest.accuracyAbove09);
      const onHoldout = await store.searchLoggedModels([manifest.experimentId], { filter: 'metrics.accuracy > 0.9', datasets: [{ datasetName: 'holdout' }] });
      assert.deepEqual(onHoldout.items, [], 'on the holdout set the model scored 0.87');
    });

    it('reads metric histories with the model links kept in logged_model_metrics', async () => {
      let linkedPoints = 0;
      for (const run of manifest.runs) {
        for (const [key, points] of Object.entries(run.history)) {
          const expected = linkedHistory(manifest, run.runId, key, points);
          linkedPoints += expected.filter((m) => m.modelId).length;
          assert.deepEqual(await store.getMetricHistory(run.runId, key), expected);
        }
      }
      assert.ok(linkedPoints > 0, 'the fixture logs metrics for a model');
    });
  });

  describe('SqliteTrackingStore through the MLflow endpoint', () => {
    it('reads back exactly what MLflow\'s own SQL store reads back', async () => {
      const store = new SqliteTrackingStore(path.join(tmp, 'labbook', 'tracking.db'));
      const server = await startLocalTrackingServer({ store });
      try {
        mkdirSync(path.join(tmp, 'lb'));
        const ours = await logRunIoWithMlflow(testPython(), server.url, path.join(tmp, 'lb'), path.join(tmp, 'lb.json'), { MLFLOW_TRACKING_TOKEN: server.token });
        // MLflow's server drops a value's model links from get-history; Labbook returns them.
        assert.deepEqual(normalised(withoutHistoryLinks(ours)), normalised(manifest));
        for (const run of ours.runs) {
          for (const [key, points] of Object.entries(run.history)) assert.deepEqual(points, linkedHistory(ours, run.runId, key, points));
        }
        // And the store's own readers agree with what the client saw.
        for (const expected of ours.runs) {
          const run = await store.getRun(expected.runId);
          assert.deepEqual({ inputs: run.inputs, outputs: run.outputs }, { inputs: expected.inputs, outputs: expected.outputs });
        }
        for (const expected of ours.loggedModels) assert.deepEqual(sortMetrics(await store.getLoggedModel(expected.modelId)), expected);
      } finally {
        await server.close();
        await store.close();
      }
    });
  });

  describe('migration of a store from before schema 2', () => {
    it('keeps runs, metrics and stored inputs and outputs, in order, and then links model metrics', async () => {
      const file = path.join(tmp, 'old', 'tracking.db');
      mkdirSync(path.dirname(file));
      const db = openDatabase(file, {});
      db.exec(MIGRATIONS[0] ?? '');
      db.pragma('user_version = 1');
      db.prepare("INSERT INTO runs (run_key, run_id, experiment_id, run_name, user_id, status, start_time, artifact_uri) VALUES (1, 'r1', 0, 'old', 'u', 'FINISHED', 5, 'a')").run();
      db.prepare("INSERT INTO metrics (run_key, key, step, timestamp, value) VALUES (1, 'loss', 0, 7, 0.5)").run();
      db.prepare("INSERT INTO latest_metrics (run_key, key, step, timestamp, value) VALUES (1, 'loss', 0, 7, 0.5)").run();
      db.prepare("INSERT INTO logged_models (model_id, experiment_id, name, artifact_location, creation_timestamp, last_updated_timestamp, status) VALUES ('m-1', 0, 'm', 'x', 1, 1, 'LOGGED_MODEL_READY')").run();
      // What schema 1's endpoint stored: the client's JSON as sent, in no kept order (its key
      // sorted them by text); schema 2 numbers them in that order, and new ones after.
      const insert = db.prepare("INSERT INTO run_io (run_key, direction, payload) VALUES (1, ?, ?)");
      insert.run('input', JSON.stringify({ dataset: { tags: [{ key: 'mlflow.data.context', value: 'train' }], dataset: { name: 'z-data', digest: 'd2', source_type: 'local', source: '{}' } } }));
      insert.run('input', JSON.stringify({ dataset: { dataset: { name: 'a-data', digest: 'd1', source_type: 'local', source: '{}', profile: '{"num_rows": 3}' } } }));
      insert.run('output', JSON.stringify({ model: { model_id: 'm-1', step: '2' } }));
      insert.run('input', JSON.stringify({ dataset: 'not an input' }));
      db.close();

      const store = new SqliteTrackingStore(file);
      try {
        assert.equal(Number(store.database.pragma('user_version', { simple: true })), SCHEMA_VERSION);
        const run = await store.getRun('r1');
        assert.deepEqual(run.data.metrics, [{ key: 'loss', value: 0.5, timestamp: 7, step: 0 }]);
        assert.deepEqual(run.inputs?.datasetInputs.map((d) => [d.dataset.name, d.tags.length, d.dataset.profile]), [['a-data', 0, '{"num_rows": 3}'], ['z-data', 1, undefined]]);
        assert.deepEqual(run.outputs, { modelOutputs: [{ modelId: 'm-1', step: 2 }] });
        assert.equal(Number(store.database.prepare('SELECT count(*) FROM run_io').pluck().get()), 4, 'the unreadable row is skipped, not dropped');
        await store.logInputs('r1', [{ tags: [], dataset: { name: 'b-data', digest: 'd3', sourceType: 'local', source: '{}' } }, { tags: [], dataset: { name: 'a-data', digest: 'd1', sourceType: 'x', source: '' } }]);
        assert.deepEqual((await store.getRun('r1')).inputs?.datasetInputs.map((d) => d.dataset.name), ['a-data', 'z-data', 'b-data'], 'new after old; a dataset logged again is kept once');
        await store.logMetric('r1', { key: 'score', value: 0.8, timestamp: 9, step: 1, modelId: 'm-1', datasetName: 'a-data', datasetDigest: 'd1' });
        assert.deepEqual((await store.getLoggedModel('m-1')).metrics, [{ key: 'score', value: 0.8, timestamp: 9, step: 1, modelId: 'm-1', datasetName: 'a-data', datasetDigest: 'd1', runId: 'r1' }]);
        assert.deepEqual(await store.getMetricHistory('r1', 'score'), [{ key: 'score', value: 0.8, timestamp: 9, step: 1, modelId: 'm-1', datasetName: 'a-data', datasetDigest: 'd1' }]);
      } finally {
        await store.close();
      }
    });
  });
});
