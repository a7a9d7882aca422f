// The durable queue over a real SQLite file: order, moves, pause, per-sweep parallelism, cancel,
// retry, dead-worker recovery and durability across a close and reopen.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { isProcessAlive } from '../../../src/core/launch/processes.ts';
import { QueueStore } from '../../../src/core/queue/queueStore.ts';
import type { QueueWorker } from '../../../src/core/queue/types.ts';
import { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';
import { addSweep, deadPid, launchOf } from './queueTestSupport.ts';

const me: QueueWorker = { id: 'test-worker', pid: process.pid };

function queuedLabels(queue: QueueStore): string[] {
  return queue.list({ states: ['queued'] }).map((item) => item.label);
}

describe('core/queue: QueueStore', () => {
  let dir: string;
  let file: string;
  let queue: QueueStore;
  let clock: number;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-queue-'));
    file = path.join(dir, 'tracking.db');
    clock = 1_000;
    queue = QueueStore.open(file, {}, () => clock++);
  });
  afterEach(() => {
    queue.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('enqueues in order, keeps the launch as given, and claims first-in first-out', () => {
    const a = queue.enqueue(launchOf('a'));
    queue.enqueue(launchOf('b'), { label: 'second' });
    queue.enqueue(launchOf('c'), { front: true });
    assert.deepEqual(a.launch, launchOf('a'));
    assert.equal(a.state, 'queued');
    assert.equal(a.attempts, 0);
    assert.deepEqual(queuedLabels(queue), ['c', 'a', 'second']);
    const claimed = queue.claim(me);
    assert.equal(claimed?.label, 'c');
    assert.equal(claimed.state, 'running');
    assert.equal(claimed.workerId, 'test-worker');
    assert.equal(claimed.workerPid, process.pid);
    assert.equal(claimed.attempts, 1);
    assert.deepEqual(queue.counts(), { queued: 2, running: 1, finished: 0, failed: 0, killed: 0, pruned: 0, cancelled: 0 });
  });

  it('moves items up, down, to the top and to the bottom', () => {
    const ids = ['a', 'b', 'c', 'd'].map((n) => queue.enqueue(launchOf(n)).itemId);
    const [a, b, c, d] = ids as [number, number, number, number];
    queue.move(c, 'up');
    assert.deepEqual(queuedLabels(queue), ['a', 'c', 'b', 'd']);
    queue.move(a, 'down');
    assert.deepEqual(queuedLabels(queue), ['c', 'a', 'b', 'd']);
    queue.move(d, 'top');
    assert.deepEqual(queuedLabels(queue), ['d', 'c', 'a', 'b']);
    queue.move(d, 'bottom');
    assert.deepEqual(queuedLabels(queue), ['c', 'a', 'b', 'd']);
    queue.move(c, 'up'); // already first: nothing changes
    queue.move(d, 'down');
    assert.deepEqual(queuedLabels(queue), ['c', 'a', 'b', 'd']);
    queue.claim(me);
    assert.throws(() => queue.move(c, 'down'), /only queued items move/);
    assert.throws(() => queue.move(9999, 'up'), /No queue item 9999/);
    assert.equal(queue.claim(me)?.itemId, a);
    assert.equal(queue.claim(me)?.itemId, b);
  });

  it('keeps the queue order the same as a plain list under any enqueue/move/cancel/retry sequence', () => {
    type Op = { kind: 'enqueue'; front: boolean } | { kind: 'move'; index: number; where: 'up' | 'down' | 'top' | 'bottom' } | { kind: 'cancel'; index: number } | { kind: 'retry' };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant('enqueue' as const), front: fc.boolean() }),
      fc.record({ kind: fc.constant('move' as const), index: fc.nat(20), where: fc.constantFrom('up' as const, 'down' as const, 'top' as const, 'bottom' as const) }),
      fc.record({ kind: fc.constant('cancel' as const), index: fc.nat(20) }),
      fc.record({ kind: fc.constant('retry' as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const store = QueueStore.open(':memory:');
        try {
          let model: number[] = [];
          const cancelled: number[] = [];
          for (const o of ops) {
            if (o.kind === 'enqueue') {
              const id = store.enqueue(launchOf('x'), { front: o.front }).itemId;
              model = o.front ? [id, ...model] : [...model, id];
            } else if (o.kind === 'retry') {
              const id = cancelled.pop();
              if (id === undefined) continue;
              store.retry(id);
              model = [id, ...model];
            } else if (model.length > 0) {
              const i = o.index % model.length;
              const id = model[i] ?? -1;
              if (o.kind === 'cancel') {
                store.cancel(id);
                model.splice(i, 1);
                cancelled.push(id);
                continue;
              }
              store.move(id, o.where);
              model.splice(i, 1);
              const to = o.where === 'top' ? 0 : o.where === 'bottom' ? model.length : o.where === 'up' ? Math.max(0, i - 1) : Math.min(model.length, i + 1);
              model.splice(to, 0, id);
            }
          }
          assert.deepEqual(store.list({ states: ['queued'] }).map((item) => item.itemId), model);
        } finally {
          store.close();
        }
      }),
      { numRuns: 60 },
    );
  });

  it('claims nothing while paused, except run-now items, which also go first', () => {
    const a = queue.enqueue(launchOf('a'));
    const b = queue.enqueue(launchOf('b'));
    queue.setPaused(true);
    assert.equal(queue.isPaused(), true);
    assert.equal(queue.hasClaimable(), false);
    assert.equal(queue.claim(me), undefined);
    queue.runNow(b.itemId);
    assert.equal(queue.hasClaimable({ runNowOnly: true }), true);
    const claimed = queue.claim(me, { runNowOnly: true });
    assert.equal(claimed?.itemId, b.itemId);
    assert.equal(claimed.runNow, true);
    assert.equal(queue.claim(me), undefined);
    queue.setPaused(false);
    assert.equal(queue.claim(me, { runNowOnly: true }), undefined, 'a is not a run-now item');
    assert.equal(queue.claim(me)?.itemId, a.itemId);
    assert.throws(() => queue.runNow(a.itemId), /is running, not queued/);
  });

  it('runs at most a sweep\'s parallelism of its items at once, counting every worker', () => {
    addSweep(queue, 's1', 2);
    const trials = [0, 1, 2, 3].map((n) => queue.enqueue(launchOf(`t${n}`), { sweepId: 's1', trialNumber: n, seed: 7 }));
    const single = queue.enqueue(launchOf('single'));
    const other: QueueWorker = { id: 'other-window', pid: process.pid };
    assert.equal(queue.claim(me)?.itemId, trials[0]?.itemId);
    assert.equal(queue.claim(other)?.itemId, trials[1]?.itemId);
    // The sweep is at its cap: the next claim skips its trials and takes the plain item.
    assert.equal(queue.claim(me)?.itemId, single.itemId);
    assert.equal(queue.claim(me), undefined);
    queue.finish(trials[0]?.itemId ?? -1, { state: 'finished' });
    const next = queue.claim(other);
    assert.ok(next);
    assert.equal(next.itemId, trials[2]?.itemId);
    assert.equal(next.trialNumber, 2);
    assert.equal(next.seed, 7);
    assert.equal(next.sweepId, 's1');
    assert.deepEqual(queue.counts('s1'), { queued: 1, running: 2, finished: 1, failed: 0, killed: 0, pruned: 0, cancelled: 0 });
    assert.equal(queue.list({ sweepId: 's1' }).length, 4);
  });

  it('cancels a queued item at once and asks a running one to stop', () => {
    const queued = queue.enqueue(launchOf('queued'));
    const running = queue.enqueue(launchOf('running'), { front: true });
    assert.equal(queue.claim(me)?.itemId, running.itemId);
    const cancelled = queue.cancel(queued.itemId);
    assert.equal(cancelled.state, 'cancelled');
    assert.ok(cancelled.endedAt !== undefined);
    const asked = queue.cancel(running.itemId);
    assert.equal(asked.state, 'running');
    assert.equal(asked.stopRequested, 'cancelled');
    queue.requestStop(running.itemId, 'pruned');
    assert.equal(queue.get(running.itemId)?.stopRequested, 'cancelled', 'the first reason wins');
    // The run was killed by its worker: the item records why it was stopped.
    assert.equal(queue.finish(running.itemId, { state: 'killed' }).state, 'cancelled');
    assert.equal(queue.finish(running.itemId, { state: 'failed' }).state, 'cancelled', 'an ended item keeps its first ending');
    const pruned = queue.enqueue(launchOf('pruned'));
    queue.requestStop(pruned.itemId, 'pruned');
    assert.equal(queue.get(pruned.itemId)?.state, 'pruned');
  });

  it('retries an ended item at the front, as the same item, noting the previous run', () => {
    const a = queue.enqueue(launchOf('a'));
    queue.enqueue(launchOf('b'));
    queue.claim(me);
    queue.started(a.itemId, 'run-aaa', 4242, '1');
    const started = queue.get(a.itemId);
    assert.equal(started?.runId, 'run-aaa');
    assert.equal(started.runPid, 4242);
    assert.equal(started.gpu, '1');
    assert.throws(() => queue.retry(a.itemId), /still running/);
    queue.finish(a.itemId, { state: 'failed', error: 'exit code 1' });
    const retried = queue.retry(a.itemId);
    assert.equal(retried.itemId, a.itemId);
    assert.equal(retried.state, 'queued');
    assert.equal(retried.runId, undefined);
    assert.equal(retried.gpu, undefined);
    assert.equal(retried.error, 'retried; previous run run-aaa');
    assert.deepEqual(queuedLabels(queue), ['a', 'b']);
    const again = queue.claim(me);
    assert.equal(again?.itemId, a.itemId);
    assert.equal(again.attempts, 2);
  });

  it('lists queued items in order, then running, then ended ones newest first', () => {
    const ids = ['a', 'b', 'c', 'd', 'e'].map((n) => queue.enqueue(launchOf(n)).itemId);
    queue.claim(me); // a
    queue.claim(me); // b
    queue.finish(ids[0] ?? -1, { state: 'finished' });
    queue.claim(me); // c
    queue.finish(ids[2] ?? -1, { state: 'failed' });
    assert.deepEqual(queue.list().map((i) => i.label), ['d', 'e', 'b', 'c', 'a']);
    assert.deepEqual(queue.list({ limit: 2 }).map((i) => i.label), ['d', 'e']);
    assert.deepEqual(queue.list({ states: ['finished', 'failed'] }).map((i) => i.label), ['c', 'a']);
    assert.deepEqual(queue.list({ states: [] }), []);
  });

  it('ends as killed the running items of a worker whose process died, and only those', async () => {
    const dead = await deadPid();
    assert.equal(isProcessAlive(dead), false);
    const a = queue.enqueue(launchOf('a'));
    const b = queue.enqueue(launchOf('b'));
    const c = queue.enqueue(launchOf('c'));
    queue.enqueue(launchOf('d'));
    queue.claim({ id: 'gone', pid: dead });
    queue.claim({ id: 'parent', pid: process.ppid });
    queue.claim(me);
    const seen: number[] = [];
    const recovered = queue.recoverDeadWorkers((pid) => {
      seen.push(pid);
      return isProcessAlive(pid);
    });
    assert.deepEqual(recovered.map((i) => i.itemId), [a.itemId]);
    assert.equal(recovered[0]?.state, 'killed');
    assert.equal(recovered[0]?.error, `its worker (pid ${dead}) died`);
    assert.ok(!seen.includes(process.pid), 'this process is never asked about');
    assert.equal(queue.get(b.itemId)?.state, 'running');
    assert.equal(queue.get(c.itemId)?.state, 'running');
    // The freed slot lets the queue go on, and the dead item can be retried.
    assert.equal(queue.claim(me)?.label, 'd');
    assert.equal(queue.retry(a.itemId).state, 'queued');
    // A failing liveness check never kills an item.
    assert.deepEqual(queue.recoverDeadWorkers(() => { throw new Error('no ps'); }), []);
  });

  it('survives a close and reopen, and shares the file with the tracking store', async () => {
    const tracking = new SqliteTrackingStore(file);
    try {
      addSweep(queue, 's', 3);
      const a = queue.enqueue(launchOf('a'), { sweepId: 's', trialNumber: 0 });
      const b = queue.enqueue(launchOf('b'));
      queue.claim(me);
      queue.started(a.itemId, 'run-1', undefined);
      queue.setPaused(true);
      const before = queue.list();
      const token = queue.changeToken();
      await tracking.createExperiment('other writer');
      assert.notEqual(queue.changeToken(), token, 'any write to the file changes the token');
      queue.close();
      queue = QueueStore.open(file);
      assert.deepEqual(queue.list(), before);
      assert.equal(queue.isPaused(), true);
      assert.equal(queue.get(b.itemId)?.state, 'queued');
      assert.equal(queue.get(a.itemId)?.runId, 'run-1');
      const quiet = queue.changeToken();
      assert.equal(queue.claim(me), undefined);
      assert.equal(queue.changeToken(), quiet, 'an empty claim changes nothing');
    } finally {
      await tracking.close();
    }
  });
});
