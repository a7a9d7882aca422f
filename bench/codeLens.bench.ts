// Issue 19's CodeLens benchmark: what the lens of a file asks (fileRunsSummary: how many runs ran
// it, the newest ones, the best by a metric) in a local store of 50,000 runs, 5,000 of them of
// that file, target < 30 ms. The other runs spread over 45 other files, half recorded relative to
// the workspace, half absolute, in two experiments. Timed with a fresh store handle each time (a
// new connection: no prepared statement or page cache of an earlier call).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileRunsSummary } from '../src/core/runsInCode/fileRuns.ts';
import { SqliteTrackingStore } from '../src/core/store/sqlite/sqliteTrackingStore.ts';
import { medianMs, type Benchmark, type BenchResult } from './timing.ts';

const RUNS = Number(process.env.LABBOOK_BENCH_RUNS ?? 50_000);
const OF_FILE = RUNS / 10;
const OTHER_FILES = 45;
const TARGET_MS = 30;
const ROOT = '/work/project';
const FILE = `${ROOT}/src/train.py`;

let dir: string | undefined;
let seeded: Promise<string> | undefined;

function seed(): Promise<string> {
  seeded ??= (async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-bench-codelens-'));
    const file = path.join(dir, 'tracking.db');
    const store = new SqliteTrackingStore(file);
    const second = await store.createExperiment('sweeps');
    const t0 = Date.UTC(2026, 0, 1);
    for (let i = 0; i < RUNS; i++) {
      const ofFile = i % (RUNS / OF_FILE) === 0;
      const other = `src/model_${i % OTHER_FILES}.py`;
      const source = ofFile ? (i % 2 === 0 ? FILE : 'src/train.py') : i % 2 === 0 ? `${ROOT}/${other}` : other;
      const { info } = await store.createRun({ experimentId: i % 3 === 0 ? second : '0', runName: `run-${i}`, startTime: t0 + i * 1000, tags: [{ key: 'mlflow.source.name', value: source }, { key: 'labbook.launch.kind', value: 'script' }] });
      await store.logBatch(info.runId, { metrics: [{ key: 'accuracy', value: (i * 7919) % 10_000 / 10_000, timestamp: t0, step: 0 }, { key: 'loss', value: (i % 97) / 97, timestamp: t0, step: 0 }] });
    }
    await store.close();
    return file;
  })();
  return seeded;
}

export async function dispose(): Promise<void> {
  if (seeded) await seeded.catch(() => undefined);
  if (dir) rmSync(dir, { recursive: true, force: true });
  seeded = undefined;
  dir = undefined;
}

function report(ms: number, detail: string): BenchResult {
  return { oursMs: ms, target: `< ${TARGET_MS} ms (a fresh store handle each time; ${detail})`, met: ms < TARGET_MS };
}

export const benchmarks: Benchmark[] = [
  {
    name: `codeLens: runs of one file (${OF_FILE / 1000}k of ${RUNS / 1000}k runs): count, newest 5, best accuracy`,
    async run() {
      const file = await seed();
      let found = '';
      const ms = await medianMs(async () => {
        const store = new SqliteTrackingStore(file);
        try {
          const summary = await fileRunsSummary(store, { root: ROOT, file: FILE }, { metric: 'accuracy' });
          if (summary.count !== OF_FILE || !summary.best || summary.recent.length !== 5) throw new Error(`wrong summary: ${summary.count} runs, best ${String(summary.best?.value)}`);
          found = `${summary.count} runs, best ${summary.best.value}`;
        } finally {
          await store.close();
        }
      });
      return report(ms, found);
    },
  },
];
