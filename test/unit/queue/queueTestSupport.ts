// Shared by the queue tests: launches, sweeps rows, a dead pid, and a launch function that spawns
// real short processes (not a mock: the runner sees real pids, real exits and real kills).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { QueueStore } from '../../../src/core/queue/queueStore.ts';
import type { LaunchedItem, QueueItem, QueueLaunch } from '../../../src/core/queue/types.ts';

export function launchOf(name: string, cwd = '/tmp'): QueueLaunch {
  return { kind: 'script', file: `${name}.py`, cwd, experimentName: 'queue-tests', runName: name, args: ['--lr', '0.1'], tags: { who: name } };
}

/** A sweeps row, written directly: the queue only reads its parallelism. */
export function addSweep(queue: QueueStore, sweepId: string, parallelism: number): void {
  queue.database
    .prepare(`INSERT INTO sweeps (sweep_id, name, spec, state, parallelism, created_at) VALUES (?, ?, '{}', 'running', ?, 0)`)
    .run(sweepId, sweepId, parallelism);
}

/** A pid that belongs to no process: the one of a child that has exited. */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  const pid = child.pid;
  await new Promise<void>((resolve) => child.on('exit', () => resolve()));
  assert.ok(pid !== undefined);
  return pid;
}

export interface LaunchRecord {
  readonly itemId: number;
  readonly env: Readonly<Record<string, string>>;
  readonly concurrent: number;
}

/**
 * A launch function running `node -e <code>` per item (code from the item's args[0], else a
 * short sleep) that records each launch and the highest number running at once.
 */
export function processLauncher(): {
  launch: (item: QueueItem, env: Readonly<Record<string, string>>) => Promise<LaunchedItem>;
  records: LaunchRecord[];
  maxConcurrent: () => number;
  live: () => number;
} {
  let live = 0;
  let max = 0;
  const records: LaunchRecord[] = [];
  const launch = (item: QueueItem, env: Readonly<Record<string, string>>): Promise<LaunchedItem> => {
    const code = item.launch.args?.[0] ?? 'setTimeout(() => {}, 50)';
    const child = spawn(process.execPath, ['-e', code], { stdio: 'ignore', env: { ...process.env, ...env } });
    live++;
    max = Math.max(max, live);
    records.push({ itemId: item.itemId, env, concurrent: live });
    const safety = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const done = new Promise<{ status: 'FINISHED' | 'FAILED' | 'KILLED'; error?: string }>((resolve) => {
      child.on('exit', (exitCode, signal) => {
        clearTimeout(safety);
        live--;
        if (signal) resolve({ status: 'KILLED', error: `stopped by ${signal}` });
        else if (exitCode === 0) resolve({ status: 'FINISHED' });
        else resolve({ status: 'FAILED', error: `exit code ${exitCode}` });
      });
    });
    return Promise.resolve({
      runId: `run-${item.itemId}-${item.attempts}`,
      pid: child.pid,
      done,
      stop: async () => {
        child.kill('SIGTERM');
        await done;
      },
    });
  };
  return { launch, records, maxConcurrent: () => max, live: () => live };
}
