import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { types } from 'node:util';
import { TrackingError } from '../../../src/core/store/errors.ts';
import { Outbox } from '../../../src/core/store/outbox/outbox.ts';
import { QueuedStore, type QueuedTrackingStore } from '../../../src/core/store/outbox/queuedStore.ts';
import { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';
import type { TrackingStore } from '../../../src/core/store/trackingStore.ts';

/** A real store standing in for the server, which can be "unreachable" for writes. */
function flaky(store: SqliteTrackingStore): { remote: TrackingStore; setDown: (down: boolean) => void } {
  let down = false;
  const failing = new Set(['logBatch', 'setTag', 'updateRun', 'logInputs', 'getRun', 'searchRuns']);
  const remote = new Proxy(store, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (down && typeof prop === 'string' && failing.has(prop)) return Promise.reject(new TrackingError('TEMPORARILY_UNAVAILABLE', 'connect ECONNREFUSED 127.0.0.1:5000'));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { remote, setDown: (d) => (down = d) };
}

describe('remote writes through the outbox (QueuedStore)', () => {
  let dir: string;
  let server: SqliteTrackingStore;
  let outbox: Outbox;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-queued-'));
    server = new SqliteTrackingStore(path.join(dir, 'server.db'));
  });
  afterEach(async () => {
    outbox?.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ships metrics, tags and the final status in order while the server is up', async () => {
    const { remote } = flaky(server);
    outbox = new Outbox(path.join(dir, 'outbox.db'), remote);
    const store = new QueuedStore(remote, outbox);
    const run = await store.createRun({ experimentId: '0', runName: 'remote-run' });
    await store.logBatch(run.info.runId, { metrics: [{ key: 'loss', value: 0.5, timestamp: 1, step: 0 }] });
    await store.logMetric(run.info.runId, { key: 'loss', value: 0.25, timestamp: 2, step: 1 });
    await store.setTag(run.info.runId, { key: 'labbook.exitCode', value: '0' });
    const updated = await store.updateRun(run.info.runId, { status: 'FINISHED', endTime: 10 });
    assert.deepEqual(updated, { state: 'shipped', runId: run.info.runId });
    assert.deepEqual(outbox.state().pending, 0);
    const stored = await server.getRun(run.info.runId);
    assert.deepEqual((await server.getMetricHistory(run.info.runId, 'loss')).map((m) => m.value), [0.5, 0.25]);
    assert.equal(stored.data.tags.find((t) => t.key === 'labbook.exitCode')?.value, '0');
    assert.equal(stored.info.status, 'FINISHED');
  });

  it('keeps every write on disk while the server is unreachable and ships them when it is back, across a restart', async () => {
    const { remote, setDown } = flaky(server);
    outbox = new Outbox(path.join(dir, 'outbox.db'), remote);
    const errors: unknown[] = [];
    const store = new QueuedStore(remote, outbox, { onFlushError: (e) => errors.push(e) });
    const run = await store.createRun({ experimentId: '0', runName: 'blink' });
    setDown(true);
    for (let step = 0; step < 5; step++) await store.logBatch(run.info.runId, { metrics: [{ key: 'acc', value: step / 10, timestamp: step, step }] });
    const promised = await store.updateRun(run.info.runId, { status: 'FAILED', endTime: 99 });
    // Said as it is: queued, with why; never a made-up run (no experiment id, no start time).
    assert.equal(promised.state, 'queued');
    assert.ok(promised.state === 'queued' && promised.runId === run.info.runId && promised.pending === 6 && /ECONNREFUSED/.test(promised.reason), JSON.stringify(promised));
    assert.ok(!('info' in promised), 'no fake Run');
    assert.equal(outbox.state().pending, 6);
    assert.match(outbox.state().lastError ?? '', /ECONNREFUSED/);
    assert.equal((await server.getRun(run.info.runId)).info.status, 'RUNNING', 'nothing reached the server yet');
    // The window closes; the next one opens the same outbox file and ships.
    outbox.close();
    setDown(false);
    outbox = new Outbox(path.join(dir, 'outbox.db'), remote);
    assert.equal(await outbox.flush(), 6);
    assert.deepEqual((await server.getMetricHistory(run.info.runId, 'acc')).map((m) => m.step), [0, 1, 2, 3, 4]);
    assert.equal((await server.getRun(run.info.runId)).info.status, 'FAILED');
    assert.equal(outbox.state().pending, 0);
  });

  it('says when the server refused a run update for good, and keeps it aside', async () => {
    const { remote } = flaky(server);
    outbox = new Outbox(path.join(dir, 'outbox.db'), remote);
    const store = new QueuedStore(remote, outbox);
    const result = await store.updateRun('no-such-run', { status: 'FINISHED', endTime: 1 });
    assert.equal(result.state, 'refused');
    assert.ok(result.state === 'refused' && result.reason.length > 0 && result.runId === 'no-such-run', JSON.stringify(result));
    assert.equal(outbox.state().failed, 1);
  });

  it('passes reads and artifacts straight to the server', async () => {
    const { remote } = flaky(server);
    outbox = new Outbox(path.join(dir, 'outbox.db'), remote);
    const store = new QueuedStore(remote, outbox);
    const run = await store.createRun({ experimentId: '0' });
    await store.writeArtifact(run.info.runId, 'a.txt', new TextEncoder().encode('hi'));
    assert.equal(new TextDecoder().decode(await server.readArtifact(run.info.runId, 'a.txt')), 'hi');
    assert.equal(store.description, server.description);
    assert.equal((await store.getRun(run.info.runId)).info.runId, run.info.runId);
  });

  it('is a typed decorator, not a Proxy: each store method is its own, writes queue and the rest is the remote\'s', async () => {
    const { remote, setDown } = flaky(server);
    outbox = new Outbox(path.join(dir, 'outbox.db'), remote);
    const store: QueuedTrackingStore = new QueuedStore(remote, outbox);
    assert.equal(types.isProxy(store), false);
    const own = new Set(Object.getOwnPropertyNames(QueuedStore.prototype));
    const methods: readonly (keyof QueuedTrackingStore)[] = [
      'getExperiment', 'getExperimentByName', 'searchExperiments', 'getRun', 'searchRuns', 'getMetricHistory', 'getMetricHistoryDownsampled',
      'listArtifacts', 'readArtifact', 'createExperiment', 'renameExperiment', 'deleteExperiment', 'restoreExperiment', 'setExperimentTag',
      'createRun', 'updateRun', 'deleteRun', 'restoreRun', 'setTag', 'deleteTag', 'logParam', 'logMetric', 'logBatch', 'logInputs', 'writeArtifact',
      'getRegisteredModel', 'searchRegisteredModels', 'getModelVersion', 'searchModelVersions', 'getModelVersionByAlias', 'createRegisteredModel',
      'deleteRegisteredModel', 'setRegisteredModelTag', 'createModelVersion', 'setModelVersionTag', 'setRegisteredModelAlias', 'deleteRegisteredModelAlias',
      'close', 'description', 'readOnly',
    ];
    assert.deepEqual(methods.filter((m) => !own.has(m)), []);
    assert.equal(store.readOnly, false);
    // The registry and experiment writes are the remote's own (not queued).
    const experimentId = await store.createExperiment('decorated');
    const run = await store.createRun({ experimentId, runName: 'r' });
    await store.createRegisteredModel('decorated-model');
    const version = await store.createModelVersion('decorated-model', `runs:/${run.info.runId}/model`, run.info.runId);
    await store.setRegisteredModelAlias('decorated-model', 'champion', version.version);
    assert.equal((await server.getModelVersionByAlias('decorated-model', 'champion')).version, version.version);
    assert.deepEqual((await store.searchRegisteredModels({ filter: "name = 'decorated-model'" })).items.map((m) => m.name), ['decorated-model']);
    assert.equal(outbox.state().pending, 0, 'nothing of that went through the outbox');
    // The run writes go through the outbox: queued while the server is down.
    setDown(true);
    await store.logParam(run.info.runId, 'lr', '0.1');
    await store.logMetric(run.info.runId, { key: 'm', value: 1, timestamp: 1, step: 0 });
    await store.setTag(run.info.runId, { key: 'k', value: 'v' });
    const dataset = { name: 'data/train.csv', digest: 'abc', sourceType: 'local', source: '{"uri": "data/train.csv"}' };
    await store.logInputs(run.info.runId, [{ tags: [{ key: 'mlflow.data.context', value: 'input' }], dataset }]);
    assert.equal(outbox.state().pending, 4);
    setDown(false);
    assert.equal(await outbox.flush(), 4);
    const shipped = await server.getRun(run.info.runId);
    assert.deepEqual(shipped.inputs?.datasetInputs.map((i) => i.dataset), [dataset]);
    assert.deepEqual(shipped.data.params, [{ key: 'lr', value: '0.1' }]);
    assert.equal(shipped.data.tags.find((t) => t.key === 'k')?.value, 'v');
  });
});
