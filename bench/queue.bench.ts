// The run queue's own cost per item (claim, launch callback, record, finish, next claim) on top
// of the processes it runs: N runs of a no-op `python -c pass` through a QueueRunner with one
// slot, against the same N spawned one after another in a plain loop (issue 17: the whole queue
// path, tracking included, under 150 ms per trial; this part should be a few ms).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { QueueRunner } from '../src/core/queue/queueRunner.ts';
import { QueueStore } from '../src/core/queue/queueStore.ts';
import type { LaunchedItem } from '../src/core/queue/types.ts';
import { testPython } from '../test/support/python.ts';
import type { Benchmark } from './timing.ts';

const ITEMS = Number(process.env.LABBOOK_BENCH_QUEUE_ITEMS ?? 40);
const TARGET_MS = 150;

function runPass(python: string): { pid: number | undefined; done: Promise<number | null> } {
  const child = spawn(python, ['-S', '-c', 'pass'], { stdio: 'ignore' });
  return { pid: child.pid, done: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
}

async function plainLoop(python: string): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < ITEMS; i++) await runPass(python).done;
  return performance.now() - start;
}

async function throughQueue(python: string): Promise<number> {
  const dir = mkdtempSync(path.join(tmpdir(), 'labbook-bench-queue-'));
  const queue = QueueStore.open(path.join(dir, 'tracking.db'));
  try {
    for (let i = 0; i < ITEMS; i++) queue.enqueue({ kind: 'script', file: 'noop.py', cwd: dir, experimentName: 'bench' });
    const launch = (): Promise<LaunchedItem> => {
      const run = runPass(python);
      return Promise.resolve({
        runId: `run-${run.pid}`,
        pid: run.pid,
        done: run.done.then((code) => ({ status: code === 0 ? ('FINISHED' as const) : ('FAILED' as const) })),
        stop: () => Promise.resolve(),
      });
    };
    const start = performance.now();
    const runner = new QueueRunner({ queue, worker: { id: 'bench', pid: process.pid }, slots: () => 1, launch });
    runner.start();
    await runner.idle();
    const ms = performance.now() - start;
    await runner.dispose();
    if (queue.counts().finished !== ITEMS) throw new Error(`only ${queue.counts().finished} of ${ITEMS} items finished`);
    return ms;
  } finally {
    queue.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export const benchmarks: Benchmark[] = [
  {
    name: `queue: overhead per item over ${ITEMS} no-op python runs, 1 slot`,
    async run() {
      const python = testPython();
      await plainLoop(python); // warm the interpreter's files into the page cache
      const plain = await plainLoop(python);
      const queued = await throughQueue(python);
      const overhead = Math.max(0, (queued - plain) / ITEMS);
      return {
        oursMs: overhead,
        peer: 'plain spawn loop (ms per run)',
        peerMs: plain / ITEMS,
        target: `< ${TARGET_MS} ms per item on top of the script`,
        met: overhead < TARGET_MS,
      };
    },
  },
];
