/**
 * RestTrackingStore against a real `mlflow server` (the version pinned in requirements-test.txt),
 * SQLite backend and proxied artifacts in a temp folder.
 */
import assert from 'node:assert/strict';
import { RestTrackingStore } from '../../src/core/store/rest/restStore.ts';
import type { DatasetInput, Metric, Run } from '../../src/core/store/types.ts';
import { startMlflowServer, type MlflowServer } from '../support/mlflowServer.ts';
import { rejection } from '../support/trackingAssertions.ts';

const points = (key: string, n: number, value: (i: number) => number = (i) => i / n): Metric[] =>
  Array.from({ length: n }, (_, i) => ({ key, value: value(i), timestamp: 1_700_000_000_000 + i, step: i }));

describe('interop: RestTrackingStore against a real mlflow server', function () {
  this.timeout(120_000);
  let server: MlflowServer | undefined;
  let store: RestTrackingStore;
  let unique = 0;
  const name = (prefix: string): string => `${prefix}-${Date.now()}-${unique++}`;

  before(async () => {
    server = await startMlflowServer();
    store = new RestTrackingStore({ baseUrl: server.url });
  });
  after(async () => {
    await store?.close();
    await server?.dispose();
  });

  it('describes itself by its URL and is writable', () => {
    assert.equal(store.description, server?.url);
    assert.equal(store.readOnly, false);
  });

  it('answers get-by-name of a missing experiment with undefined, and unknown ids with RESOURCE_DOES_NOT_EXIST', async () => {
    assert.equal(await store.getExperimentByName('no-such-experiment'), undefined);
    assert.equal((await rejection(store.getRun('0123456789abcdef0123456789abcdef'))).code, 'RESOURCE_DOES_NOT_EXIST');
    assert.equal((await rejection(store.getExperiment('987654'))).code, 'RESOURCE_DOES_NOT_EXIST');
    assert.equal((await rejection(store.getMetricHistory('0123456789abcdef0123456789abcdef', 'x'))).code, 'RESOURCE_DOES_NOT_EXIST');
  });

  it('does a full round trip: experiment, run, params, metrics, tags, artifacts, end', async () => {
    const experimentName = name('round-trip');
    const experimentId = await store.createExperiment(experimentName, { tags: [{ key: 'team', value: 'ml' }] });
    await store.setExperimentTag(experimentId, { key: 'stage', value: 'dev' });
    const experiment = await store.getExperiment(experimentId);
    assert.equal(experiment.name, experimentName);
    assert.equal(experiment.lifecycleStage, 'active');
    assert.deepEqual(new Set(experiment.tags.map((t) => `${t.key}=${t.value}`)), new Set(['team=ml', 'stage=dev']));
    assert.equal((await store.getExperimentByName(experimentName))?.experimentId, experimentId);
    assert.equal((await rejection(store.createExperiment(experimentName))).code, 'RESOURCE_ALREADY_EXISTS');

    const created = await store.createRun({ experimentId, runName: 'first', startTime: 1_700_000_000_000, tags: [{ key: 'k', value: 'v' }] });
    const runId = created.info.runId;
    assert.equal(created.info.status, 'RUNNING');
    assert.equal(created.info.endTime, null);
    assert.match(created.info.artifactUri, /^mlflow-artifacts:/);

    await store.logParam(runId, 'lr', '0.01');
    await store.logParam(runId, 'lr', '0.01'); // the same value again is accepted
    assert.equal((await rejection(store.logParam(runId, 'lr', '0.02'))).code, 'INVALID_PARAMETER_VALUE');
    for (const [step, value] of [[0, 1.0], [1, 0.5], [2, 0.25]] as const) {
      await store.logMetric(runId, { key: 'loss', value, timestamp: 1_700_000_000_100 + step, step });
    }
    await store.logMetric(runId, { key: 'weird', value: Number.NaN, timestamp: 1_700_000_000_200, step: 0 });
    await store.setTag(runId, { key: 'note', value: 'hello' });
    await store.setTag(runId, { key: 'gone', value: 'soon' });
    await store.deleteTag(runId, 'gone');
    assert.equal((await rejection(store.deleteTag(runId, 'gone'))).code, 'RESOURCE_DOES_NOT_EXIST');

    const text = new TextEncoder().encode('accuracy,0.9\n');
    const binary = new Uint8Array(256).map((_, i) => i);
    await store.writeArtifact(runId, 'report.csv', text);
    await store.writeArtifact(runId, 'plots and more/hist (1).bin', binary);
    assert.deepEqual(
      [...(await store.listArtifacts(runId))].sort((a, b) => a.path.localeCompare(b.path)),
      [
        { path: 'plots and more', isDir: true },
        { path: 'report.csv', isDir: false, fileSize: text.length },
      ],
    );
    assert.deepEqual(await store.listArtifacts(runId, 'plots and more'), [{ path: 'plots and more/hist (1).bin', isDir: false, fileSize: 256 }]);
    assert.deepEqual(await store.readArtifact(runId, 'report.csv'), text);
    assert.deepEqual(await store.readArtifact(runId, 'plots and more/hist (1).bin'), binary);
    assert.equal((await rejection(store.readArtifact(runId, 'missing.txt'))).code, 'RESOURCE_DOES_NOT_EXIST');
    assert.equal((await rejection(store.writeArtifact(runId, '../escape.txt', text))).code, 'INVALID_PARAMETER_VALUE');
    assert.equal((await rejection(store.writeArtifact(runId, 'a%20b.txt', text))).code, 'INVALID_PARAMETER_VALUE');

    const ended = await store.updateRun(runId, { status: 'FINISHED', endTime: 1_700_000_009_000, runName: 'first-renamed' });
    assert.equal(ended.info.status, 'FINISHED');
    assert.equal(ended.info.endTime, 1_700_000_009_000);
    assert.equal(ended.info.runName, 'first-renamed');

    const run = await store.getRun(runId);
    assert.deepEqual(run.data.params, [{ key: 'lr', value: '0.01' }]);
    const latest = new Map(run.data.metrics.map((m) => [m.key, m]));
    assert.equal(latest.get('loss')?.value, 0.25);
    assert.equal(latest.get('loss')?.step, 2);
    assert.ok(Number.isNaN(latest.get('weird')?.value), 'NaN survives the trip');
    const tags = new Map(run.data.tags.map((t) => [t.key, t.value]));
    assert.equal(tags.get('k'), 'v');
    assert.equal(tags.get('note'), 'hello');
    assert.equal(tags.has('gone'), false);
    assert.deepEqual(
      (await store.getMetricHistory(runId, 'loss')).map((m) => [m.step, m.value]),
      [[0, 1], [1, 0.5], [2, 0.25]],
    );
    assert.deepEqual(await store.getMetricHistory(runId, 'never-logged'), []);

    await store.renameExperiment(experimentId, `${experimentName}-renamed`);
    assert.equal((await store.getExperiment(experimentId)).name, `${experimentName}-renamed`);
  });

  it('searches runs with a filter on metrics and params', async () => {
    const experimentId = await store.createExperiment(name('search'));
    const make = async (p: string, x: number): Promise<string> => {
      const run = await store.createRun({ experimentId, runName: `${p}-${x}` });
      await store.logBatch(run.info.runId, { params: [{ key: 'p', value: p }], metrics: [{ key: 'x', value: x, timestamp: 1, step: 0 }] });
      return run.info.runId;
    };
    const hit1 = await make('a', 0.9);
    const hit2 = await make('a', 0.51);
    await make('a', 0.5);
    await make('b', 0.9);
    const page = await store.searchRuns({ experimentIds: [experimentId], filter: "metrics.x > 0.5 and params.p = 'a'", orderBy: ['metrics.x DESC'] });
    assert.deepEqual(page.items.map((r) => r.info.runId), [hit1, hit2]);
    assert.equal(page.nextPageToken, undefined);
    const bad = await rejection(store.searchRuns({ experimentIds: [experimentId], filter: 'metrics.x >>> 1' }));
    assert.equal(bad.code, 'INVALID_PARAMETER_VALUE');
  });

  it('pages through more runs than one page holds, seeing each exactly once', async () => {
    const experimentId = await store.createExperiment(name('paging'));
    const ids = new Set<string>();
    for (let i = 0; i < 23; i++) ids.add((await store.createRun({ experimentId, runName: `r${i}`, startTime: 1_700_000_000_000 + i })).info.runId);
    const seen: string[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const page = await store.searchRuns({ experimentIds: [experimentId], maxResults: 5, pageToken, orderBy: ['attributes.start_time ASC'] });
      assert.ok(page.items.length <= 5);
      seen.push(...page.items.map((r: Run) => r.info.runId));
      pageToken = page.nextPageToken;
      pages++;
    } while (pageToken !== undefined && pages < 20);
    assert.equal(pages, 5);
    assert.equal(seen.length, 23);
    assert.deepEqual(new Set(seen), ids);

    const experiments = await store.searchExperiments({ maxResults: 1 });
    assert.equal(experiments.items.length, 1);
    assert.ok(experiments.nextPageToken);
  });

  it('splits a log-batch above MLflow limits and keeps every point', async () => {
    const experimentId = await store.createExperiment(name('batch'));
    const runId = (await store.createRun({ experimentId })).info.runId;
    const metrics = [...points('a', 1_600), ...points('b', 900)];
    const params = Array.from({ length: 150 }, (_, i) => ({ key: `p${i}`, value: String(i) }));
    const tags = Array.from({ length: 120 }, (_, i) => ({ key: `t${i}`, value: String(i) }));
    await store.logBatch(runId, { metrics, params, tags });
    assert.equal((await store.getMetricHistory(runId, 'a')).length, 1_600);
    assert.equal((await store.getMetricHistory(runId, 'b')).length, 900);
    const run = await store.getRun(runId);
    assert.equal(run.data.params.length, 150);
    assert.equal(run.data.tags.filter((t) => t.key.startsWith('t')).length, 120);
  });

  it('pages through a long metric history and downsamples it keeping spikes', async () => {
    const paged = new RestTrackingStore({ baseUrl: server?.url ?? '', metricHistoryPageSize: 100 });
    const experimentId = await paged.createExperiment(name('history'));
    const runId = (await paged.createRun({ experimentId })).info.runId;
    await paged.logBatch(runId, { metrics: points('loss', 1_234, (i) => (i === 777 ? 1e9 : 1)) });
    const history = await paged.getMetricHistory(runId, 'loss');
    assert.equal(history.length, 1_234);
    assert.deepEqual(history.map((m) => m.step), Array.from({ length: 1_234 }, (_, i) => i));
    const buckets = await paged.getMetricHistoryDownsampled(runId, 'loss', 10);
    assert.equal(buckets.length, 10);
    assert.equal(buckets.reduce((n, b) => n + b.count, 0), 1_234);
    assert.equal(Math.max(...buckets.map((b) => b.max)), 1e9);
    assert.equal(buckets.at(-1)?.lastStep, 1_233);
  });

  it('deletes and restores runs and experiments', async () => {
    const experimentId = await store.createExperiment(name('lifecycle'));
    const runId = (await store.createRun({ experimentId, status: 'FINISHED' })).info.runId;
    assert.equal((await store.getRun(runId)).info.status, 'FINISHED');
    await store.deleteRun(runId);
    assert.equal((await store.getRun(runId)).info.lifecycleStage, 'deleted');
    assert.equal((await store.searchRuns({ experimentIds: [experimentId] })).items.length, 0);
    assert.equal((await store.searchRuns({ experimentIds: [experimentId], viewType: 'DELETED_ONLY' })).items.length, 1);
    await store.restoreRun(runId);
    assert.equal((await store.getRun(runId)).info.lifecycleStage, 'active');
    await store.deleteExperiment(experimentId);
    assert.equal((await store.getExperiment(experimentId)).lifecycleStage, 'deleted');
    await store.restoreExperiment(experimentId);
    assert.equal((await store.getExperiment(experimentId)).lifecycleStage, 'active');
  });

  it('logs dataset inputs (log-inputs) that get-run reads back, once even when sent twice', async () => {
    const experimentId = await store.createExperiment(name('inputs'));
    const runId = (await store.createRun({ experimentId })).info.runId;
    const datasets: DatasetInput[] = [
      {
        tags: [{ key: 'mlflow.data.context', value: 'input' }, { key: 'labbook.data.found', value: 'observed' }],
        dataset: { name: 'data/train.csv', digest: 'a1b2c3d4', sourceType: 'local', source: '{"uri": "data/train.csv"}', schema: '{"columns": ["x"]}', profile: '{"size": 12}' },
      },
      { tags: [{ key: 'mlflow.data.context', value: 'input' }], dataset: { name: 'data/labels', digest: 'e5f6a7b8', sourceType: 'local', source: '{"uri": "data/labels"}' } },
    ];
    await store.logInputs(runId, datasets);
    await store.logInputs(runId, datasets); // a replay (an outbox retry) changes nothing
    const inputs = (await store.getRun(runId)).inputs?.datasetInputs ?? [];
    const byName = new Map(inputs.map((i) => [i.dataset.name, i]));
    assert.equal(inputs.length, 2, `one input per dataset, got ${JSON.stringify(inputs)}`);
    assert.deepEqual(byName.get('data/train.csv')?.dataset, datasets[0]?.dataset);
    assert.deepEqual(new Set(byName.get('data/train.csv')?.tags.map((t) => `${t.key}=${t.value}`)), new Set(['mlflow.data.context=input', 'labbook.data.found=observed']));
    assert.deepEqual(byName.get('data/labels')?.dataset, datasets[1]?.dataset);
    assert.equal((await rejection(store.logInputs('0123456789abcdef0123456789abcdef', datasets))).code, 'RESOURCE_DOES_NOT_EXIST');
  });

  it('registers a model from a run artifact, with tags and aliases', async () => {
    const experimentId = await store.createExperiment(name('registry'));
    const run = await store.createRun({ experimentId });
    const runId = run.info.runId;
    await store.writeArtifact(runId, 'model/MLmodel', new TextEncoder().encode('flavors: {}\n'));
    const modelName = name('churn');
    const model = await store.createRegisteredModel(modelName, { description: 'predicts churn', tags: [{ key: 'owner', value: 'ada' }] });
    assert.equal(model.name, modelName);
    assert.deepEqual(model.tags, [{ key: 'owner', value: 'ada' }]);
    assert.equal(model.description, 'predicts churn');

    const v1 = await store.createModelVersion(modelName, `${run.info.artifactUri}/model`, runId, { tags: [{ key: 'v', value: '1' }] });
    const v2 = await store.createModelVersion(modelName, `runs:/${runId}/model`, runId, { description: 'second' });
    assert.deepEqual([v1.version, v2.version], ['1', '2']);
    assert.equal(v1.status, 'READY');
    assert.equal(v1.runId, runId);
    assert.equal(v2.description, 'second');

    await store.setModelVersionTag(modelName, '1', { key: 'validated', value: 'yes' });
    await store.setRegisteredModelTag(modelName, { key: 'domain', value: 'retail' });
    assert.deepEqual(new Set((await store.getModelVersion(modelName, '1')).tags.map((t) => t.key)), new Set(['v', 'validated']));

    await store.setRegisteredModelAlias(modelName, 'champion', '1');
    const champion = await store.getModelVersionByAlias(modelName, 'champion');
    assert.equal(champion.version, '1');
    assert.deepEqual(champion.aliases, ['champion']);
    const withAlias = await store.getRegisteredModel(modelName);
    assert.deepEqual(withAlias.aliases, [{ alias: 'champion', version: '1' }]);
    assert.deepEqual(new Set(withAlias.tags.map((t) => t.key)), new Set(['owner', 'domain']));
    assert.equal(withAlias.latestVersions[0]?.version, '2');

    await store.deleteRegisteredModelAlias(modelName, 'champion');
    assert.equal((await rejection(store.getModelVersionByAlias(modelName, 'champion'))).code, 'RESOURCE_DOES_NOT_EXIST');
    assert.equal((await rejection(store.getModelVersionByAlias(name('no-model'), 'champion'))).code, 'RESOURCE_DOES_NOT_EXIST');

    const models = await store.searchRegisteredModels({ filter: `name = '${modelName}'` });
    assert.deepEqual(models.items.map((m) => m.name), [modelName]);
    const versions = await store.searchModelVersions({ filter: `name = '${modelName}'`, maxResults: 1 });
    assert.equal(versions.items.length, 1);
    assert.ok(versions.nextPageToken, 'two versions, one per page');

    await store.deleteRegisteredModel(modelName);
    assert.equal((await rejection(store.getRegisteredModel(modelName))).code, 'RESOURCE_DOES_NOT_EXIST');
  });

  it('refuses artifact transfers for runs whose artifacts the server does not proxy', async () => {
    const experimentId = await store.createExperiment(name('unproxied'), { artifactLocation: 's3://labbook-test-bucket/unproxied' });
    const runId = (await store.createRun({ experimentId })).info.runId;
    const err = await rejection(store.writeArtifact(runId, 'a.txt', new Uint8Array([1])));
    assert.equal(err.code, 'INVALID_STATE');
    assert.match(err.message, /does not proxy the artifacts of run .*s3:\/\/labbook-test-bucket/);
  });

  it('rides out a server outage: a log-batch sent while the server is down lands once it is back', async () => {
    const patient = new RestTrackingStore({ baseUrl: server?.url ?? '', retry: { maxAttempts: 40, initialDelayMs: 200, maxDelayMs: 1_000 } });
    const experimentId = await patient.createExperiment(name('outage'));
    const runId = (await patient.createRun({ experimentId })).info.runId;
    await server?.stop();
    const pending = patient.logBatch(runId, { metrics: points('during-outage', 50) });
    await new Promise((resolve) => setTimeout(resolve, 500));
    await server?.restart();
    await pending;
    assert.equal((await patient.getMetricHistory(runId, 'during-outage')).length, 50);
  });
});
