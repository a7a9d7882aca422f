// Who may claim and write a queue item, over a real SQLite file: pools and sweeps scope a claim
// (a `labbook sweep run` never takes the editor's items nor another sweep's), the editor's Pause
// holds only its pool, a stale worker's writes after a re-claim change nothing, recovery judges
// only this host's workers, and a dead worker's real run process is stopped on recovery.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { isProcessAlive } from '../../../src/core/launch/processes.ts';
import { QueueStore } from '../../../src/core/queue/queueStore.ts';
import type { QueueWorker } from '../../../src/core/queue/types.ts';
import { addSweep, deadPid, launchOf } from './queueTestSupport.ts';

const editor: QueueWorker = { id: 'editor-window', pid: process.pid };
const cli: QueueWorker = { id: 'cli-worker', pid: process.pid };

describe('core/queue: claim scope, write fencing and recovery', () => {
  let dir: string;
  let queue: QueueStore;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-queue-scope-'));
    // The real clock: recovery compares a run's start with this machine's boot time.
    queue = QueueStore.open(path.join(dir, 'tracking.db'));
  });
  afterEach(() => {
    queue.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a CLI worker claims only its pool and its sweep; the editor claims only its pool; the pause holds the editor pool only', () => {
    addSweep(queue, 'mine', 4);
    addSweep(queue, 'other', 4);
    const editorItem = queue.enqueue(launchOf('queued-in-editor'));
    const otherTrial = queue.enqueue(launchOf('other-sweep'), { sweepId: 'other', trialNumber: 0, pool: 'cli' });
    const myTrial = queue.enqueue(launchOf('my-sweep'), { sweepId: 'mine', trialNumber: 0, pool: 'cli' });
    assert.equal(editorItem.pool, '');
    assert.equal(myTrial.pool, 'cli');
    queue.setPaused(true);
    const scope = { pools: ['cli'], sweepIds: ['mine'] } as const;
    assert.equal(queue.hasClaimable(scope), true, 'the pause is the editor pool’s');
    assert.equal(queue.claim(cli, scope)?.itemId, myTrial.itemId);
    assert.equal(queue.claim(cli, scope), undefined, 'neither the editor’s item nor another sweep’s');
    assert.equal(queue.claim(cli, { pools: ['cli'], sweepIds: [] }), undefined);
    assert.equal(queue.claim(editor), undefined, 'paused, and the CLI pool is not the editor’s');
    queue.setPaused(false);
    assert.equal(queue.claim(editor)?.itemId, editorItem.itemId);
    assert.equal(queue.claim(editor), undefined, 'the other CLI sweep’s trial is not the editor’s');
    assert.equal(queue.get(otherTrial.itemId)?.state, 'queued');
    assert.equal(queue.get(myTrial.itemId)?.workerHost, hostname());
  });

  it('a stale worker’s started/finish after its item was recovered and claimed again change nothing', async () => {
    const a: QueueWorker = { id: 'worker-a', pid: await deadPid() };
    const b: QueueWorker = { id: 'worker-b', pid: process.pid };
    const item = queue.enqueue(launchOf('t'));
    const claimedByA = queue.claim(a);
    assert.ok(claimedByA);
    const fenceA = { workerId: a.id, attempts: claimedByA.attempts };
    // A is judged dead (a pid namespace, a stall…), its item is retried and B takes it.
    assert.deepEqual(queue.recoverDeadWorkers(isProcessAlive).map((i) => i.itemId), [item.itemId]);
    queue.retry(item.itemId);
    const claimedByB = queue.claim(b);
    assert.equal(claimedByB?.workerId, b.id);
    assert.ok(queue.started(item.itemId, 'run-B', undefined, undefined, { workerId: b.id, attempts: claimedByB.attempts }));
    const before = queue.get(item.itemId);

    assert.equal(queue.started(item.itemId, 'run-A', 4242, '0', fenceA), false);
    assert.equal(queue.finish(item.itemId, { state: 'failed', error: 'late' }, fenceA), undefined);
    assert.deepEqual(queue.get(item.itemId), before);
    assert.equal(before?.state, 'running');
    assert.equal(before?.runId, 'run-B');
    // B's own end lands.
    assert.equal(queue.finish(item.itemId, { state: 'finished' }, { workerId: b.id, attempts: claimedByB.attempts })?.state, 'finished');
  });

  it('recovery leaves another host’s items alone, however dead their pid looks here', async () => {
    const dead = await deadPid();
    const item = queue.enqueue(launchOf('remote-worker'));
    queue.claim({ id: 'on-the-build-box', pid: dead, host: 'build-box.example' });
    assert.deepEqual(queue.recoverDeadWorkers(isProcessAlive), []);
    assert.equal(queue.get(item.itemId)?.state, 'running');
    assert.equal(queue.get(item.itemId)?.workerHost, 'build-box.example');
    // On its own host the same item is recovered.
    assert.deepEqual(queue.recoverDeadWorkers(isProcessAlive, { host: 'build-box.example' }).map((i) => i.state), ['killed']);
  });

  it('stops a dead worker’s orphan run process (its group) when it recovers the item', async () => {
    // A real sleeping run, detached as launches are (it leads its own process group).
    const run = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 120000)'], { detached: true, stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => run.on('exit', (_code, signal) => resolve(signal)));
    const safety = setTimeout(() => run.kill('SIGKILL'), 60_000);
    try {
      assert.ok(run.pid !== undefined);
      const item = queue.enqueue(launchOf('orphan'));
      const worker: QueueWorker = { id: 'killed-cli', pid: await deadPid() };
      const claimed = queue.claim(worker);
      assert.ok(claimed);
      assert.ok(queue.started(item.itemId, 'run-orphan', run.pid, undefined, { workerId: worker.id, attempts: claimed.attempts }));
      assert.equal(isProcessAlive(run.pid), true);
      const recovered = queue.recoverDeadWorkers(isProcessAlive);
      assert.deepEqual(recovered.map((i) => [i.itemId, i.state, i.runPid]), [[item.itemId, 'killed', run.pid]]);
      assert.equal(await exited, 'SIGTERM', 'the orphan was terminated, not left running beside its retry');
    } finally {
      clearTimeout(safety);
    }
  });
});
