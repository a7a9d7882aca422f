// The proof: two OS processes claim from one queue file at the same time, and no item is
// ever taken twice nor lost.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { QueueStore } from '../../../src/core/queue/queueStore.ts';
import { launchOf } from './queueTestSupport.ts';

const worker = path.resolve(import.meta.dirname, '..', '..', 'fixtures', 'node', 'queueClaimWorker.ts');

interface Claimer {
  readonly ready: Promise<void>;
  /** Its first item claimed and finished. */
  readonly first: Promise<void>;
  readonly done: Promise<{ code: number | null; stdout: string; stderr: string }>;
  go(): void;
  proceed(): void;
}

function startClaimer(file: string, id: string): Claimer {
  const child = spawn(process.execPath, [worker, file, id], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let markReady: () => void = () => undefined;
  let markFirst: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const first = new Promise<void>((resolve) => (markFirst = resolve));
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (stderr.includes('ready')) markReady();
    if (stderr.includes('first')) markFirst();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      markReady();
      markFirst();
      resolve({ code, stdout, stderr });
    });
  });
  return { ready, first, done, go: () => child.stdin.write('go\n'), proceed: () => child.stdin.end('continue\n') };
}

describe('core/queue: two processes claiming from one file', function () {
  this.timeout(120_000);

  it('claims each of 1,000 items exactly once, none lost', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'labbook-queue-claims-'));
    const file = path.join(dir, 'tracking.db');
    const queue = QueueStore.open(file);
    try {
      const total = 1000;
      const ids = new Set<number>();
      queue.database.transaction(() => {
        for (let i = 0; i < total; i++) ids.add(queue.enqueue(launchOf(`item${i}`)).itemId);
      })();
      assert.equal(ids.size, total);
      const claimers = [startClaimer(file, 'w1'), startClaimer(file, 'w2')];
      await Promise.all(claimers.map((c) => c.ready));
      for (const c of claimers) c.go();
      // Both hold an item before either goes on: from here they claim side by side, whichever the
      // machine runs first (under load one process alone could otherwise drain the queue).
      await Promise.all(claimers.map((c) => c.first));
      for (const c of claimers) c.proceed();
      const results = await Promise.all(claimers.map((c) => c.done));
      for (const r of results) assert.equal(r.code, 0, r.stderr);
      const [first, second] = results.map((r) => JSON.parse(r.stdout) as number[]) as [number[], number[]];
      const all = [...first, ...second];
      assert.equal(all.length, total, 'no item claimed twice, none left out');
      assert.deepEqual(new Set(all), ids);
      // The file agrees: each item ran once, by the worker that reported it.
      const byWorker = new Map<string, Set<number>>([['w1', new Set(first)], ['w2', new Set(second)]]);
      for (const item of queue.list()) {
        assert.equal(item.state, 'finished');
        assert.equal(item.attempts, 1);
        assert.ok(byWorker.get(item.workerId ?? '')?.has(item.itemId), `item ${item.itemId} by ${item.workerId}`);
        assert.equal(item.runId, `run-${item.workerId}-${item.itemId}`);
      }
      assert.equal(queue.claim({ id: 'late', pid: process.pid }), undefined);
    } finally {
      queue.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
