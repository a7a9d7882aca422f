// The outbox against a real `mlflow server`: the server stops mid-stream, logging goes on, the
// server comes back, and every point arrives exactly once.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Outbox } from '../../src/core/store/outbox/outbox.ts';
import { QueuedStore } from '../../src/core/store/outbox/queuedStore.ts';
import { RestTrackingStore } from '../../src/core/store/rest/restStore.ts';
import type { DatasetInput } from '../../src/core/store/types.ts';
import { startMlflowServer, type MlflowServer } from '../support/mlflowServer.ts';

describe('interop: the outbox shipping to a real mlflow server through an outage', function () {
  this.timeout(300_000);
  let server: MlflowServer;
  let dir: string;

  before(async () => {
    server = await startMlflowServer();
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-outbox-'));
  });
  after(async () => {
    await server?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('holds writes while the server is down and ships each exactly once when it is back', async () => {
    const remote = new RestTrackingStore({ baseUrl: server.url, timeoutMs: 5000, retry: { maxAttempts: 2, initialDelayMs: 50, maxDelayMs: 200 } });
    const experimentId = await remote.createExperiment('outbox');
    const outbox = new Outbox(path.join(dir, 'outbox.db'), remote);
    // As a launch does: the run is created on the server, its writes go through the outbox.
    const runId = (await remote.createRun({ experimentId, runName: 'through-an-outage' })).info.runId;
    outbox.logBatch(runId, { params: [{ key: 'lr', value: '0.1' }] });
    const batch = (from: number) => ({ metrics: Array.from({ length: 100 }, (_, i) => ({ key: 'loss', value: 1 / (from + i + 1), timestamp: 1_700_000_000_000 + from + i, step: from + i })) });

    for (let b = 0; b < 10; b++) outbox.logBatch(runId, batch(b * 100));
    assert.equal(await outbox.flush(), 11);
    assert.equal(outbox.state().pending, 0);

    await server.stop();
    for (let b = 10; b < 20; b++) outbox.logBatch(runId, batch(b * 100));
    outbox.setTag(runId, { key: 'phase', value: 'offline' });
    outbox.updateRun(runId, { status: 'FINISHED', endTime: 1_700_000_009_999 });
    assert.equal(await outbox.flush(), 0, 'nothing ships while the server is down');
    const down = outbox.state();
    assert.equal(down.pending, 12);
    assert.ok(down.lastError, 'the outage is visible');

    // A new process (a restarted window) finds the queue where it was.
    outbox.close();
    const reopened = new Outbox(path.join(dir, 'outbox.db'), remote);
    assert.equal(reopened.state().pending, 12);
    await server.restart();
    assert.equal(await reopened.flush(), 12);
    assert.deepEqual({ ...reopened.state(), lastShippedAt: null }, { pending: 0, failed: 0, lastError: null, lastShippedAt: null });

    const history = await remote.getMetricHistory(runId, 'loss');
    assert.equal(history.length, 2000);
    assert.deepEqual(history.map((m) => m.step), Array.from({ length: 2000 }, (_, i) => i));
    const run = await remote.getRun(runId);
    assert.equal(run.info.status, 'FINISHED');
    assert.ok(run.data.tags.some((t) => t.key === 'phase' && t.value === 'offline'));
    assert.equal((await remote.searchRuns({ experimentIds: [experimentId] })).items.length, 1, 'the run was created once');
    reopened.close();
  });

  it('queues dataset inputs (QueuedStore.logInputs) while the server is down, keeps them across a restart, and ships them when it is back', async () => {
    const remote = new RestTrackingStore({ baseUrl: server.url, timeoutMs: 5000, retry: { maxAttempts: 1 } });
    const experimentId = await remote.createExperiment('outbox-inputs');
    const runId = (await remote.createRun({ experimentId, runName: 'inputs-through-an-outage' })).info.runId;
    const file = path.join(dir, 'inputs.db');
    const errors: unknown[] = [];
    const outbox = new Outbox(file, remote);
    const store = new QueuedStore(remote, outbox, { onFlushError: (e) => errors.push(e) });
    const datasets: DatasetInput[] = [
      { tags: [{ key: 'mlflow.data.context', value: 'input' }, { key: 'labbook.data.found', value: 'observed' }], dataset: { name: 'data/train.csv', digest: 'a1b2c3d4', sourceType: 'local', source: '{"uri": "data/train.csv"}' } },
    ];

    await server.stop();
    await store.logInputs(runId, datasets); // resolves: the inputs wait on disk
    assert.deepEqual(errors, [], 'an unreachable server is not an error of logInputs');
    assert.equal(outbox.state().pending, 1);
    assert.ok(outbox.state().lastError, 'the outage is visible');
    outbox.close();

    const reopened = new Outbox(file, remote);
    assert.equal(reopened.state().pending, 1, 'the queued inputs survive a restart');
    await server.restart();
    assert.equal(await reopened.flush(), 1);
    assert.equal(reopened.state().pending, 0);
    assert.equal(reopened.state().failed, 0);
    const inputs = (await remote.getRun(runId)).inputs?.datasetInputs ?? [];
    assert.equal(inputs.length, 1);
    assert.deepEqual(inputs[0]?.dataset, datasets[0]?.dataset);
    assert.deepEqual(new Set(inputs[0]?.tags.map((t) => `${t.key}=${t.value}`)), new Set(['mlflow.data.context=input', 'labbook.data.found=observed']));

    // Inputs for a run the server does not know are refused for good: set aside and kept, the rest ships.
    reopened.logInputs('0123456789abcdef0123456789abcdef', datasets);
    reopened.setTag(runId, { key: 'after', value: 'refused-inputs' });
    assert.equal(await reopened.flush(), 1);
    const [failure] = reopened.failures();
    assert.equal(failure?.operation.op, 'logInputs');
    assert.deepEqual(failure?.operation.op === 'logInputs' ? failure.operation.datasets : undefined, datasets);
    assert.ok((await remote.getRun(runId)).data.tags.some((t) => t.key === 'after' && t.value === 'refused-inputs'));
    reopened.close();
  });

  it('ships an exact duplicate metric point once', async () => {
    const remote = new RestTrackingStore({ baseUrl: server.url, timeoutMs: 5000, retry: { maxAttempts: 1 } });
    const experimentId = await remote.createExperiment('duplicate-point');
    const runId = (await remote.createRun({ experimentId, runName: 'once' })).info.runId;
    const outbox = new Outbox(path.join(dir, 'duplicate.db'), remote);
    outbox.logBatch(runId, { metrics: [{ key: 'm', value: 1, timestamp: 1, step: 0 }] });
    outbox.logBatch(runId, { metrics: [{ key: 'm', value: 1, timestamp: 1, step: 0 }] }); // an exact duplicate (a retried flush)
    assert.equal(await outbox.flush(), 2);
    assert.equal((await remote.getMetricHistory(runId, 'm')).length, 1, 'duplicate points are stored once');
    outbox.close();
  });

  it('sets aside an operation the server refuses for good, keeps it, and ships the rest', async () => {
    const remote = new RestTrackingStore({ baseUrl: server.url, timeoutMs: 5000, retry: { maxAttempts: 1 } });
    const outbox = new Outbox(path.join(dir, 'refused.db'), remote);
    outbox.logBatch('0123456789abcdef0123456789abcdef', { metrics: [{ key: 'm', value: 1, timestamp: 1, step: 0 }] });
    const experimentId = await remote.createExperiment('after-refusal');
    const runId = (await remote.createRun({ experimentId })).info.runId;
    outbox.setTag(runId, { key: 'after', value: 'refusal' });
    assert.equal(await outbox.flush(), 1);
    const state = outbox.state();
    assert.equal(state.failed, 1);
    assert.equal(state.pending, 0);
    const [failure] = outbox.failures();
    assert.equal(failure?.operation.op, 'logBatch');
    assert.match(failure?.error ?? '', /0123456789abcdef0123456789abcdef/);
    assert.ok((await remote.getRun(runId)).data.tags.some((t) => t.key === 'after' && t.value === 'refusal'), 'the write after the refused one shipped');
    outbox.close();
  });
});
