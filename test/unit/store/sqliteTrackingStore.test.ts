import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';
import { rejectsNotThrows, rejectsWith } from '../../support/trackingAssertions.ts';

describe('core/store: SqliteTrackingStore', () => {
  let dir: string;
  let store: SqliteTrackingStore;
  let clock: number;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-store-'));
    clock = 1_700_000_000_000;
    store = new SqliteTrackingStore(path.join(dir, '.labbook', 'tracking.db'), { now: () => clock++, user: 'ada' });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts with MLflow\'s Default experiment (id 0) and creates, finds, renames, deletes and restores experiments', async () => {
    assert.equal((await store.getExperiment('0')).name, 'Default');
    const id = await store.createExperiment('churn', { tags: [{ key: 'team', value: 'growth' }] });
    const exp = await store.getExperiment(id);
    assert.equal(exp.name, 'churn');
    assert.equal(exp.artifactLocation, `mlflow-artifacts:/${id}`);
    assert.deepEqual(exp.tags, [{ key: 'team', value: 'growth' }]);
    assert.equal((await store.getExperimentByName('churn'))?.experimentId, id);
    assert.equal(await store.getExperimentByName('nope'), undefined);
    await rejectsWith(store.createExperiment('churn'), 'RESOURCE_ALREADY_EXISTS');
    await store.renameExperiment(id, 'churn-v2');
    assert.equal((await store.getExperiment(id)).name, 'churn-v2');
    await store.deleteExperiment(id);
    assert.deepEqual((await store.searchExperiments()).items.map((e) => e.name), ['Default']);
    assert.deepEqual((await store.searchExperiments({ viewType: 'DELETED_ONLY' })).items.map((e) => e.name), ['churn-v2']);
    await store.restoreExperiment(id);
    assert.deepEqual((await store.searchExperiments({ filter: "name LIKE 'churn%'" })).items.map((e) => e.name), ['churn-v2']);
    await rejectsWith(store.getExperiment('999'), 'RESOURCE_DOES_NOT_EXIST');
    await rejectsWith(store.deleteExperiment('0'), 'INVALID_PARAMETER_VALUE');
  });

  it('creates a run with MLflow\'s fields and the run name as a tag, then ends it', async () => {
    const run = await store.createRun({ experimentId: '0', runName: 'baseline', tags: [{ key: 'mlflow.source.name', value: 'train.py' }] });
    assert.match(run.info.runId, /^[0-9a-f]{32}$/);
    assert.equal(run.info.status, 'RUNNING');
    assert.equal(run.info.userId, 'ada');
    assert.equal(run.info.endTime, null);
    assert.equal(run.info.artifactUri, `mlflow-artifacts:/0/${run.info.runId}/artifacts`);
    assert.deepEqual(run.data.tags, [{ key: 'mlflow.runName', value: 'baseline' }, { key: 'mlflow.source.name', value: 'train.py' }]);
    const ended = await store.updateRun(run.info.runId, { status: 'FINISHED', endTime: 1_700_000_009_000 });
    assert.equal(ended.info.status, 'FINISHED');
    assert.equal(ended.info.endTime, 1_700_000_009_000);
    const renamed = await store.updateRun(run.info.runId, { runName: 'baseline-2' });
    assert.equal(renamed.info.runName, 'baseline-2');
    assert.equal(renamed.info.status, 'FINISHED');
    assert.ok(renamed.data.tags.some((t) => t.key === 'mlflow.runName' && t.value === 'baseline-2'));
    const unnamed = await store.createRun({ experimentId: '0' });
    assert.match(unnamed.info.runName, /^[a-z]+-[a-z]+-\d+$/);
  });

  it('logs params (immutable), metrics with steps and tags; keeps the latest metric by step', async () => {
    const { info } = await store.createRun({ experimentId: '0' });
    await store.logParam(info.runId, 'lr', '0.1');
    await store.logParam(info.runId, 'lr', '0.1');
    await rejectsWith(store.logParam(info.runId, 'lr', '0.2'), 'INVALID_PARAMETER_VALUE', /Changing param values is not allowed/);
    await store.logBatch(info.runId, {
      metrics: [
        { key: 'loss', value: 0.9, timestamp: 10, step: 0 },
        { key: 'loss', value: 0.5, timestamp: 30, step: 2 },
        { key: 'loss', value: 0.7, timestamp: 20, step: 1 },
        { key: 'acc', value: Number.NaN, timestamp: 10, step: 0 },
      ],
      tags: [{ key: 'stage', value: 'dev' }],
    });
    await store.logMetric(info.runId, { key: 'loss', value: 0.5, timestamp: 30, step: 2 }); // exact duplicate: ignored
    const run = await store.getRun(info.runId);
    assert.deepEqual(run.data.params, [{ key: 'lr', value: '0.1' }]);
    const loss = run.data.metrics.find((m) => m.key === 'loss');
    assert.deepEqual(loss, { key: 'loss', value: 0.5, timestamp: 30, step: 2 });
    assert.ok(Number.isNaN(run.data.metrics.find((m) => m.key === 'acc')?.value));
    assert.deepEqual((await store.getMetricHistory(info.runId, 'loss')).map((m) => [m.step, m.value]), [[0, 0.9], [1, 0.7], [2, 0.5]]);
    await store.deleteTag(info.runId, 'stage');
    await rejectsWith(store.deleteTag(info.runId, 'stage'), 'RESOURCE_DOES_NOT_EXIST');
  });

  it('writes nothing from a batch that breaks a rule', async () => {
    const { info } = await store.createRun({ experimentId: '0' });
    await store.logParam(info.runId, 'model', 'rf');
    await rejectsWith(
      store.logBatch(info.runId, { metrics: [{ key: 'm', value: 1, timestamp: 1, step: 0 }], params: [{ key: 'model', value: 'gbm' }] }),
      'INVALID_PARAMETER_VALUE',
    );
    assert.deepEqual(await store.getMetricHistory(info.runId, 'm'), []);
    const tooMany = Array.from({ length: 1001 }, (_, i) => ({ key: 'm', value: i, timestamp: i, step: i }));
    await rejectsWith(store.logBatch(info.runId, { metrics: tooMany }), 'INVALID_PARAMETER_VALUE', /at most 1000 metrics/);
    await rejectsWith(store.logParam(info.runId, 'x'.repeat(251), 'v'), 'INVALID_PARAMETER_VALUE', /exceeded length limit of 250/);
    await rejectsWith(store.logParam(info.runId, 'p', 'v'.repeat(6001)), 'INVALID_PARAMETER_VALUE', /exceeded length limit of 6000/);
    await rejectsWith(store.logMetric(info.runId, { key: '../escape', value: 1, timestamp: 1, step: 0 }), 'INVALID_PARAMETER_VALUE');
    await rejectsWith(store.logParam('0123456789abcdef0123456789abcdef', 'p', 'v'), 'RESOURCE_DOES_NOT_EXIST');
  });

  it('refuses to log into a deleted run and restores it', async () => {
    const { info } = await store.createRun({ experimentId: '0' });
    await store.deleteRun(info.runId);
    await rejectsWith(store.logParam(info.runId, 'p', 'v'), 'INVALID_PARAMETER_VALUE', /must be in the 'active' state/);
    assert.equal((await store.searchRuns({ experimentIds: ['0'] })).items.length, 0);
    assert.equal((await store.searchRuns({ experimentIds: ['0'], viewType: 'DELETED_ONLY' })).items.length, 1);
    await store.restoreRun(info.runId);
    await store.logParam(info.runId, 'p', 'v');
  });

  it('searches runs with MLflow filters and ordering, and pages through all of them exactly once', async () => {
    const exp = await store.createExperiment('search');
    const ids: string[] = [];
    for (let i = 0; i < 25; i++) {
      const { info } = await store.createRun({ experimentId: exp, runName: `run-${i}`, startTime: 1000 + i });
      ids.push(info.runId);
      await store.logBatch(info.runId, {
        metrics: i % 5 === 4 ? [] : [{ key: 'rmse', value: i / 10, timestamp: 1, step: 0 }],
        params: [{ key: 'model', value: i % 2 ? 'rf' : 'gbm' }],
        tags: [{ key: 'stage', value: i < 10 ? 'dev' : 'prod' }],
      });
      if (i % 3 === 0) await store.updateRun(info.runId, { status: 'FINISHED', endTime: 2000 + i });
    }
    const search = async (filter: string, orderBy?: string[]) =>
      (await store.searchRuns({ experimentIds: [exp], filter, ...(orderBy ? { orderBy } : {}) })).items.map((r) => r.info.runName);
    assert.deepEqual(
      await search("metrics.rmse < 0.8 and params.model = 'rf' and tags.stage != 'prod' and attributes.status = 'FINISHED'"),
      ['run-3'],
    );
    assert.deepEqual(await search("params.model LIKE 'r%' and metrics.rmse >= 2.0", ['metrics.rmse DESC']), ['run-23', 'run-21']);
    assert.deepEqual(await search("tags.stage ILIKE 'DEV' and metrics.rmse IS NULL"), ['run-9', 'run-4']);
    assert.deepEqual(await search(`attributes.run_id IN ('${ids[1]}', '${ids[2]}')`, ['attributes.start_time ASC']), ['run-1', 'run-2']);
    // Runs without the metric sort last, whatever the direction.
    const byRmse = await search("tags.stage = 'dev'", ['metrics.rmse ASC']);
    assert.deepEqual(byRmse.slice(-2), ['run-9', 'run-4']);
    assert.deepEqual(byRmse.slice(0, 2), ['run-0', 'run-1']);
    await rejectsWith(store.searchRuns({ experimentIds: [exp], filter: 'metrics.rmse << 1' }), 'INVALID_PARAMETER_VALUE', /position/);

    const seen: string[] = [];
    let token: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = await store.searchRuns({ experimentIds: [exp], maxResults: 7, ...(token ? { pageToken: token } : {}) });
      seen.push(...page.items.map((r) => r.info.runId));
      token = page.nextPageToken;
      if (!token) break;
    }
    assert.equal(seen.length, 25);
    assert.deepEqual(new Set(seen), new Set(ids));
    assert.equal(seen[0], ids[24], 'newest run first by default');
    await rejectsWith(store.searchRuns({ experimentIds: [exp], pageToken: 'garbage' }), 'INVALID_PARAMETER_VALUE', /page token/);
  });

  it('downsamples a history into buckets keeping min, max and last, so a spike survives', async () => {
    const { info } = await store.createRun({ experimentId: '0' });
    const points = Array.from({ length: 1000 }, (_, step) => ({ key: 'loss', value: step === 537 ? 100 : 1 / (step + 1), timestamp: step, step }));
    for (let i = 0; i < points.length; i += 1000) await store.logBatch(info.runId, { metrics: points.slice(i, i + 1000) });
    const buckets = await store.getMetricHistoryDownsampled(info.runId, 'loss', 10);
    assert.equal(buckets.length, 10);
    assert.equal(buckets.reduce((n, b) => n + b.count, 0), 1000);
    const spike = buckets.find((b) => b.stepStart <= 537 && b.stepEnd >= 537);
    assert.equal(spike?.max, 100);
    const lastBucket = buckets.at(-1);
    assert.equal(lastBucket?.lastStep, 999);
    assert.equal(lastBucket?.last, 1 / 1000);
    assert.equal(buckets[0]?.max, 1);
    assert.deepEqual(await store.getMetricHistoryDownsampled(info.runId, 'missing', 10), []);
  });

  it('writes, lists and reads artifacts beside the database, and refuses paths that leave the run', async () => {
    const { info } = await store.createRun({ experimentId: '0' });
    await store.writeArtifact(info.runId, 'model/weights.bin', new Uint8Array([1, 2, 3]));
    await store.writeArtifact(info.runId, 'notes.txt', new TextEncoder().encode('hello'));
    assert.deepEqual(await store.listArtifacts(info.runId), [
      { path: 'model', isDir: true },
      { path: 'notes.txt', isDir: false, fileSize: 5 },
    ]);
    assert.deepEqual(await store.listArtifacts(info.runId, 'model'), [{ path: 'model/weights.bin', isDir: false, fileSize: 3 }]);
    assert.deepEqual([...(await store.readArtifact(info.runId, 'model/weights.bin'))], [1, 2, 3]);
    assert.equal(store.artifacts.root, path.join(dir, '.labbook', 'artifacts'));
    await rejectsWith(store.readArtifact(info.runId, '../../../../etc/passwd'), 'INVALID_PARAMETER_VALUE');
    await rejectsWith(store.readArtifact(info.runId, 'missing.txt'), 'RESOURCE_DOES_NOT_EXIST');
  });

  it('keeps a model registry: models, versions from a run, aliases and tags', async () => {
    const { info } = await store.createRun({ experimentId: '0' });
    await store.createRegisteredModel('churn-model', { description: 'predicts churn' });
    await rejectsWith(store.createRegisteredModel('churn-model'), 'RESOURCE_ALREADY_EXISTS');
    const v1 = await store.createModelVersion('churn-model', `runs:/${info.runId}/model`, info.runId);
    const v2 = await store.createModelVersion('churn-model', `runs:/${info.runId}/model`, info.runId, { tags: [{ key: 'validated', value: 'yes' }] });
    assert.deepEqual([v1.version, v2.version], ['1', '2']);
    await store.setRegisteredModelAlias('churn-model', 'champion', '1');
    assert.equal((await store.getModelVersionByAlias('churn-model', 'champion')).version, '1');
    await rejectsWith(store.setRegisteredModelAlias('churn-model', 'latest', '1'), 'INVALID_PARAMETER_VALUE');
    const model = await store.getRegisteredModel('churn-model');
    assert.deepEqual(model.aliases, [{ alias: 'champion', version: '1' }]);
    assert.equal(model.latestVersions[0]?.version, '2');
    assert.deepEqual((await store.getModelVersion('churn-model', '2')).tags, [{ key: 'validated', value: 'yes' }]);
    assert.deepEqual((await store.getModelVersion('churn-model', '1')).aliases, ['champion']);
    assert.deepEqual((await store.searchModelVersions({ filter: `run_id = '${info.runId}'` })).items.map((v) => v.version), ['2', '1']);
    assert.deepEqual((await store.searchRegisteredModels({ filter: "name LIKE 'churn%'" })).items.map((m) => m.name), ['churn-model']);
    await store.deleteRegisteredModelAlias('churn-model', 'champion');
    await rejectsWith(store.getModelVersionByAlias('churn-model', 'champion'), 'RESOURCE_DOES_NOT_EXIST');
    await store.deleteRegisteredModel('churn-model');
    await rejectsWith(store.getRegisteredModel('churn-model'), 'RESOURCE_DOES_NOT_EXIST');
  });

  it('reopens an existing file with everything in it, and refuses a file from a newer schema', async () => {
    const { info } = await store.createRun({ experimentId: '0', runName: 'kept' });
    await store.close();
    const again = new SqliteTrackingStore(path.join(dir, '.labbook', 'tracking.db'));
    assert.equal((await again.getRun(info.runId)).info.runName, 'kept');
    again.database.pragma('user_version = 99');
    await again.close();
    assert.throws(() => new SqliteTrackingStore(path.join(dir, '.labbook', 'tracking.db')), /newer Labbook/);
    store = new SqliteTrackingStore(path.join(dir, 'other.db'));
  });

  it('fails by rejecting, never by throwing synchronously, for reads, writes and refused input', async () => {
    const runId = (await store.createRun({ experimentId: '0' })).info.runId;
    await store.deleteRun(runId);
    await rejectsNotThrows(() => store.getRun('missing'), 'RESOURCE_DOES_NOT_EXIST');
    await rejectsNotThrows(() => store.getExperiment('not-a-number'), 'INVALID_PARAMETER_VALUE');
    await rejectsNotThrows(() => store.createExperiment(''), 'INVALID_PARAMETER_VALUE');
    await rejectsNotThrows(() => store.createExperiment('Default'), 'RESOURCE_ALREADY_EXISTS');
    await rejectsNotThrows(() => store.deleteExperiment('0'), 'INVALID_PARAMETER_VALUE');
    await rejectsNotThrows(() => store.createRun({ experimentId: '0', status: 'BOGUS' as never }), 'INVALID_PARAMETER_VALUE');
    await rejectsNotThrows(() => store.setTag(runId, { key: 'k', value: 'v' }), 'INVALID_PARAMETER_VALUE');
    await rejectsNotThrows(() => store.logBatch('missing', { params: [{ key: 'p', value: '1' }] }), 'RESOURCE_DOES_NOT_EXIST');
    await rejectsNotThrows(() => store.logInputs('missing', []), 'RESOURCE_DOES_NOT_EXIST');
    await rejectsNotThrows(() => store.getMetricHistory('missing', 'loss'), 'RESOURCE_DOES_NOT_EXIST');
    await rejectsNotThrows(() => store.listArtifacts('missing'), 'RESOURCE_DOES_NOT_EXIST');
    await rejectsNotThrows(() => store.getRegisteredModel('nope'), 'RESOURCE_DOES_NOT_EXIST');
    await rejectsNotThrows(() => store.createModelVersion('nope', 'file:///m', 'missing'), 'RESOURCE_DOES_NOT_EXIST');
    await rejectsNotThrows(() => store.getLoggedModel('m-nope'), 'RESOURCE_DOES_NOT_EXIST');
  });
});

