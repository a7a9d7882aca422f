// The runner over a real queue file, launching real processes: slots, GPUs, pause and run-now,
// stops asked for from another connection, failed launches, and items whose worker died.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { QueueRunner, type QueueRunnerOptions } from '../../../src/core/queue/queueRunner.ts';
import { QueueStore } from '../../../src/core/queue/queueStore.ts';
import type { QueueItem } from '../../../src/core/queue/types.ts';
import { deadPid, launchOf, processLauncher } from './queueTestSupport.ts';

const LONG = 'setTimeout(() => {}, 60000)';

/** Waits (bounded) until `check` holds, polling; fails with `what` otherwise. */
async function until(what: string, check: () => boolean, limitMs = 30_000): Promise<void> {
  for (const end = Date.now() + limitMs; !check(); ) {
    if (Date.now() > end) assert.fail(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('core/queue: QueueRunner', function () {
  this.timeout(60_000);
  let dir: string;
  let file: string;
  let queue: QueueStore;
  let runner: QueueRunner | undefined;
  let logs: string[];

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-queue-runner-'));
    file = path.join(dir, 'tracking.db');
    queue = QueueStore.open(file);
    logs = [];
  });
  afterEach(async () => {
    await runner?.dispose();
    runner = undefined;
    queue.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function startRunner(options: Partial<QueueRunnerOptions> & Pick<QueueRunnerOptions, 'launch'>): QueueRunner {
    runner = new QueueRunner({ queue, worker: { id: `test-${process.pid}`, pid: process.pid }, slots: () => 2, pollMs: 20, log: (l) => logs.push(l), ...options });
    runner.start();
    return runner;
  }

  it('runs every item, never more than its slots at once, and records each run', async () => {
    const launcher = processLauncher();
    const ended: QueueItem[] = [];
    const items = Array.from({ length: 8 }, (_, i) => queue.enqueue(launchOf(`job${i}`, dir), { label: `job${i}` }));
    for (const item of items) assert.equal(item.state, 'queued');
    // Give each a real program through its args: a short sleep.
    queue.database.prepare(`UPDATE queue_items SET launch = json_set(launch, '$.args', json_array('setTimeout(() => {}, 50)'))`).run();
    const r = startRunner({ launch: launcher.launch, slots: () => 3, onItemEnded: (item) => void ended.push(item) });
    await r.idle();
    assert.equal(launcher.maxConcurrent(), 3, 'the first poll fills all 3 slots, and no more');
    assert.equal(launcher.records.length, 8);
    assert.ok(launcher.records.every((rec) => rec.concurrent <= 3));
    assert.deepEqual(queue.counts().finished, 8);
    assert.deepEqual(ended.map((i) => i.itemId).sort((a, b) => a - b), items.map((i) => i.itemId));
    for (const item of queue.list()) {
      assert.equal(item.state, 'finished');
      assert.equal(item.runId, `run-${item.itemId}-1`);
      assert.ok(item.runPid !== undefined && item.runPid > 0);
    }
    assert.deepEqual(r.running(), []);
    assert.deepEqual(logs, []);
  });

  it('gives each running item a GPU of its own, and runs no more items than GPUs', async () => {
    const launcher = processLauncher();
    for (let i = 0; i < 6; i++) queue.enqueue({ ...launchOf(`g${i}`), args: ['setTimeout(() => {}, 30)'] });
    const r = startRunner({ launch: launcher.launch, slots: () => 8, gpus: ['0', '1'] });
    await r.idle();
    assert.equal(launcher.maxConcurrent(), 2);
    assert.ok(launcher.records.every((rec) => rec.env['CUDA_VISIBLE_DEVICES'] === '0' || rec.env['CUDA_VISIBLE_DEVICES'] === '1'));
    // The first two launches ran together: on different GPUs.
    assert.notEqual(launcher.records[0]?.env['CUDA_VISIBLE_DEVICES'], launcher.records[1]?.env['CUDA_VISIBLE_DEVICES']);
    assert.deepEqual(new Set(queue.list().map((i) => i.gpu)), new Set(['0', '1']));
  });

  it('starts nothing while paused but a run-now item, and goes on after resume', async () => {
    const launcher = processLauncher();
    const a = queue.enqueue({ ...launchOf('a'), args: ['setTimeout(() => {}, 20)'] });
    const b = queue.enqueue({ ...launchOf('b'), args: ['setTimeout(() => {}, 20)'] });
    queue.setPaused(true);
    const r = startRunner({ launch: launcher.launch, slots: () => 1 });
    await r.idle();
    assert.equal(launcher.records.length, 0);
    queue.runNow(b.itemId);
    r.kick();
    await until('b has run', () => queue.get(b.itemId)?.state === 'finished');
    assert.equal(queue.get(a.itemId)?.state, 'queued');
    queue.setPaused(false);
    r.kick();
    await until('a has run', () => queue.get(a.itemId)?.state === 'finished');
    assert.deepEqual(launcher.records.map((rec) => rec.itemId), [b.itemId, a.itemId]);
  });

  it('stops a running item cancelled from another connection, and one stopped through the runner', async () => {
    const launcher = processLauncher();
    const a = queue.enqueue({ ...launchOf('a'), args: [LONG] });
    const b = queue.enqueue({ ...launchOf('b'), args: [LONG] });
    const ended: QueueItem[] = [];
    const r = startRunner({ launch: launcher.launch, onItemEnded: (item) => void ended.push(item) });
    await until('both run', () => queue.get(a.itemId)?.runId !== undefined && queue.get(b.itemId)?.runId !== undefined);
    // Another window (its own connection to the file) cancels a.
    const other = QueueStore.open(file);
    try {
      assert.equal(other.cancel(a.itemId).stopRequested, 'cancelled');
    } finally {
      other.close();
    }
    await r.stopItem(b.itemId, 'pruned');
    await r.idle();
    assert.equal(queue.get(a.itemId)?.state, 'cancelled');
    assert.equal(queue.get(b.itemId)?.state, 'pruned');
    assert.equal(launcher.live(), 0, 'both processes were stopped');
    assert.deepEqual(ended.map((i) => i.state).sort(), ['cancelled', 'pruned']);
  });

  it('marks failed an item whose launch throws or whose run fails, and goes on', async () => {
    const launcher = processLauncher();
    const bad = queue.enqueue(launchOf('bad'));
    const failing = queue.enqueue({ ...launchOf('failing'), args: ['process.exit(3)'] });
    const good = queue.enqueue({ ...launchOf('good'), args: ['0'] });
    const r = startRunner({
      launch: (item, env) => (item.itemId === bad.itemId ? Promise.reject(new Error('no interpreter selected')) : launcher.launch(item, env)),
      slots: () => 1,
    });
    await r.idle();
    const badItem = queue.get(bad.itemId);
    assert.equal(badItem?.state, 'failed');
    assert.equal(badItem.error, 'Could not start: no interpreter selected');
    assert.equal(queue.get(failing.itemId)?.state, 'failed');
    assert.equal(queue.get(failing.itemId)?.error, 'exit code 3');
    assert.equal(queue.get(good.itemId)?.state, 'finished');
  });

  it('recovers the items of a dead worker and hands them to onItemEnded', async () => {
    const launcher = processLauncher();
    const orphan = queue.enqueue(launchOf('orphan'));
    queue.claim({ id: 'crashed-cli', pid: await deadPid() });
    const ended: QueueItem[] = [];
    const r = startRunner({ launch: launcher.launch, recoverEveryMs: 1, onItemEnded: (item) => void ended.push(item) });
    await until('the orphan is recovered', () => ended.length > 0);
    await r.idle();
    assert.equal(ended[0]?.itemId, orphan.itemId);
    assert.equal(ended[0]?.state, 'killed');
    assert.match(ended[0]?.error ?? '', /its worker \(pid \d+\) died/);
    assert.equal(launcher.records.length, 0);
  });

  it('stops its run and records nothing when its claim was taken away while it launched', async () => {
    const launcher = processLauncher();
    const item = queue.enqueue({ ...launchOf('slow-launch'), args: [LONG] });
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const ended: QueueItem[] = [];
    startRunner({
      worker: { id: 'stalled', pid: process.pid, host: 'stalled-host' },
      recoverEveryMs: 0,
      launch: async (claimed, env) => {
        await gate;
        return launcher.launch(claimed, env);
      },
      onItemEnded: (i) => void ended.push(i),
    });
    await until('the item is claimed', () => queue.get(item.itemId)?.state === 'running');
    // Judged dead on its host, retried and claimed by another worker while it was launching.
    assert.equal(queue.recoverDeadWorkers(() => false, { host: 'stalled-host' }).length, 1);
    queue.retry(item.itemId);
    assert.equal(queue.claim({ id: 'other', pid: process.pid })?.itemId, item.itemId);
    const before = queue.get(item.itemId);
    open();
    await until('its run was started and stopped', () => launcher.records.length === 1 && launcher.live() === 0);
    await until('its end was handled', () => logs.some((l) => /not recorded as/.test(l)));
    assert.deepEqual(queue.get(item.itemId), before, 'the other worker’s claim is untouched');
    assert.deepEqual(ended, []);
    assert.ok(logs.some((l) => /no longer this worker's claim; stopping its run/.test(l)));
  });

  it('keeps a CLI process alive while it awaits idle(), until every item ran', () => {
    const script = path.resolve(import.meta.dirname, '..', '..', 'fixtures', 'node', 'queueIdleWorker.ts');
    const result = spawnSync(process.execPath, [script, path.join(dir, 'cli.db'), '4'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(result.status, 0, result.stderr);
    assert.equal((JSON.parse(result.stdout) as { finished: number }).finished, 4, 'the process did not exit before the queue was done');
  });

  it('waits in idle() for an end handler that queues the next item (as a sweep does)', async () => {
    const launcher = processLauncher();
    queue.enqueue({ ...launchOf('first'), args: ['0'] });
    let chained = 0;
    const r = startRunner({
      launch: launcher.launch,
      onItemEnded: async () => {
        await new Promise((resolve) => setTimeout(resolve, 30));
        if (chained++ < 3) queue.enqueue({ ...launchOf(`next${chained}`), args: ['0'] });
      },
    });
    await r.idle();
    assert.equal(launcher.records.length, 4);
    assert.equal(queue.counts().finished, 4);
  });
});
