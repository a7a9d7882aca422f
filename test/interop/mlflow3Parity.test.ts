// MLflow 3 parity: the same real-`mlflow`-client script against a real `mlflow server` and against
// Labbook's endpoint must read back the same normalised summary (runs with their dataset inputs
// and model outputs, logged models with their linked metrics, a metric-filtered model search,
// loading by models:/<id>). And every tracking and logged-model route in the client's own route
// table is one the endpoint serves.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { MlflowDbStore } from '../../src/core/store/mlflowFiles/mlflowDbStore.ts';
import { RestTrackingStore } from '../../src/core/store/rest/restStore.ts';
import type { LoggedModelReader, ReadableStore } from '../../src/core/store/trackingStore.ts';
import { runPython } from '../support/python.ts';
import { withTrackers } from '../support/trackers.ts';

const SCRIPT = path.resolve(import.meta.dirname, '..', 'fixtures', 'python', 'mlflow3_parity.py');

/** The routes of the client's RestStore (`_METHOD_TO_INFO`): what `MlflowClient` calls for tracking. */
const ROUTE_TABLE = `
import json
from mlflow.store.tracking.rest_store import RestStore
print(json.dumps(sorted({(path, method) for path, method in RestStore._METHOD_TO_INFO.values()})))
`;

/** The tracking part of the route table: experiments, runs, metric history, artifacts, logged models. */
const TRACKING_ROUTE = /^\/api\/2\.0\/mlflow\/(experiments\/(?!search-datasets)|runs\/|metrics\/get-history$|artifacts\/list$|logged-models)/;

describe('interop: MLflow 3 parity between a real mlflow server and Labbook\'s endpoint', function () {
  this.timeout(600_000);
  const t = withTrackers('labbook-mlflow3-');

  async function summary(label: string, env: Record<string, string>): Promise<unknown> {
    const out = path.join(t.dir, `${label}.json`);
    // The same working folder for both, so the code-based dataset source names the same script.
    const result = await runPython([SCRIPT, out], env, 280_000, t.dir);
    assert.equal(result.code, 0, `${label}: ${result.stderr.slice(-4000)}`);
    return JSON.parse(readFileSync(out, 'utf8')) as unknown;
  }

  it('reads back the same runs, inputs, outputs, logged models and linked metrics from both', async () => {
    const expected = (await summary('mlflow', { MLFLOW_TRACKING_URI: t.mlflow.url })) as Record<string, unknown>;
    const actual = (await summary('labbook', { MLFLOW_TRACKING_URI: t.labbook.url, MLFLOW_TRACKING_TOKEN: t.labbook.token })) as Record<string, unknown>;
    // What the issue names, first, so a failure says which part differs…
    const runs = expected['runs'] as { name: string; datasets: unknown[]; model_outputs: unknown[] }[];
    assert.equal(runs.length, 8, 'a parent, the explicit run and 6 child runs');
    assert.equal(runs[0]?.datasets.length, 1, 'autolog logs the training dataset');
    assert.ok((runs[1]?.model_outputs.length ?? 0) >= 1, 'log_model records a run output');
    assert.deepEqual(expected['explicit_model_metrics'], ['score']);
    for (const key of ['runs', 'searched_runs_with_inputs', 'explicit_model_metrics', 'logged_models', 'filtered', 'filtered_out', 'fluent_filtered', 'score_history', 'prediction']) {
      assert.deepEqual(actual[key], expected[key], key);
    }
    // …then everything.
    assert.deepEqual(actual, expected);
    assert.equal(actual['prediction_matches'], true);
  });

  it('reads the same lineage through Labbook\'s own readers: the local store, the server over REST, its mlflow.db', async () => {
    // After the script above ran against both: the same runs and models, read by each reader.
    const rest = new RestTrackingStore({ baseUrl: t.mlflow.url });
    const db = new MlflowDbStore(path.join(t.mlflow.dataDir, 'mlflow.db'), {});
    try {
      const lineage = async (reader: ReadableStore & LoggedModelReader) => {
        const experiment = await reader.getExperimentByName('mlflow3-parity');
        assert.ok(experiment, reader.description);
        const runs = (await reader.searchRuns({ experimentIds: [experiment.experimentId], maxResults: 100 })).items;
        const models = (await reader.searchLoggedModels([experiment.experimentId])).items;
        const modelName = new Map(models.map((m) => [m.modelId, m.name]));
        const named = await Promise.all(
          runs.filter((r) => ['grid', 'explicit'].includes(r.info.runName)).map(async (r) => {
            const run = await reader.getRun(r.info.runId);
            return {
              name: run.info.runName,
              // MLflow's SQL store returns an input's tags in no defined order.
              datasets: run.inputs?.datasetInputs.map((d) => ({ ...d, tags: [...d.tags].sort((x, y) => x.key.localeCompare(y.key)) })),
              outputs: run.outputs?.modelOutputs.map((o) => [modelName.get(o.modelId), o.step]).sort(),
            };
          }),
        );
        const filtered = (await reader.searchLoggedModels([experiment.experimentId], { filter: 'metrics.score > 0.5' })).items.map((m) => m.name);
        return {
          runs: named.sort((a, b) => a.name.localeCompare(b.name)),
          models: models.map((m) => [m.name, m.status, m.params.length, m.metrics.map((x) => [x.key, x.datasetName ?? null, x.step]).sort()]).sort(),
          filtered,
        };
      };
      const expected = await lineage(rest);
      assert.equal(expected.runs.length, 2);
      assert.equal(expected.runs[1]?.datasets?.length, 1, 'the grid search\'s training dataset');
      assert.deepEqual(expected.filtered, ['ridge']);
      assert.deepEqual(await lineage(db), expected);
      assert.deepEqual(await lineage(t.store), expected);
    } finally {
      await rest.close();
      await db.close();
    }
  });

  it('serves every tracking and logged-model route of the client\'s route table', async () => {
    const result = await runPython(['-c', ROUTE_TABLE], {});
    assert.equal(result.code, 0, result.stderr);
    const routes = (JSON.parse(result.stdout) as [string, string][]).filter(([route]) => TRACKING_ROUTE.test(route));
    assert.ok(routes.some(([route]) => route === '/api/2.0/mlflow/logged-models/{model_id}/tags/{tag_key}'), 'the route table has the logged-model routes');
    const missing: string[] = [];
    for (const [route, method] of routes) {
      const url = `${t.labbook.url}${route.replace('{model_id}', 'm-0123456789abcdef').replace('{tag_key}', 'k')}`;
      const response = await fetch(url, {
        method,
        headers: { Authorization: `Bearer ${t.labbook.token}`, 'Content-Type': 'application/json' },
        ...(method === 'GET' || method === 'DELETE' ? {} : { body: '{}' }),
      });
      const body = (await response.json()) as { error_code?: string };
      // Any answer but "no such endpoint" (an empty request is refused, an unknown model is not found).
      if (body.error_code === 'ENDPOINT_NOT_FOUND') missing.push(`${method} ${route}`);
    }
    assert.deepEqual(missing, []);
  });
});
