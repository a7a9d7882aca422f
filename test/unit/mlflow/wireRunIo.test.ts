// MLflow 3 run inputs/outputs and logged models on the wire, read from replies a real
// `mlflow server` 3.17.2 sent (test/fixtures/mlflowReaders/restRunIo.json, made by logRunIo.py
// with the real client; the manifest beside the replies is what the client itself read back),
// both by the wire readers and by RestTrackingStore over a local HTTP server replaying them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { loggedModelFromWire, loggedModelToWire, runFromWire, runToWire } from '../../../src/core/mlflow/wire.ts';
import { TrackingError } from '../../../src/core/store/errors.ts';
import { RestTrackingStore } from '../../../src/core/store/rest/restStore.ts';
import type { LoggedModel, RunInputs, RunOutputs } from '../../../src/core/store/types.ts';

interface Fixture {
  manifest: {
    experimentId: string;
    runs: { runId: string; inputs: RunInputs; outputs: RunOutputs }[];
    loggedModels: LoggedModel[];
    accuracyAbove09: string[];
  };
  replies: Record<'runs/get', { run: unknown }[]> & Record<'runs/search', { runs: unknown[] }> & Record<'logged-models/get', { model: unknown }> & Record<'logged-models/search', { models: unknown[] }>;
}

const fixture = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '..', '..', 'fixtures', 'mlflowReaders', 'restRunIo.json'), 'utf8')) as Fixture;
const { manifest, replies } = fixture;

/** The manifest lists a model's metrics by key, step, timestamp and run. */
function sortedMetrics(model: LoggedModel): LoggedModel {
  const metrics = [...model.metrics].sort((a, b) => a.key.localeCompare(b.key) || a.step - b.step || a.timestamp - b.timestamp || (a.runId ?? '').localeCompare(b.runId ?? ''));
  return { ...model, metrics };
}

describe('mlflow wire: run inputs, outputs and logged models from a real server', () => {
  it('reads each run\'s dataset inputs (with tags, schema, profile), model inputs and outputs as the client does', () => {
    assert.equal(replies['runs/get'].length, manifest.runs.length);
    for (const [i, reply] of replies['runs/get'].entries()) {
      const run = runFromWire(reply.run);
      const expected = manifest.runs[i];
      assert.equal(run.info.runId, expected?.runId);
      assert.deepEqual(run.inputs, expected?.inputs);
      assert.deepEqual(run.outputs, expected?.outputs);
    }
    const train = manifest.runs[0];
    assert.equal(train?.inputs.datasetInputs[0]?.tags.length, 2, 'the fixture has a dataset with two tags');
    assert.equal(manifest.runs[2]?.inputs.datasetInputs.length, 0, 'and a run with no inputs (`"inputs": {}`)');
  });

  it('reads runs/search like runs/get, where MLflow\'s search leaves out model inputs', () => {
    for (const wire of replies['runs/search'].runs) {
      const run = runFromWire(wire);
      const expected = manifest.runs.find((r) => r.runId === run.info.runId);
      // MLflow 3.17's search_runs loads dataset inputs and model outputs in bulk, not model inputs.
      assert.deepEqual(run.inputs, { datasetInputs: expected?.inputs.datasetInputs, modelInputs: [] });
      assert.deepEqual(run.outputs, expected?.outputs);
    }
  });

  it('reads a logged model with params, tags and every linked metric (model, dataset, run)', () => {
    const model = loggedModelFromWire(replies['logged-models/get'].model);
    assert.deepEqual(sortedMetrics(model), manifest.loggedModels[0]);
    assert.equal(model.metrics.filter((m) => m.key === 'accuracy').length, 2);
    const searched = replies['logged-models/search'].models.map((m) => sortedMetrics(loggedModelFromWire(m)));
    assert.deepEqual(
      [...searched].sort((a, b) => a.name.localeCompare(b.name)),
      [...manifest.loggedModels].sort((a, b) => a.name.localeCompare(b.name)),
    );
  });

  it('writes what it reads: runs and logged models round-trip through the wire', () => {
    for (const reply of replies['runs/get']) {
      const run = runFromWire(reply.run);
      assert.deepEqual(runFromWire(JSON.parse(JSON.stringify(runToWire(run)))), run);
    }
    for (const wire of replies['logged-models/search'].models) {
      const model = loggedModelFromWire(wire);
      assert.deepEqual(loggedModelFromWire(JSON.parse(JSON.stringify(loggedModelToWire(model)))), model);
    }
  });

  it('refuses malformed inputs with a typed error naming the field', () => {
    const run = JSON.parse(JSON.stringify(replies['runs/get'][0]?.run)) as { inputs: { dataset_inputs: { dataset: Record<string, unknown> }[] } };
    delete run.inputs.dataset_inputs[0]?.dataset['digest'];
    assert.throws(() => runFromWire(run), (err: unknown) => err instanceof TrackingError && err.code === 'INTERNAL_ERROR' && /inputs\.dataset_inputs\[0\]\.dataset\.digest is missing/.test(err.message));
    const outputs = { ...(replies['runs/get'][0]?.run as object), outputs: { model_outputs: [{ model_id: 'm-1', step: 'soon' }] } };
    assert.throws(() => runFromWire(outputs), /outputs\.model_outputs\[0\]\.step is "soon", not an integer/);
    assert.throws(() => runFromWire(outputs, 'request'), (err: unknown) => err instanceof TrackingError && err.code === 'INVALID_PARAMETER_VALUE');
  });
});

