// The local store's WAL checkpoints (walCheckpointer.ts): run after the write that needed them,
// never inside it; the WAL stays bounded under sustained writes whether or not the writer yields
// to the event loop; and several processes checkpointing beside each other's commits lose nothing.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteTrackingStore, type SqliteStoreOptions } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';
import type { Metric } from '../../../src/core/store/types.ts';

const worker = path.resolve(import.meta.dirname, '..', '..', 'fixtures', 'node', 'logWorker.ts');
/** A WAL frame: a 4 KB page and its 24-byte header. */
const FRAME_BYTES = 4096 + 24;

function points(start: number, count: number, key = 'loss'): Metric[] {
  return Array.from({ length: count }, (_, i) => ({ key, value: (start + i) / 7, timestamp: 1_700_000_000_000 + start + i, step: start + i }));
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Waits (bounded) until `done()` holds: a checkpoint on the worker answers on a later message. */
async function until(done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.ok(done(), `timed out waiting until ${what}`);
}

describe('core/store: WAL checkpoints off the write path', function () {
  this.timeout(120_000);
  let dir: string;
  let file: string;
  const stores: SqliteTrackingStore[] = [];
  const open = (options: SqliteStoreOptions = {}) => {
    const store = new SqliteTrackingStore(file, options);
    stores.push(store);
    return store;
  };
  const walBytes = () => (existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0);

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-wal-'));
    file = path.join(dir, 'tracking.db');
  });
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('checkpoints on the worker thread after the write has returned', async () => {
    const store = open({ checkpoints: { pages: 1 } });
    const { stats } = store.checkpointer;
    const { info } = await store.createRun({ experimentId: '0' });
    await until(() => stats.checkpoints === 1, 'the run’s checkpoint is done');
    await store.logBatch(info.runId, { metrics: points(0, 1000) });
    // The write is committed and answered; its checkpoint has not run yet.
    assert.equal(stats.checkpoints, 1);
    assert.equal((await store.getMetricHistory(info.runId, 'loss')).length, 1000);
    await until(() => stats.checkpoints === 2, 'the batch’s checkpoint is done');
    assert.equal(stats.onWorker, 2, stats.workerError);
    assert.ok(stats.lastLogFrames > 0, 'the checkpoint saw the batch in the WAL');
    assert.equal(stats.lastCheckpointedFrames, stats.lastLogFrames, 'and copied all of it back');
  });

  it('leaves nothing holding the file once the store is closed: the worker’s connection is closed first', async () => {
    const store = open({ checkpoints: { pages: 1 } });
    const { stats } = store.checkpointer;
    const { info } = await store.createRun({ experimentId: '0' });
    await store.logBatch(info.runId, { metrics: points(0, 1000) });
    await until(() => stats.onWorker >= 1, 'a checkpoint ran on the worker');
    // A checkpoint is on its way to the worker as the store closes.
    await store.logBatch(info.runId, { metrics: points(1000, 1000) });
    await nextTurn();
    await store.close();
    // The last connection to close removes the WAL and its index: that was the store's, not the worker's.
    assert.deepEqual(readdirSync(dir), ['tracking.db']);
    const again = new SqliteTrackingStore(file);
    try {
      assert.equal((await again.getMetricHistory(info.runId, 'loss')).length, 2000);
    } finally {
      await again.close();
    }
  });

  it('checkpoints on this thread, on the next turn, when there is no worker', async () => {
    const store = open({ checkpoints: { pages: 1, worker: false } });
    const { stats } = store.checkpointer;
    const { info } = await store.createRun({ experimentId: '0' });
    await nextTurn();
    assert.equal(stats.checkpoints, 1);
    await store.logBatch(info.runId, { metrics: points(0, 1000) });
    assert.equal(stats.checkpoints, 1);
    await nextTurn();
    assert.equal(stats.checkpoints, 2);
    assert.equal(stats.onWorker, 0);
    assert.ok(stats.lastLogFrames > 0);
    assert.equal(stats.lastCheckpointedFrames, stats.lastLogFrames);
  });

  it('runs checkpoints on this thread when the worker fails, and the store goes on', async () => {
    // A bundle-like folder: the SQLite addon (the same file this process loaded) and a broken worker.
    const bin = path.join(dir, 'dist');
    mkdirSync(bin);
    const addon = path.join(path.dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json')), 'prebuilds', `${process.platform}-${process.arch}.node`);
    symlinkSync(addon, path.join(bin, 'better_sqlite3.node'));
    writeFileSync(path.join(bin, 'walCheckpointWorker.js'), "throw new Error('a broken checkpoint worker');\n");
    const store = open({ runtime: { nativeBinding: path.join(bin, 'better_sqlite3.node') }, checkpoints: { pages: 1 } });
    const { stats } = store.checkpointer;
    const { info } = await store.createRun({ experimentId: '0' });
    await until(() => stats.workerError !== undefined && stats.checkpoints === 1, 'the failed worker’s checkpoint runs here');
    assert.match(stats.workerError ?? '', /a broken checkpoint worker/);
    await store.logBatch(info.runId, { metrics: points(0, 1000) });
    await nextTurn();
    assert.equal(stats.checkpoints, 2);
    assert.equal(stats.onWorker, 0);
    assert.equal(stats.lastCheckpointedFrames, stats.lastLogFrames);
    assert.equal((await store.getMetricHistory(info.runId, 'loss')).length, 1000);
  });

  it('checkpoints once writes pause, so a burst is synced soon after', async () => {
    const store = open({ checkpoints: { idleMs: 5 } });
    const { info } = await store.createRun({ experimentId: '0' });
    await store.logBatch(info.runId, { metrics: points(0, 10) });
    await until(() => store.checkpointer.stats.checkpoints > 0, 'the idle checkpoint is done');
    assert.equal(store.checkpointer.stats.checkpoints, 1);
    assert.ok(store.checkpointer.stats.lastCheckpointedFrames > 0);
  });

  it('keeps the WAL under the page estimate when this thread checkpoints between writes', async () => {
    // A checkpoint after ~2000 estimated pages (~1700 frames); SQLite's own bound is 4096 pages.
    const store = open({ checkpoints: { worker: false } });
    const { info } = await store.createRun({ experimentId: '0' });
    for (let start = 0; start < 200_000; start += 1000) {
      await store.logBatch(info.runId, { metrics: points(start, 1000) });
      await nextTurn();
    }
    assert.ok(store.checkpointer.stats.checkpoints >= 2, `checkpoints: ${store.checkpointer.stats.checkpoints}`);
    // ~25 frames a batch: without the deferred checkpoints the WAL would reach SQLite's bound.
    assert.ok(walBytes() < 3000 * FRAME_BYTES, `WAL ${walBytes()} bytes`);
    assert.equal((await store.getMetricHistory(info.runId, 'loss')).length, 200_000);
  });

  it('checkpoints on the worker while writes go on, the WAL within SQLite’s bound', async () => {
    const store = open();
    const { stats } = store.checkpointer;
    const { info } = await store.createRun({ experimentId: '0' });
    let largest = 0;
    for (let start = 0; start < 300_000; start += 1000) {
      await store.logBatch(info.runId, { metrics: points(start, 1000) });
      await nextTurn();
      largest = Math.max(largest, walBytes());
    }
    await until(() => stats.onWorker >= 2, 'two checkpoints are done on the worker');
    assert.equal(stats.workerError, undefined);
    // SQLite's bound is 4096 pages; a checkpoint still running on the worker when the bound is
    // reached lets the batches committed meanwhile (~25 frames each) pass it, more on a loaded
    // machine (4,337 frames seen once in CI). Without checkpoints 300 batches reach ~7,500 frames.
    assert.ok(largest < (4096 + 1000) * FRAME_BYTES, `WAL reached ${largest} bytes`);
    assert.equal((await store.getMetricHistory(info.runId, 'loss')).length, 300_000);
  });

  it('keeps the WAL bounded when the writer never yields (only SQLite’s own bound can act)', async () => {
    const store = open({ checkpoints: { hardLimitPages: 500 } });
    const { info } = await store.createRun({ experimentId: '0' });
    let largest = 0;
    // Awaiting a store call only runs microtasks: no timer or immediate gets a turn in this loop.
    for (let start = 0; start < 200_000; start += 1000) {
      await store.logBatch(info.runId, { metrics: points(start, 1000) });
      largest = Math.max(largest, walBytes());
    }
    assert.equal(store.checkpointer.stats.checkpoints, 0);
    // The bound plus the one commit that crosses it (~25 frames), never the ~5000 frames written.
    assert.ok(largest < 600 * FRAME_BYTES, `WAL reached ${largest} bytes`);
    assert.equal((await store.getMetricHistory(info.runId, 'loss')).length, 200_000);
  });

  it('loses no point and surfaces no lock error with 4 processes checkpointing after every write', async () => {
    const store = open({ checkpoints: { pages: 1 } });
    const shared = await store.createRun({ experimentId: '0', runName: 'shared' });
    const count = 3000;
    const runs = [0, 1, 2, 3].map(
      (i) =>
        new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
          const child = spawn(process.execPath, [worker, file, String(i), shared.info.runId, String(count), 'checkpoint-every-write'], { stdio: ['ignore', 'pipe', 'pipe'] });
          let stdout = '';
          let stderr = '';
          child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
          child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
          const timer = setTimeout(() => child.kill('SIGKILL'), 100_000);
          child.on('close', (code) => {
            clearTimeout(timer);
            resolve({ code, stdout, stderr });
          });
        }),
    );
    // This process writes and checkpoints too, while they do.
    const mine = await store.createRun({ experimentId: '0', runName: 'main' });
    let written = 0;
    const done = Promise.all(runs);
    for (let finished = false; !finished && written < 100_000; written += 100) {
      await store.logBatch(mine.info.runId, { metrics: points(written, 100) });
      finished = await Promise.race([done.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 1))]);
    }
    const results = await done;
    for (const r of results) {
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stderr, /locked|SQLITE_BUSY/i);
      const checkpoints = Number(/checkpoints=(\d+)/.exec(r.stderr)?.[1] ?? 0);
      assert.ok(checkpoints > 0, `a worker ran no checkpoint: ${r.stderr}`);
      assert.equal((await store.getMetricHistory(r.stdout, 'loss')).length, count);
    }
    for (let i = 0; i < 4; i++) assert.equal((await store.getMetricHistory(shared.info.runId, `w${i}`)).length, count, `worker ${i}`);
    assert.equal((await store.getMetricHistory(mine.info.runId, 'loss')).length, written);
    assert.ok(store.checkpointer.stats.checkpoints > 0);
  });
});
