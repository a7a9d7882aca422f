// What the sweep engine tests share: a temp folder with a real SQLite store, a queue and sweep
// store on the same file, real queue runners launching real Python trials (printed metric lines,
// no mlflow client: fast), and a bounded wait for a sweep to end.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { queueItemLauncher } from '../../src/cli/queueLaunch.ts';
import { QueueRunner } from '../../src/core/queue/queueRunner.ts';
import { QueueStore } from '../../src/core/queue/queueStore.ts';
import type { LaunchedItem, QueueItem } from '../../src/core/queue/types.ts';
import { SqliteTrackingStore } from '../../src/core/store/sqlite/sqliteTrackingStore.ts';
import type { Run } from '../../src/core/store/types.ts';
import { SweepEngine } from '../../src/core/sweep/sweepEngine.ts';
import { parseSweepFile } from '../../src/core/sweep/sweepFile.ts';
import { SweepStore } from '../../src/core/sweep/sweepStore.ts';
import type { SweepRecord, SweepSpec } from '../../src/core/sweep/types.ts';
import { QUIET_PYTHON_ENV, testPython } from './python.ts';

/** A trial: loss per step, then the objective `score` = (x - 1)² + seed; `--kind bad` fails, `--kind silent` logs no score. */
export const TRIAL_SCRIPT = `
import argparse, os, sys, time
p = argparse.ArgumentParser()
p.add_argument("--x", type=float, default=0.0)
p.add_argument("--kind", default="good")
p.add_argument("--seed", type=int, default=0)
a = p.parse_args()
if a.kind == "bad":
    print("bad kind", file=sys.stderr)
    sys.exit(1)
sleep = float(os.environ.get("TRIAL_SLEEP", "0"))
for step in range(3):
    print(f"labbook: metric loss={(a.x - 1) ** 2 + 1 / (step + 1)} step={step}", flush=True)
    time.sleep(sleep)
if a.kind != "silent":
    print(f"labbook: metric score={(a.x - 1) ** 2 + a.seed}", flush=True)
`;

export function scoreOf(x: number, seed = 0): number {
  return (x - 1) ** 2 + seed;
}

export interface Harness {
  readonly dir: string;
  readonly dbFile: string;
  readonly store: SqliteTrackingStore;
  readonly queue: QueueStore;
  readonly sweeps: SweepStore;
  readonly logs: string[];
  spec(yaml: string): SweepSpec;
  /** A runner + engine pair; `worker.pid` may be a dead pid (a crashed window's). */
  pair(options: { owner: string; workerPid?: number; slots?: number; sweepsNow?: () => number; wrapLaunch?: (launched: LaunchedItem, item: QueueItem) => LaunchedItem }): { engine: SweepEngine; runner: QueueRunner };
  waitForEnd(sweepId: string, engine: SweepEngine, timeoutMs?: number): Promise<SweepRecord>;
  waitFor(what: string, test: () => boolean, engine?: SweepEngine, timeoutMs?: number): Promise<void>;
  runsOf(sweepId: string): Promise<Run[]>;
  close(): Promise<void>;
}

export function harness(): Harness {
  const dir = mkdtempSync(path.join(tmpdir(), 'labbook-sweep-engine-'));
  writeFileSync(path.join(dir, 'trial.py'), TRIAL_SCRIPT);
  const dbFile = path.join(dir, '.labbook', 'tracking.db');
  const store = new SqliteTrackingStore(dbFile);
  const queue = QueueStore.open(dbFile);
  const sweeps = new SweepStore(queue.database);
  const logs: string[] = [];
  const pairs: { engine: SweepEngine; runner: QueueRunner }[] = [];
  const launcher = queueItemLauncher({
    store, trackingUri: 'http://127.0.0.1:9', python: testPython(), owner: 'sweep-test',
    baseEnv: { ...process.env, ...QUIET_PYTHON_ENV }, spoolDir: path.join(dir, 'spool'), cacheDir: path.join(dir, 'cache'),
    observeData: false, profileData: false, stopGraceMs: 2000,
  });

  const h: Harness = {
    dir, dbFile, store, queue, sweeps, logs,
    spec(yaml) {
      const parsed = parseSweepFile(yaml, 'test.yaml');
      if (!parsed.spec) throw new Error(`bad sweep file: ${parsed.problems.map((p) => p.message).join('; ')}`);
      return parsed.spec;
    },
    pair({ owner, workerPid = process.pid, slots = 2, sweepsNow, wrapLaunch }) {
      const holder: { engine?: SweepEngine } = {};
      const runner = new QueueRunner({
        queue, worker: { id: `${owner}-worker`, pid: workerPid }, slots: () => slots, pollMs: 50,
        recoverEveryMs: workerPid === process.pid ? 200 : 0,
        launch: async (item, env) => {
          const launched = await launcher(item, env);
          return wrapLaunch ? wrapLaunch(launched, item) : launched;
        },
        onItemEnded: (item) => holder.engine?.onItemEnded(item),
        log: (line) => logs.push(`[${owner} runner] ${line}`),
      });
      const engine = new SweepEngine({
        queue, sweeps: sweepsNow ? new SweepStore(queue.database, sweepsNow) : sweeps, storeFor: () => store, owner,
        python: testPython, cwd: dir, stopItem: (id, reason) => runner.stopItem(id, reason), log: (line) => logs.push(`[${owner}] ${line}`),
      });
      holder.engine = engine;
      runner.start();
      pairs.push({ engine, runner });
      return { engine, runner };
    },
    async waitFor(what, test, engine, timeoutMs = 90_000) {
      const until = Date.now() + timeoutMs;
      while (!test()) {
        if (Date.now() > until) throw new Error(`timed out waiting for ${what}\n${logs.slice(-30).join('\n')}`);
        await engine?.tick();
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async waitForEnd(sweepId, engine, timeoutMs = 90_000) {
      await h.waitFor(`sweep ${sweepId} to end`, () => sweeps.get(sweepId)?.state !== 'running', engine, timeoutMs);
      return sweeps.get(sweepId) as SweepRecord;
    },
    async runsOf(sweepId) {
      const sweep = sweeps.get(sweepId) as SweepRecord;
      const page = await store.searchRuns({ experimentIds: [sweep.experimentId], filter: `tags."labbook.sweep.id" = '${sweepId}'`, maxResults: 1000 });
      return [...page.items];
    },
    async close() {
      for (const { engine, runner } of pairs) {
        await runner.dispose();
        await engine.dispose();
      }
      await Promise.all(pairs.map(({ runner }) => Promise.race([runner.idle(), new Promise((r) => setTimeout(r, 5000))])));
      queue.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}

export function tagsOf(run: Run): Record<string, string> {
  return Object.fromEntries(run.data.tags.map((t) => [t.key, t.value]));
}
