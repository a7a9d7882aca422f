// Labbook's MLflow-compatible endpoint under fuzzing, over real HTTP to a real server on 127.0.0.1
// with a real SQLite store in a temp dir: the requests the `mlflow` client sends, with bodies
// damaged (wrong types, missing and hostile keys, broken JSON, bad percent-encoding). No answer
// may be a 5xx, and afterwards the store is consistent and still answers normal requests.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { startLocalTrackingServer, type LocalTrackingServer } from '../../../src/core/mlflow/server/localTrackingServer.ts';
import { openDatabase } from '../../../src/core/sqlite/openDatabase.ts';
import { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';
import { checkAsyncProperty, fuzzRuns, fuzzTitle, jsonMutation, mutateJson, mutateText, textMutation, type Json, type TextMutation } from './fuzzing.ts';

const TAGS: Json = [{ key: 'team', value: 'vision' }];
/** The routes the mlflow client calls, with a valid body; `$run`, `$exp` and `$model` are filled in. */
const ROUTES: readonly [string, string, Json][] = [
  ['POST', 'experiments/create', { name: 'fuzzed', tags: TAGS, artifact_location: '' }],
  ['GET', 'experiments/get', { experiment_id: '$exp' }],
  ['GET', 'experiments/get-by-name', { experiment_name: 'base' }],
  ['POST', 'experiments/search', { filter: "name LIKE 'b%' AND tags.team = 'vision'", order_by: ['name ASC'], max_results: 10, view_type: 'ALL' }],
  ['POST', 'experiments/update', { experiment_id: '$exp', new_name: 'renamed' }],
  ['POST', 'experiments/set-experiment-tag', { experiment_id: '$exp', key: 'k', value: 'v' }],
  ['POST', 'experiments/delete', { experiment_id: '$exp' }],
  ['POST', 'experiments/restore', { experiment_id: '$exp' }],
  ['POST', 'runs/create', { experiment_id: '$exp', start_time: 1795605125276, run_name: 'r', user_id: 'u', tags: TAGS }],
  ['POST', 'runs/update', { run_id: '$run', status: 'FINISHED', end_time: 1795605129000, run_name: 'done' }],
  ['POST', 'runs/delete', { run_id: '$run' }],
  ['POST', 'runs/restore', { run_id: '$run' }],
  ['GET', 'runs/get', { run_id: '$run' }],
  ['POST', 'runs/search', { experiment_ids: ['$exp'], filter: "metrics.rmse < 1 and params.lr = '0.1'", order_by: ['metrics.rmse DESC'], max_results: 5, page_token: '' }],
  ['POST', 'runs/log-metric', { run_id: '$run', key: 'rmse', value: 0.5, timestamp: 1795605125276, step: 1 }],
  ['POST', 'runs/log-parameter', { run_id: '$run', key: 'lr', value: '0.1' }],
  ['POST', 'runs/set-tag', { run_id: '$run', key: 'k', value: 'v' }],
  ['POST', 'runs/delete-tag', { run_id: '$run', key: 'k' }],
  ['POST', 'runs/log-batch', {
    run_id: '$run', metrics: [{ key: 'acc', value: 'NaN', timestamp: 1, step: 0 }, { key: 'acc', value: 0.9, timestamp: 2, step: 1 }],
    params: [{ key: 'depth', value: '5' }], tags: TAGS,
  }],
  ['POST', 'runs/log-model', { run_id: '$run', model_json: '{"artifact_path": "model", "flavors": {}}' }],
  ['POST', 'runs/log-inputs', {
    run_id: '$run', datasets: [{ tags: [{ key: 'mlflow.data.context', value: 'train' }], dataset: { name: 'iris', digest: 'abc', source_type: 'local', source: '{}' } }],
    models: [{ model_id: '$model' }],
  }],
  ['POST', 'runs/outputs', { run_id: '$run', models: [{ model_id: '$model', step: 1 }] }],
  ['GET', 'metrics/get-history', { run_id: '$run', metric_key: 'rmse', max_results: 10, page_token: '' }],
  ['GET', 'artifacts/list', { run_id: '$run', path: '' }],
  ['POST', 'registered-models/create', { name: 'model', description: 'd', tags: TAGS }],
  ['GET', 'registered-models/get', { name: 'base-model' }],
  ['POST', 'registered-models/search', { filter: "name LIKE 'base%'", max_results: 5 }],
  ['POST', 'model-versions/create', { name: 'base-model', source: 'models:/$model', run_id: '' }],
  ['GET', 'model-versions/get', { name: 'base-model', version: '1' }],
  ['POST', 'registered-models/alias', { name: 'base-model', alias: 'champion', version: '1' }],
  ['POST', 'model-versions/search', { filter: "name = 'base-model'", max_results: 5 }],
  ['POST', 'model-versions/set-tag', { name: 'base-model', version: '1', key: 'k', value: 'v' }],
  ['POST', 'logged-models', { experiment_id: '$exp', name: 'm', model_type: 'sklearn', source_run_id: '$run', tags: TAGS, params: TAGS }],
  ['POST', 'logged-models/search', { experiment_ids: ['$exp'], max_results: 5 }],
  ['GET', 'logged-models/$model', {}],
  ['PATCH', 'logged-models/$model', { status: 'LOGGED_MODEL_READY' }],
  ['PATCH', 'logged-models/$model/tags', { tags: TAGS }],
];
const FIELDS = [...new Set(ROUTES.flatMap(([, , body]) => JSON.stringify(body).match(/"[a-z_]+":/g) ?? []).map((k) => k.slice(1, -2)))];
/** Path damage: a bad percent-escape or an odd segment where an id goes. */
const PATH_DAMAGE = ['', '', '', '%', '%E0%A4%A', '%2F..%2F', '/x', '%00'];

const request = fc.record({
  route: fc.nat({ max: ROUTES.length - 1 }),
  body: fc.oneof(
    { arbitrary: fc.array(jsonMutation, { maxLength: 3 }).map((mutations) => ({ mutations, text: [] as TextMutation[] })), weight: 5 },
    { arbitrary: fc.array(textMutation, { minLength: 1, maxLength: 2 }).map((text) => ({ mutations: [], text })), weight: 1 },
  ),
  pathDamage: fc.constantFrom(...PATH_DAMAGE),
  ajax: fc.boolean(),
});

describe('fuzz: the local MLflow endpoint over HTTP', function () {
  this.timeout(180_000);
  let dir: string;
  let store: SqliteTrackingStore;
  let server: LocalTrackingServer;
  const ids: Record<string, string> = {};

  async function call(method: string, route: string, body: string | undefined, query = ''): Promise<{ status: number; json: unknown }> {
    const response = await fetch(`${server.url}${route}${query}`, {
      method,
      headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body }),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    return { status: response.status, json };
  }

  async function ok(method: string, route: string, body: Json): Promise<Record<string, unknown>> {
    const reply = await call(method, `/api/2.0/mlflow/${route}`, JSON.stringify(body));
    assert.equal(reply.status, 200, `${method} ${route}: ${JSON.stringify(reply.json)}`);
    return reply.json as Record<string, unknown>;
  }

  const fill = (text: string): string => text.replaceAll('$run', ids.run ?? '').replaceAll('$exp', ids.exp ?? '').replaceAll('$model', ids.model ?? '');

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-fuzz-endpoint-'));
    store = new SqliteTrackingStore(path.join(dir, 'tracking.db'));
    server = await startLocalTrackingServer({ store });
    ids.exp = String((await ok('POST', 'experiments/create', { name: 'base' })).experiment_id);
    ids.run = String(((await ok('POST', 'runs/create', { experiment_id: ids.exp })).run as { info: { run_id: string } }).info.run_id);
    ids.model = String(((await ok('POST', 'logged-models', { experiment_id: ids.exp, source_run_id: ids.run })).model as { info: { model_id: string } }).info.model_id);
    await ok('POST', 'registered-models/create', { name: 'base-model' });
    await ok('POST', 'model-versions/create', { name: 'base-model', source: `models:/${ids.model}`, run_id: ids.run });
  });
  after(async () => {
    await server?.close();
    await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const runs = fuzzRuns(400);
  it(fuzzTitle('answers damaged requests with a 2xx or 4xx MLflow reply, never a 5xx', runs), async () => {
    await checkAsyncProperty(request, runs, async ({ route, body, pathDamage, ajax }) => {
      const [method, name, template] = ROUTES[route] as (typeof ROUTES)[number];
      const valid = JSON.parse(fill(JSON.stringify(template))) as Json;
      const text = mutateText(JSON.stringify(mutateJson(valid, body.mutations, FIELDS)), body.text);
      const prefix = ajax ? '/ajax-api/2.0/mlflow/' : '/api/2.0/mlflow/';
      const routePath = `${prefix}${fill(name)}${pathDamage}`;
      let reply;
      if (method === 'GET') {
        // GET parameters travel in the query string, as the mlflow client sends them.
        let params: unknown;
        try {
          params = JSON.parse(text);
        } catch {
          params = { raw: text };
        }
        const search = new URLSearchParams();
        if (params !== null && typeof params === 'object' && !Array.isArray(params)) {
          for (const [k, v] of Object.entries(params)) search.append(k, typeof v === 'string' ? v : JSON.stringify(v));
        }
        // Bounded: Node refuses a request line past 16 KB (431) before the endpoint sees it.
        reply = await call(method, routePath, undefined, `?${search.toString().slice(0, 8000)}`);
      } else {
        reply = await call(method, routePath, text);
      }
      assert.ok(reply.status < 500, `${method} ${routePath} ${text.slice(0, 300)} → ${reply.status} ${JSON.stringify(reply.json).slice(0, 300)}`);
      if (reply.status >= 400) {
        const error = reply.json as { error_code?: unknown; message?: unknown };
        assert.equal(typeof error.error_code, 'string');
        assert.equal(typeof error.message, 'string');
      }
    });

    // The store is consistent: SQLite's own checks, and every row belongs to what it names.
    const db = openDatabase(store.file, {}, { readonly: true });
    try {
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
      assert.deepEqual(db.pragma('foreign_key_check'), []);
      const orphans = (sql: string) => (db.prepare(sql).pluck().get() as number);
      assert.equal(orphans('SELECT count(*) FROM runs WHERE experiment_id NOT IN (SELECT experiment_id FROM experiments)'), 0);
      for (const table of ['metrics', 'latest_metrics', 'params', 'tags', 'metric_tiles']) {
        assert.equal(orphans(`SELECT count(*) FROM ${table} WHERE run_key NOT IN (SELECT run_key FROM runs)`), 0, table);
      }
      assert.equal(orphans('SELECT count(*) FROM experiment_tags WHERE experiment_id NOT IN (SELECT experiment_id FROM experiments)'), 0);
      assert.equal(orphans('SELECT count(*) FROM model_versions WHERE name NOT IN (SELECT name FROM registered_models)'), 0);
      // Each latest metric is one of its run's points.
      assert.equal(
        orphans('SELECT count(*) FROM latest_metrics l WHERE NOT EXISTS (SELECT 1 FROM metrics m WHERE m.run_key = l.run_key AND m.key = l.key AND m.step = l.step AND m.timestamp = l.timestamp)'),
        0,
      );
    } finally {
      db.close();
    }

    // …and still answers the client's ordinary requests.
    const exp = String((await ok('POST', 'experiments/create', { name: 'after-the-fuzz' })).experiment_id);
    const run = ((await ok('POST', 'runs/create', { experiment_id: exp, run_name: 'after' })).run as { info: { run_id: string } }).info.run_id;
    await ok('POST', 'runs/log-batch', { run_id: run, metrics: [{ key: 'rmse', value: 0.25, timestamp: 1, step: 1 }], params: [{ key: 'lr', value: '0.1' }] });
    const found = await ok('POST', 'runs/search', { experiment_ids: [exp], filter: 'metrics.rmse < 0.5' });
    assert.deepEqual((found.runs as { info: { run_id: string } }[]).map((r) => r.info.run_id), [run]);
  });
});
