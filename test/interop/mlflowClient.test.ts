// The real `mlflow` Python client (from PyPI, in the test venv) logging into Labbook's local
// endpoint, unchanged: only MLFLOW_TRACKING_URI and MLFLOW_TRACKING_TOKEN point it at us.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startLocalTrackingServer, type LocalTrackingServer } from '../../src/core/mlflow/server/localTrackingServer.ts';
import { SqliteTrackingStore } from '../../src/core/store/sqlite/sqliteTrackingStore.ts';
import { runPython } from '../support/python.ts';

const fixtures = path.resolve(import.meta.dirname, '..', 'fixtures', 'python');

describe('interop: the mlflow Python client against Labbook\'s endpoint', function () {
  this.timeout(180_000);
  let dir: string;
  let store: SqliteTrackingStore;
  let server: LocalTrackingServer;
  let env: Record<string, string>;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-interop-'));
    store = new SqliteTrackingStore(path.join(dir, 'tracking.db'));
    server = await startLocalTrackingServer({ store });
    env = { MLFLOW_TRACKING_URI: server.url, MLFLOW_TRACKING_TOKEN: server.token };
  });
  after(async () => {
    await server?.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('logs params, metrics with steps, tags and artifacts that the store then holds exactly', async () => {
    const out = path.join(dir, 'roundtrip.json');
    const result = await runPython([path.join(fixtures, 'mlflow_client_roundtrip.py'), out], env);
    assert.equal(result.code, 0, result.stderr);
    const manifest = JSON.parse(readFileSync(out, 'utf8')) as {
      run_id: string; experiment_id: string; found: string[]; missed: string[]; status: string;
      params: Record<string, string>; metrics: Record<string, number>; history: [number, number][]; artifacts: string[]; downloaded: string;
    };
    // What the client saw through the endpoint…
    assert.deepEqual(manifest.found, [manifest.run_id]);
    assert.deepEqual(manifest.missed, []);
    assert.equal(manifest.status, 'FINISHED');
    assert.deepEqual(manifest.params, { lr: '0.01', model: 'rf', depth: '5' });
    assert.deepEqual(manifest.metrics, { loss: 1 / 20, acc: 0.9, f1: 0.8 });
    assert.equal(manifest.history.length, 20);
    assert.deepEqual(manifest.artifacts, ['reports/report.txt']);
    assert.equal(manifest.downloaded, 'hello');

    // …and what the store holds.
    const exp = await store.getExperimentByName('interop');
    assert.equal(exp?.experimentId, manifest.experiment_id);
    const run = await store.getRun(manifest.run_id);
    assert.equal(run.info.runName, 'py-run');
    assert.equal(run.info.status, 'FINISHED');
    assert.ok(run.info.endTime !== null && run.info.endTime >= run.info.startTime);
    assert.deepEqual(Object.fromEntries(run.data.params.map((p) => [p.key, p.value])), { depth: '5', lr: '0.01', model: 'rf' });
    const tags = Object.fromEntries(run.data.tags.map((t) => [t.key, t.value]));
    assert.equal(tags['stage'], 'dev');
    assert.equal(tags['mlflow.runName'], 'py-run');
    assert.ok(tags['mlflow.user'], 'the client sets mlflow.user');
    assert.ok(tags['mlflow.source.name'], 'the client sets mlflow.source.name');
    const history = await store.getMetricHistory(manifest.run_id, 'loss');
    assert.deepEqual(history.map((m) => [m.step, m.value]), Array.from({ length: 20 }, (_, step) => [step, 1 / (step + 1)]));
    assert.deepEqual((await store.getMetricHistory(manifest.run_id, 'acc')).map((m) => [m.step, m.value]), [[3, 0.9]]);
    assert.deepEqual((await store.listArtifacts(manifest.run_id)).map((f) => f.path), ['notes', 'reports']);
    assert.equal(new TextDecoder().decode(await store.readArtifact(manifest.run_id, 'reports/report.txt')), 'accuracy: 0.9\n');
  });

  it('autologs scikit-learn, logs the model (MLflow 3 LoggedModel) and registers a version that loads back', async () => {
    const out = path.join(dir, 'sklearn.json');
    const result = await runPython([path.join(fixtures, 'mlflow_sklearn_model.py'), out], env, 170_000);
    assert.equal(result.code, 0, result.stderr);
    const manifest = JSON.parse(readFileSync(out, 'utf8')) as { run_id: string; model_id: string; version: string; prediction_matches: boolean; params: Record<string, string> };
    assert.equal(manifest.prediction_matches, true);
    assert.equal(manifest.version, '1');
    assert.equal(manifest.params['alpha'], '0.5');
    const model = store.loggedModels.get(manifest.model_id);
    assert.equal(model.status, 'LOGGED_MODEL_READY');
    assert.equal(model.sourceRunId, manifest.run_id);
    const files = await store.artifacts.list(model.artifactLocation);
    assert.ok(files.some((f) => f.path === 'MLmodel'), `model files: ${files.map((f) => f.path).join(', ')}`);
    const version = await store.getModelVersion('ridge-model', '1');
    assert.equal(version.runId, manifest.run_id);
    const run = await store.getRun(manifest.run_id);
    assert.ok(run.data.metrics.some((m) => m.key === 'training_score'), 'autolog logs training metrics');
  });

  it('refuses requests without the bearer token, with MLflow\'s error body', async () => {
    for (const headers of [{}, { Authorization: 'Bearer wrong' }, { Authorization: `Basic ${server.token}` }]) {
      const response = await fetch(`${server.url}/api/2.0/mlflow/experiments/search`, { method: 'POST', headers, body: '{}' });
      assert.equal(response.status, 401);
      assert.equal(((await response.json()) as { error_code: string }).error_code, 'UNAUTHENTICATED');
    }
  });

  it('answers bad input with clear MLflow-shaped errors and writes nothing half-way', async () => {
    const call = async (route: string, body: string, method = 'POST') => {
      const response = await fetch(`${server.url}/api/2.0/mlflow/${route}`, {
        method,
        headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' },
        ...(method === 'GET' ? {} : { body }),
      });
      return { status: response.status, body: (await response.json()) as { error_code?: string; message?: string } };
    };
    const malformed = await call('runs/log-batch', '{"run_id": ');
    assert.equal(malformed.status, 400);
    assert.equal(malformed.body.error_code, 'BAD_REQUEST');
    assert.match(malformed.body.message ?? '', /Malformed JSON/);

    const unknown = await call('runs/log-metric', JSON.stringify({ run_id: 'f'.repeat(32), key: 'm', value: 1, timestamp: 1, step: 0 }));
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error_code, 'RESOURCE_DOES_NOT_EXIST');

    const { info } = await store.createRun({ experimentId: '0' });
    const metrics = Array.from({ length: 1001 }, (_, i) => ({ key: 'm', value: i, timestamp: i, step: i }));
    const tooBig = await call('runs/log-batch', JSON.stringify({ run_id: info.runId, metrics }));
    assert.equal(tooBig.status, 400);
    assert.equal(tooBig.body.error_code, 'INVALID_PARAMETER_VALUE');
    assert.match(tooBig.body.message ?? '', /at most 1000 metrics/);
    const badValue = await call('runs/log-batch', JSON.stringify({ run_id: info.runId, metrics: [{ key: 'ok', value: 1, timestamp: 1, step: 0 }, { key: 'bad', value: 'high', timestamp: 1 }] }));
    assert.equal(badValue.status, 400);
    assert.deepEqual(await store.getMetricHistory(info.runId, 'ok'), [], 'a refused batch writes nothing');

    const wrongType = await call('runs/create', JSON.stringify({ experiment_id: '0', tags: 'not-a-list' }));
    assert.equal(wrongType.status, 400);
    assert.equal(wrongType.body.error_code, 'INVALID_PARAMETER_VALUE');
    const noRoute = await call('runs/fly', '{}');
    assert.equal(noRoute.status, 404);
    assert.equal(noRoute.body.error_code, 'ENDPOINT_NOT_FOUND');
    await store.logParam(info.runId, 'p', 'a');
    const changed = await call('runs/log-parameter', JSON.stringify({ run_id: info.runId, key: 'p', value: 'b' }));
    assert.equal(changed.status, 400);
    assert.match(changed.body.message ?? '', /Changing param values is not allowed/);
  });
});
