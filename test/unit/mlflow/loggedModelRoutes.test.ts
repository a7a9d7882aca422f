// MLflow 3's LoggedModel routes of the local endpoint over real HTTP and a real SQLite store:
// search with metric filters restricted to datasets, structured order_by and pages; finalize,
// tags, params, delete; metric links kept on the model and in the run's history.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startLocalTrackingServer, type LocalTrackingServer } from '../../../src/core/mlflow/server/localTrackingServer.ts';
import { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';

interface WireModel { info: { model_id: string; name: string; status: string; tags: { key: string }[] }; data: { params: unknown[]; metrics: { key: string; value: number; dataset_name?: string; run_id?: string }[] } }

describe('mlflow endpoint: logged models (MLflow 3)', () => {
  let dir: string;
  let store: SqliteTrackingStore;
  let server: LocalTrackingServer;
  let runId: string;
  const ids: Record<string, string> = {};

  const call = async (method: string, route: string, body?: unknown) => {
    const response = await fetch(`${server.url}/api/2.0/mlflow/${route}`, {
      method,
      headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const search = async (body: Record<string, unknown>) => {
    const reply = await call('POST', 'logged-models/search', { experiment_ids: ['0'], ...body });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    return { names: (reply.body['models'] as WireModel[]).map((m) => m.info.name), token: reply.body['next_page_token'] as string | undefined };
  };

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-logged-models-'));
    store = new SqliteTrackingStore(path.join(dir, 'tracking.db'));
    server = await startLocalTrackingServer({ store });
    runId = (await store.createRun({ experimentId: '0' })).info.runId;
    for (const [name, train, test] of [['a', 0.9, 0.5], ['b', 0.7, 0.8], ['c', 0.6, 0.4]] as const) {
      const created = await call('POST', 'logged-models', { experiment_id: '0', name, source_run_id: runId, params: [{ key: 'p', value: name }] });
      const id = (created.body['model'] as WireModel).info.model_id;
      ids[name] = id;
      const metrics = [
        { key: 'score', value: train, timestamp: 1, step: 0, model_id: id, dataset_name: 'train', dataset_digest: 't1' },
        { key: 'score', value: test, timestamp: 2, step: 0, model_id: id, dataset_name: 'test', dataset_digest: 'e1' },
      ];
      assert.equal((await call('POST', 'runs/log-batch', { run_id: runId, metrics })).status, 200);
    }
  });
  after(async () => {
    await server.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('filters by metric, on all values or only those of the given datasets', async () => {
    assert.deepEqual((await search({ filter: 'metrics.score > 0.75' })).names.sort(), ['a', 'b']);
    assert.deepEqual((await search({ filter: 'metrics.score > 0.75', datasets: [{ dataset_name: 'test' }] })).names, ['b']);
    assert.deepEqual((await search({ filter: 'metrics.score > 0.75', datasets: [{ dataset_name: 'test', dataset_digest: 'other' }] })).names, []);
    assert.deepEqual((await search({ filter: "params.p = 'c' AND name LIKE 'c%'" })).names, ['c']);
  });

  it('orders by a metric of a dataset, and pages', async () => {
    const order = [{ field_name: 'metrics.score', ascending: false, dataset_name: 'test' }];
    assert.deepEqual((await search({ order_by: order })).names, ['b', 'a', 'c']);
    const first = await search({ order_by: [{ field_name: 'name' }], max_results: 2 });
    assert.deepEqual(first.names, ['a', 'b']);
    assert.ok(first.token);
    assert.deepEqual(await search({ order_by: [{ field_name: 'name' }], max_results: 2, page_token: first.token }), { names: ['c'], token: undefined });
    const bad = await call('POST', 'logged-models/search', { experiment_ids: ['0'], order_by: [{ field_name: 'colour' }] });
    assert.equal(bad.status, 400);
    assert.match(String(bad.body['message']), /Invalid order by field name: colour/);
    const badFilter = await call('POST', 'logged-models/search', { experiment_ids: ['0'], filter: 'metrics.score >' });
    assert.equal(badFilter.status, 400);
  });

  it('returns the linked metrics with the model, and keeps the links in the run\'s history', async () => {
    const model = (await call('GET', `logged-models/${ids['a']}`)).body['model'] as WireModel;
    assert.deepEqual(model.data.metrics.map((m) => [m.key, m.value, m.dataset_name, m.run_id]), [['score', 0.9, 'train', runId], ['score', 0.5, 'test', runId]]);
    const history = await call('GET', `metrics/get-history?run_id=${runId}&metric_key=score`);
    const points = (history.body['metrics'] as Record<string, unknown>[]).map((m) => [m['value'], m['model_id'], m['dataset_name']]);
    assert.deepEqual(
      points.sort((a, b) => Number(a[0]) - Number(b[0])),
      [[0.4, ids['c'], 'test'], [0.5, ids['a'], 'test'], [0.6, ids['c'], 'train'], [0.7, ids['b'], 'train'], [0.8, ids['b'], 'test'], [0.9, ids['a'], 'train']],
    );
  });

  it('finalizes, tags, logs params and deletes a model', async () => {
    const id = ids['c'] as string;
    assert.equal(((await call('PATCH', `logged-models/${id}`, { status: 'LOGGED_MODEL_READY' })).body['model'] as WireModel).info.status, 'LOGGED_MODEL_READY');
    assert.equal((await call('PATCH', `logged-models/${id}/tags`, { tags: [{ key: 'k', value: 'v' }] })).status, 200);
    assert.equal((await call('POST', `logged-models/${id}/params`, { params: [{ key: 'q', value: '1' }] })).status, 200);
    let model = (await call('GET', `logged-models/${id}`)).body['model'] as WireModel;
    assert.deepEqual([model.info.tags.map((t) => t.key), model.data.params.length], [['k'], 2]);
    assert.equal((await call('DELETE', `logged-models/${id}/tags/k`)).status, 200);
    model = (await call('GET', `logged-models/${id}`)).body['model'] as WireModel;
    assert.deepEqual(model.info.tags, []);
    assert.equal((await call('DELETE', `logged-models/${id}`)).status, 200);
    assert.equal((await call('GET', `logged-models/${id}`)).status, 404);
    assert.deepEqual((await search({})).names.sort(), ['a', 'b']);
  });
});
