// Scaling curves (issue 13, part 5), one row per point so the growth reads down the table:
// - search over 1k → 100k runs of one experiment in the local SQLite store, with the explorer's
//   typical filter and order_by (first page of 200). One store holds every size, one experiment per
//   size, built once in a temp dir through the store's batch path (many runs per transaction);
// - log-batch ingest by 1 → 8 writer processes into one SQLite file at the same time: aggregate
//   points/s, with every lost point and every surfaced "database is locked" error counted; either
//   marks the row as missed.
// The notebook diff curve (100 → 3,200 cells) is in notebookDiff.bench.ts, beside its nbdime rows.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteTrackingStore } from '../src/core/store/sqlite/sqliteTrackingStore.ts';
import { syntheticRunBatch } from './fixtures/runBatch.ts';
import { runWriters } from './fixtures/writerProcess.ts';
import { medianMs, type Benchmark, type BenchResult } from './timing.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'labbook-bench-scaling-'));

// --- search ---

const SEARCH_SIZES = [1_000, 3_000, 10_000, 30_000, 100_000];
/** Runs per write transaction while seeding. */
const SEED_CHUNK = 2_000;
let searchStore: Promise<{ store: SqliteTrackingStore; experiments: Map<number, string>; seedMs: number }> | undefined;

function seedSearch() {
  searchStore ??= (async () => {
    const start = performance.now();
    const store = new SqliteTrackingStore(path.join(dir, 'search.db'));
    const experiments = new Map<number, string>();
    for (const size of SEARCH_SIZES) {
      const experimentId = await store.createExperiment(`runs-${size}`);
      experiments.set(size, experimentId);
      for (let from = 0; from < size; from += SEED_CHUNK) {
        const indexes = Array.from({ length: Math.min(SEED_CHUNK, size - from) }, (_, k) => from + k);
        // The store's calls do their work synchronously (the promise is already settled): nested in
        // one transaction, a chunk's runs commit together, then their metrics and params.
        const created = store.transaction(() => indexes.map((i) => store.createRun({ experimentId, runName: `run-${i}`, startTime: 1_700_000_000_000 + i * 1000 })));
        const runs = await Promise.all(created);
        const logged = store.transaction(() =>
          runs.map((run, k) => {
            const i = indexes[k] ?? 0;
            return store.logBatch(run.info.runId, syntheticRunBatch(i, size));
          }),
        );
        await Promise.all(logged);
      }
    }
    return { store, experiments, seedMs: performance.now() - start };
  })();
  return searchStore;
}

function searchSize(size: number): Benchmark {
  return {
    name: `scaling: search ${size.toLocaleString('en')} runs (filter params + metric, order by metric, first 200)`,
    async run(): Promise<BenchResult> {
      const { store, experiments, seedMs } = await seedSearch();
      const query = {
        experimentIds: [experiments.get(size) ?? ''],
        filter: "params.model = 'rf' and metrics.rmse < 0.5",
        orderBy: ['metrics.rmse ASC'],
        maxResults: 200,
      };
      const found = (await store.searchRuns(query)).items.length;
      if (found !== 200) throw new Error(`search over ${size} runs found ${found} runs, expected a full page of 200`);
      const ms = await medianMs(() => store.searchRuns(query), size >= 30_000 ? 3 : 7);
      const seeded = size === SEARCH_SIZES[0] ? `; fixture of ${SEARCH_SIZES.reduce((a, b) => a + b).toLocaleString('en')} runs built in ${(seedMs / 1000).toFixed(1)} s` : '';
      return { oursMs: ms, target: `reported (${(ms / size * 1000).toFixed(1)} µs/run)${seeded}` };
    },
  };
}

// --- concurrent ingest ---

const POINTS_PER_WRITER = 100_000;
const POINTS_PER_BATCH = 1_000;

function concurrentWriters(writers: number): Benchmark {
  return {
    name: `scaling: ingest, ${writers} writer process${writers === 1 ? '' : 'es'} on one store (log-batch of ${POINTS_PER_BATCH} points, ${POINTS_PER_WRITER / 1000}k per writer)`,
    async run(): Promise<BenchResult> {
      const file = path.join(dir, `ingest-${writers}.db`);
      // The store (schema) exists before the writers open it, as the extension's would.
      const owner = new SqliteTrackingStore(file);
      try {
        const reports = await runWriters(Array.from({ length: writers }, (_, i) => [file, String(i), String(POINTS_PER_WRITER), String(POINTS_PER_BATCH)]));
        const ms = Math.max(...reports.map((r) => r.endMs)) - Math.min(...reports.map((r) => r.startMs));
        let stored = 0;
        for (const r of reports) stored += (await owner.getMetricHistory(r.runId, 'loss')).length;
        const expected = writers * POINTS_PER_WRITER;
        const lost = expected - stored;
        const locks = reports.reduce((n, r) => n + r.lockErrors, 0);
        const others = reports.reduce((n, r) => n + r.otherErrors, 0);
        const firstError = reports.find((r) => r.firstError)?.firstError;
        const rate = Math.round(expected / (ms / 1000)).toLocaleString('en');
        return {
          oursMs: ms,
          target: `0 lost, 0 "database is locked" (got ${lost} lost, ${locks} locked${others ? `, ${others} other errors: ${firstError ?? ''}` : ''}); ${rate} points/s for ${expected.toLocaleString('en')} points`,
          met: lost === 0 && locks === 0 && others === 0,
        };
      } finally {
        await owner.close();
      }
    },
  };
}

export const benchmarks: Benchmark[] = [...SEARCH_SIZES.map(searchSize), ...[1, 2, 4, 8].map(concurrentWriters)];

export async function dispose(): Promise<void> {
  if (searchStore) await (await searchStore).store.close();
  rmSync(dir, { recursive: true, force: true });
}
