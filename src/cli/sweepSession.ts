// What `labbook sweep run` holds open while a sweep runs: the local store and its MLflow-compatible
// endpoint (the trials' mlflow clients log through it), the queue and sweep stores on the same
// file, a queue worker in this process and the sweep engine. `follow` ticks the engine until the
// sweep ends, or pauses it when the user presses Ctrl-C. The worker claims only the items of the
// 'cli' pool that belong to the sweep it follows (never the editor's queued runs nor another
// sweep's trials), so the editor's Pause, which holds the editor pool, does not hold it; and the
// engine adopts no sweep on its own (it drives the one it starts or resumes).
import path from 'node:path';
import { nbclientExecutor } from '../core/launch/notebookExecutor.ts';
import { startLocalTrackingServer, type LocalTrackingServer } from '../core/mlflow/server/localTrackingServer.ts';
import { detectGpuSlots } from '../core/queue/gpuSlots.ts';
import { QueueRunner } from '../core/queue/queueRunner.ts';
import { QueueStore } from '../core/queue/queueStore.ts';
import type { SqliteRuntime } from '../core/sqlite/openDatabase.ts';
import { SqliteTrackingStore } from '../core/store/sqlite/sqliteTrackingStore.ts';
import { SweepEngine } from '../core/sweep/sweepEngine.ts';
import { SweepStore } from '../core/sweep/sweepStore.ts';
import type { SweepRecord } from '../core/sweep/types.ts';
import { workspaceRecipe } from '../core/sweep/recipeTrials.ts';
import { queueItemLauncher } from './queueLaunch.ts';

export interface SweepSessionOptions {
  readonly storeFile: string;
  /** Where the sweep's paths are relative to (the trials' working directory). */
  readonly workspace: string;
  readonly python: string;
  readonly workers: number;
  readonly env: NodeJS.ProcessEnv;
  readonly sqliteRuntime?: SqliteRuntime;
  readonly log: (line: string) => void;
  /** How often the engine ticks while following (ms). Default 1000. */
  readonly tickMs?: number;
  /** GPU ids handed out one per trial; default CUDA_VISIBLE_DEVICES, else nvidia-smi's. */
  readonly gpus?: readonly string[];
}

/** The queue pool of `labbook sweep run`'s items (the editor windows' is ''). */
export const CLI_POOL = 'cli';

export interface SweepSession {
  readonly queue: QueueStore;
  readonly sweeps: SweepStore;
  readonly engine: SweepEngine;
  readonly workers: number;
  /** Ticks until the sweep is no longer running; on `signal`, pauses it and waits for its stopped trials. */
  follow(sweepId: string, signal?: AbortSignal): Promise<SweepRecord>;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function openSweepSession(options: SweepSessionOptions): Promise<SweepSession> {
  const store = new SqliteTrackingStore(options.storeFile, { runtime: options.sqliteRuntime ?? {} });
  let server: LocalTrackingServer;
  try {
    server = await startLocalTrackingServer({ store });
  } catch (err) {
    await store.close();
    throw err;
  }
  const queue = QueueStore.open(options.storeFile, options.sqliteRuntime ?? {});
  const sweeps = new SweepStore(queue.database);
  const owner = `cli-${process.pid}`;
  const holder: { engine?: SweepEngine } = {};
  // The sweeps this process follows: its worker claims their items only.
  const followed = new Set<string>();
  const gpus = options.gpus ?? (await detectGpuSlots(options.env));
  const runner = new QueueRunner({
    queue,
    worker: { id: owner, pid: process.pid },
    pools: [CLI_POOL],
    sweepIds: () => [...followed],
    slots: () => options.workers,
    gpus,
    pollMs: 200,
    launch: queueItemLauncher({
      store, trackingUri: server.url, trackingToken: server.token, python: options.python, owner,
      baseEnv: options.env, notebookExecutor: nbclientExecutor(), cacheDir: path.join(path.dirname(options.storeFile), 'cache'),
    }),
    onItemEnded: (item) => holder.engine?.onItemEnded(item),
    log: options.log,
  });
  const engine = new SweepEngine({
    queue, sweeps, owner, python: () => options.python, cwd: options.workspace,
    // Only the local store: a sweep logging elsewhere is the editor's, and is never written here.
    storeFor: (target) => {
      if (target !== '') throw new Error(`this sweep logs to ${target}; labbook sweep run drives sweeps of the local store only`);
      return store;
    },
    pool: CLI_POOL,
    drives: () => false,
    resolveRecipe: (name) => workspaceRecipe(options.workspace, name),
    stopItem: (itemId, reason) => runner.stopItem(itemId, reason),
    onChange: () => runner.kick(),
    log: options.log,
  });
  holder.engine = engine;
  runner.start();

  return {
    queue, sweeps, engine, workers: gpus.length > 0 ? Math.min(options.workers, gpus.length) : options.workers,
    async follow(sweepId, signal) {
      let wake: (() => void) | undefined;
      const onAbort = () => wake?.();
      signal?.addEventListener('abort', onAbort, { once: true });
      followed.add(sweepId);
      runner.kick();
      try {
        for (;;) {
          const sweep = sweeps.get(sweepId);
          if (sweep?.state !== 'running') break;
          if (signal?.aborted) {
            options.log(`pausing sweep ${sweep.name}: stopping its running trials (they run again with --resume)…`);
            await engine.pause(sweepId);
            // Their ends are recorded before the store closes (bounded: a stop escalates to SIGKILL).
            for (let i = 0; i < 600 && runner.running().some((item) => item.sweepId === sweepId); i++) await sleep(100);
            break;
          }
          await engine.tick();
          await new Promise<void>((resolve) => {
            wake = resolve;
            setTimeout(resolve, options.tickMs ?? 1000);
          });
        }
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
      return sweeps.get(sweepId) as SweepRecord;
    },
    async close() {
      await runner.dispose();
      await engine.dispose();
      // Items this worker still runs (a trial whose stop is under way) are recorded before the store closes.
      for (let i = 0; i < 3000 && runner.running().length > 0; i++) await sleep(100);
      await server.close();
      queue.close();
      await store.close();
    },
  };
}
