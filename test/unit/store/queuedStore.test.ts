import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TrackingError } from '../../../src/core/store/errors.ts';
import { Outbox } from '../../../src/core/store/outbox.ts';
import { queuedWrites } from '../../../src/core/store/queuedStore.ts';
import { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';
import type { TrackingStore } from '../../../src/core/store/trackingStore.ts';

/** A real store standing in for the server, which can be "unreachable" for writes. */
function flaky(store: SqliteTrackingStore): { remote: TrackingStore; setDown(down: boolean): void } {
  let down = false;
  const failing = new Set(['logBatch', 'setTag', 'updateRun', 'getRun', 'searchRuns']);
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

describe('remote writes through the outbox (queuedWrites)', () => {
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
    const store = queuedWrites(remote, outbox);
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
    const store = queuedWrites(remote, outbox, { onFlushError: (e) => errors.push(e) });
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
    const store = queuedWrites(remote, outbox);
    const result = await store.updateRun('no-such-run', { status: 'FINISHED', endTime: 1 });
    assert.equal(result.state, 'refused');
    assert.ok(result.state === 'refused' && result.reason.length > 0 && result.runId === 'no-such-run', JSON.stringify(result));
    assert.equal(outbox.state().failed, 1);
  });

  it('passes reads and artifacts straight to the server', async () => {
    const { remote } = flaky(server);
    outbox = new Outbox(path.join(dir, 'outbox.db'), remote);
    const store = queuedWrites(remote, outbox);
    const run = await store.createRun({ experimentId: '0' });
    await store.writeArtifact(run.info.runId, 'a.txt', new TextEncoder().encode('hi'));
    assert.equal(new TextDecoder().decode(await server.readArtifact(run.info.runId, 'a.txt')), 'hi');
    assert.equal(store.description, server.description);
    assert.equal((await store.getRun(run.info.runId)).info.runId, run.info.runId);
  });
});