describe('core/store: downsampling long histories from tiles', () => {
  it('keeps every point in exactly one bucket, every spike as a max, and the true last value', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'labbook-tiles-'));
    const store = new SqliteTrackingStore(path.join(dir, 't.db'));
    try {
      const { info } = await store.createRun({ experimentId: '0' });
      // 100k points logged out of order, with duplicates, NaNs and a few spikes.
      let seed = 42;
      const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
      const spikes = new Map([[1234, 500], [55_555, -400], [99_998, 900]]);
      const steps = Array.from({ length: 100_000 }, (_, i) => i).sort(() => random() - 0.5);
      const value = (step: number) => spikes.get(step) ?? (step % 7777 === 0 ? Number.NaN : Math.sin(step / 1000));
      for (let i = 0; i < steps.length; i += 1000) {
        const batch = steps.slice(i, i + 1000).map((step) => ({ key: 'loss', value: value(step), timestamp: step, step }));
        await store.logBatch(info.runId, { metrics: batch });
        await store.logBatch(info.runId, { metrics: batch.slice(0, 10) }); // duplicates: ignored
      }
      for (const n of [1000, 333, 50]) {
        const buckets = await store.getMetricHistoryDownsampled(info.runId, 'loss', n);
        assert.ok(buckets.length <= n && buckets.length >= n * 0.9, `${buckets.length} buckets for ${n}`);
        assert.equal(buckets.reduce((sum, b) => sum + b.count, 0), 100_000);
        for (let i = 1; i < buckets.length; i++) assert.ok((buckets[i - 1]?.stepEnd ?? 0) < (buckets[i]?.stepStart ?? 0), 'buckets overlap');
        for (const [step, spike] of spikes) {
          const bucket = buckets.find((b) => b.stepStart <= step && step <= b.stepEnd);
          assert.equal(spike > 0 ? bucket?.max : bucket?.min, spike, `spike at ${step} lost with ${n} buckets`);
        }
        assert.equal(buckets.at(-1)?.lastStep, 99_999);
        assert.equal(buckets.at(-1)?.last, Math.sin(99_999 / 1000));
        assert.equal(buckets[0]?.stepStart, 0);
      }
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('core/store: change counter', () => {
  it('grows with every write by any connection, so a watcher can poll it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'labbook-seq-'));
    const a = new SqliteTrackingStore(path.join(dir, 't.db'));
    const b = new SqliteTrackingStore(path.join(dir, 't.db'));
    try {
      const start = a.changeSeq();
      let heard = 0;
      const stop = a.onDidWrite(() => heard++);
      await a.createRun({ experimentId: '0' });
      assert.equal(heard, 1);
      await b.createRun({ experimentId: '0' });
      await b.createExperiment('x');
      assert.equal(a.changeSeq(), start + 3);
      await a.searchRuns({ experimentIds: ['0'] });
      assert.equal(a.changeSeq(), start + 3, 'reads do not count');
      stop();
      await a.createRun({ experimentId: '0' });
      assert.equal(heard, 1);
    } finally {
      await a.close();
      await b.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
