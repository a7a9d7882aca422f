// The Runs Table's host side (issue 14) at 10,000 runs × 500 columns in the local SQLite store:
// RunsTableModel called exactly as the panel calls it (no webview; bench/runsTable.bench.ts times
// the first paint in Chromium). 200 params (low-cardinality `model` and `optimizer` to group by,
// and `seed`), 250 metrics with 2-step histories, 50 tags.
// Targets (issue 14): first page < 300 ms; sort by a metric + a filter < 100 ms; groups (the
// aggregates of the metric columns on screen, as the page asks) < 300 ms; "differing only" < 300 ms. LABBOOK_BENCH_RUNS_TABLE_DB names a file to keep the seeded store in
// (seeded once, reused by later runs) while profiling.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RunsTableModel } from '../src/core/runsTable/runsTableModel.ts';
import type { TableView } from '../src/core/runsTable/types.ts';
import { SqliteTrackingStore } from '../src/core/store/sqlite/sqliteTrackingStore.ts';
import type { LogBatchInput } from '../src/core/store/types.ts';
import type { Benchmark, BenchResult } from './timing.ts';

const RUNS = Number(process.env.LABBOOK_BENCH_RUNS ?? 10_000);
const COLUMNS = { params: 200, metrics: 250, tags: 50 };
const STEPS = 2;
const REPEAT = 5;
const PAGE = 100;
const FILTER = "params.model = 'rf' and metrics.m_001 < 0.5";
const SORT = 'metrics.m_000';
/** Metric columns a 1400-pixel-wide table shows at once, with the few it draws beyond each edge. */
const ON_SCREEN_METRICS = 20;

const keep = process.env.LABBOOK_BENCH_RUNS_TABLE_DB;
const dir = keep ? undefined : mkdtempSync(path.join(tmpdir(), 'labbook-bench-runs-table-model-'));
const file = keep ?? path.join(dir as string, 'tracking.db');
let seeded: Promise<{ store: SqliteTrackingStore; experimentId: string }> | undefined;

/** Run `i`: a sweep over model × optimizer × seed, every other column varying or constant. */
function runBatch(i: number): Required<Pick<LogBatchInput, 'params' | 'metrics' | 'tags'>> {
  const pad = (k: number) => String(k).padStart(3, '0');
  const params = [
    { key: 'model', value: ['rf', 'gbm', 'linear'][i % 3] as string },
    { key: 'optimizer', value: ['adam', 'sgd'][Math.floor(i / 3) % 2] as string },
    { key: 'seed', value: String(i % 5) },
    // Half the params constant (hidden by "differing only"), half with a few values.
    ...Array.from({ length: COLUMNS.params - 3 }, (_, k) => ({ key: `p_${pad(k)}`, value: k % 2 ? 'fixed' : `v${(i + k) % 7}` })),
  ];
  const metrics = Array.from({ length: COLUMNS.metrics }, (_, k) =>
    Array.from({ length: STEPS }, (_, step) => ({ key: `m_${pad(k)}`, value: (((i + step) * (k + 1)) % 1000) / 1000, timestamp: 1_700_000_000_000 + step, step })),
  ).flat();
  const tags = Array.from({ length: COLUMNS.tags }, (_, k) => ({ key: `t_${pad(k)}`, value: k % 2 ? 'same' : `x${(i + k) % 3}` }));
  return { params, metrics, tags };
}

function seed() {
  seeded ??= (async () => {
    const fresh = !existsSync(file);
    const store = new SqliteTrackingStore(file);
    if (!fresh) return { store, experimentId: (await store.getExperimentByName('wide-sweep'))?.experimentId ?? '1' };
    const experimentId = await store.createExperiment('wide-sweep');
    for (let i = 0; i < RUNS; i++) {
      const run = await store.createRun({ experimentId, runName: `run-${i}`, startTime: 1_700_000_000_000 + i * 1000, status: 'FINISHED' });
      // MLflow's batch limits: 100 params, 1000 entries.
      const { params, metrics, tags } = runBatch(i);
      for (let at = 0; at < params.length; at += 100) await store.logBatch(run.info.runId, { params: params.slice(at, at + 100) });
      await store.logBatch(run.info.runId, { metrics, tags });
    }
    return { store, experimentId };
  })();
  return seeded;
}

