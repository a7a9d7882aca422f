// The outbox against a real `mlflow server`: the server stops mid-stream, logging goes on, the
// server comes back, and every point arrives exactly once.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Outbox, OUTBOX_ID_TAG } from '../../src/core/store/outbox.ts';
import { RestTrackingStore } from '../../src/core/store/restStore.ts';
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
    const ref = outbox.createRun({ experimentId, runName: 'through-an-outage' });
    outbox.logBatch(ref, { params: [{ key: 'lr', value: '0.1' }] });
    const batch = (from: number) => ({ metrics: Array.from({ length: 100 }, (_, i) => ({ key: 'loss', value: 1 / (from + i + 1), timestamp: 1_700_000_000_000 + from + i, step: from + i })) });

    for (let b = 0; b < 10; b++) outbox.logBatch(ref, batch(b * 100));
    assert.equal(await outbox.flush(), 12);
    assert.equal(outbox.state().pending, 0);

    await server.stop();
    for (let b = 10; b < 20; b++) outbox.logBatch(ref, batch(b * 100));
    outbox.setTag(ref, { key: 'phase', value: 'offline' });
    outbox.updateRun(ref, { status: 'FINISHED', endTime: 1_700_000_009_999 });
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

    const runId = reopened.remoteRunId(ref) ?? '';
    const history = await remote.getMetricHistory(runId, 'loss');
    assert.equal(history.length, 2000);
    assert.deepEqual(history.map((m) => m.step), Array.from({ length: 2000 }, (_, i) => i));
    const run = await remote.getRun(runId);
    assert.equal(run.info.status, 'FINISHED');
    assert.ok(run.data.tags.some((t) => t.key === 'phase' && t.value === 'offline'));
    assert.ok(run.data.tags.some((t) => t.key === OUTBOX_ID_TAG && t.value === ref));
    assert.equal((await remote.searchRuns({ experimentIds: [experimentId] })).items.length, 1, 'the run was created once');
    reopened.close();
  });

  it('does not create a run twice when its creation reached the server but the answer was lost', async () => {
    const remote = new RestTrackingStore({ baseUrl: server.url, timeoutMs: 5000, retry: { maxAttempts: 1 } });
    const experimentId = await remote.createExperiment('lost-answer');
    const outbox = new Outbox(path.join(dir, 'lost.db'), remote);
    const ref = outbox.createRun({ experimentId, runName: 'once' });
    // Simulate the lost answer: the run exists remotely with the outbox tag, but the outbox never heard.
    await remote.createRun({ experimentId, runName: 'once', tags: [{ key: OUTBOX_ID_TAG, value: ref }] });
    outbox.logBatch(ref, { metrics: [{ key: 'm', value: 1, timestamp: 1, step: 0 }] });
    outbox.logBatch(ref, { metrics: [{ key: 'm', value: 1, timestamp: 1, step: 0 }] }); // an exact duplicate
    assert.equal(await outbox.flush(), 3);
    const runs = (await remote.searchRuns({ experimentIds: [experimentId] })).items;
    assert.equal(runs.length, 1);
    assert.equal((await remote.getMetricHistory(runs[0]?.info.runId ?? '', 'm')).length, 1, 'duplicate points are stored once');
    outbox.close();
  });

  it('sets aside an operation the server refuses for good, keeps it, and ships the rest', async () => {
    const remote = new RestTrackingStore({ baseUrl: server.url, timeoutMs: 5000, retry: { maxAttempts: 1 } });
    const outbox = new Outbox(path.join(dir, 'refused.db'), remote);
    outbox.logBatch('0123456789abcdef0123456789abcdef', { metrics: [{ key: 'm', value: 1, timestamp: 1, step: 0 }] });
    const experimentId = await remote.createExperiment('after-refusal');
    const ref = outbox.createRun({ experimentId });
    assert.equal(await outbox.flush(), 1);
    const state = outbox.state();
    assert.equal(state.failed, 1);
    assert.equal(state.pending, 0);
    const [failure] = outbox.failures();
    assert.equal(failure?.operation.op, 'logBatch');
    assert.match(failure?.error ?? '', /0123456789abcdef0123456789abcdef/);
    assert.ok(outbox.remoteRunId(ref));
    outbox.close();
  });
});