describe('RestTrackingStore: run inputs, outputs and logged models from a server', () => {
  let server: Server;
  let store: RestTrackingStore;
  const requests: string[] = [];

  before(async () => {
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      requests.push(`${req.method} ${url.pathname}`);
      let body: unknown = { error_code: 'ENDPOINT_NOT_FOUND', message: 'no' };
      const runIndex = manifest.runs.findIndex((r) => r.runId === url.searchParams.get('run_id'));
      if (url.pathname === '/api/2.0/mlflow/runs/get' && runIndex >= 0) body = replies['runs/get'][runIndex];
      else if (url.pathname === '/api/2.0/mlflow/runs/search') body = replies['runs/search'];
      else if (url.pathname === `/api/2.0/mlflow/logged-models/${manifest.loggedModels[0]?.modelId}`) body = replies['logged-models/get'];
      else if (url.pathname === '/api/2.0/mlflow/logged-models/search') body = replies['logged-models/search'];
      const text = JSON.stringify(body);
      res.writeHead('error_code' in (body as object) ? 404 : 200, { 'Content-Type': 'application/json' });
      res.end(text);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    store = new RestTrackingStore({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, retry: { maxAttempts: 1 } });
  });
  after(async () => {
    await store.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('returns inputs and outputs from getRun and searchRuns', async () => {
    for (const expected of manifest.runs) {
      const run = await store.getRun(expected.runId);
      assert.deepEqual({ inputs: run.inputs, outputs: run.outputs }, { inputs: expected.inputs, outputs: expected.outputs });
    }
    const page = await store.searchRuns({ experimentIds: [manifest.experimentId] });
    assert.equal(page.items.length, manifest.runs.length);
    assert.ok(page.items.every((r) => r.inputs !== undefined && r.outputs !== undefined));
  });

  it('gets and searches logged models with their linked metrics', async () => {
    const expected = manifest.loggedModels[0];
    assert.ok(expected);
    assert.deepEqual(sortedMetrics(await store.getLoggedModel(expected.modelId)), expected);
    const page = await store.searchLoggedModels([manifest.experimentId]);
    assert.deepEqual(page.items.map((m) => m.name).sort(), ['classifier', 'draft']);
    assert.ok(requests.includes('POST /api/2.0/mlflow/logged-models/search'));
  });
});