/** Median of `repeat` timings of `fn`, each after an untimed `prepare` (a fresh model, caches dropped), one warm-up first. */
async function median<T>(prepare: () => Promise<T>, fn: (prepared: T) => Promise<unknown>, repeat = REPEAT): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i <= repeat; i++) {
    const prepared = await prepare();
    const start = performance.now();
    await fn(prepared);
    if (i > 0) times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? Number.NaN;
}

/** A model whose schema has been read, as the panel has one after the page loaded. */
async function openModel(): Promise<{ model: RunsTableModel; view: TableView; columnIds: string[] }> {
  const { store, experimentId } = await seed();
  const model = new RunsTableModel(store, [experimentId], { storeId: 'local', storeLabel: 'Local store' });
  const schema = await model.schema();
  return { model, view: schema.view, columnIds: schema.view.columns.filter((c) => c.visible).map((c) => c.id) };
}

function report(name: string, ms: number, targetMs: number): BenchResult {
  process.stderr.write(`  ${name}: ${ms.toFixed(1)} ms (target < ${targetMs} ms)\n`);
  return { oursMs: ms, target: `< ${targetMs} ms`, met: ms < targetMs };
}

export const benchmarks: Benchmark[] = [
  {
    name: 'runs table model: schema (columns discovered, count) of 10k runs × 500 columns',
    async run() {
      const { store, experimentId } = await seed();
      const ms = await median(() => Promise.resolve(new RunsTableModel(store, [experimentId], { storeId: 'local', storeLabel: 'Local store' })), (model) => model.schema());
      process.stderr.write(`  schema: ${ms.toFixed(1)} ms\n`);
      return { oursMs: ms, target: 'reported (part of the first page)' };
    },
  },
  {
    name: `runs table model: first page (${PAGE} rows × 500 columns)`,
    async run() {
      const ms = await median(openModel, ({ model, columnIds }) => model.rows({ offset: 0, limit: PAGE, columnIds }));
      return report('first page', ms, 300);
    },
  },
  {
    name: 'runs table model: sort by a metric + a filter (setView, first page)',
    async run() {
      const ms = await median(openModel, async ({ model, view, columnIds }) => {
        const result = await model.setView({ ...view, filter: FILTER, sort: [{ columnId: SORT, descending: true }] });
        if (result.error || !result.total) throw new Error(`the sorted view failed: ${result.error ?? 'no runs'}`);
        await model.rows({ offset: 0, limit: PAGE, columnIds });
      });
      return report('sort + filter', ms, 100);
    },
  },
  ...[['params.model'], ['params.model', 'params.optimizer']].map(
    (groupBy): Benchmark => ({
      name: `runs table model: groups by ${groupBy.join(' and ')} (setView, groups with ${ON_SCREEN_METRICS} on-screen metric columns' aggregates)`,
      async run() {
        const ms = await median(openModel, async ({ model, view, columnIds }) => {
          await model.setView({ ...view, groupBy });
          // The page asks for the metric columns in its window (here a window of metrics only, the most work).
          const groups = await model.groups(columnIds.filter((id) => id.startsWith('metrics.')).slice(0, ON_SCREEN_METRICS));
          if (groups.length !== (groupBy.length === 1 ? 3 : 6)) throw new Error(`expected ${groupBy.length === 1 ? 3 : 6} groups, got ${groups.length}`);
        });
        return report(`groups by ${groupBy.join(', ')}`, ms, 300);
      },
    }),
  ),
  {
    name: 'runs table model: "differing only" (setView with the preset)',
    async run() {
      const ms = await median(openModel, async ({ model, view }) => {
        const result = await model.setView({ ...view, preset: 'differing' });
        if (result.hiddenByPreset.length === 0) throw new Error('"differing only" hid nothing');
      });
      return report('differing only', ms, 300);
    },
  },
];

export async function dispose(): Promise<void> {
  if (seeded) await (await seeded).store.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
}
