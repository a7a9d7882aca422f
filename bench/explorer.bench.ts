// The Experiments view's work when an experiment of 10,000 runs is expanded: one store search for
// the page, the arrangement (pins, grouping) and the label/description/tooltip of every run shown —
// everything `getChildren` + `getTreeItem` do apart from constructing VS Code's TreeItem objects.
// Target (issue 5): < 50 ms.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteTrackingStore } from '../src/core/store/sqlite/sqliteTrackingStore.ts';
import type { Run, SearchRunsQuery } from '../src/core/store/types.ts';
import { arrangeRuns, type GroupBy } from '../src/host/trees/runGrouping.ts';
import { runDescription, runTooltipMarkdown } from '../src/host/trees/runFormat.ts';
import { syntheticRunBatch } from './fixtures/runBatch.ts';
import { medianMs, type Benchmark } from './timing.ts';

const RUNS = 10_000;
const dir = mkdtempSync(path.join(tmpdir(), 'labbook-bench-explorer-'));
let seeded: Promise<{ store: SqliteTrackingStore; experimentId: string }> | undefined;

function seed() {
  seeded ??= (async () => {
    const store = new SqliteTrackingStore(path.join(dir, 'tracking.db'));
    const experimentId = await store.createExperiment('ten-thousand');
    for (let i = 0; i < RUNS; i++) {
      const run = await store.createRun({ experimentId, runName: `run-${i}`, startTime: 1_700_000_000_000 + i * 1000 });
      await store.logBatch(run.info.runId, {
        ...syntheticRunBatch(i, RUNS),
        tags: [{ key: 'mlflow.source.git.commit', value: 'abcdef0123456789' }],
      });
      if (i % 2) await store.updateRun(run.info.runId, { status: 'FINISHED', endTime: 1_700_000_000_000 + i * 1000 + 60_000 });
    }
    return { store, experimentId };
  })();
  return seeded;
}

/** What the tree does for one expansion that shows `shown` runs. */
async function expand(store: SqliteTrackingStore, query: SearchRunsQuery, shown: number, groupBy: GroupBy | undefined): Promise<number> {
  const runs: Run[] = [];
  let pageToken: string | undefined;
  do {
    const page = await store.searchRuns({ ...query, maxResults: Math.min(shown - runs.length, 5000), ...(pageToken ? { pageToken } : {}) });
    runs.push(...page.items);
    pageToken = page.nextPageToken;
  } while (pageToken && runs.length < shown);
  const arranged = arrangeRuns(runs, groupBy, new Set([runs[5]?.info.runId ?? '']));
  const now = Date.now();
  let chars = arranged.length;
  for (const run of runs) chars += runDescription(run, ['rmse'], now).length + runTooltipMarkdown(run, now).length;
  return chars;
}

function target(ms: number) {
  return { target: '< 50 ms', met: ms < 50 };
}

export const benchmarks: Benchmark[] = [
  {
    name: 'explorer: children of a 10k-run experiment (first page of 200, newest first)',
    async run() {
      const { store, experimentId } = await seed();
      const ms = await medianMs(() => expand(store, { experimentIds: [experimentId] }, 200, undefined), 9);
      return { oursMs: ms, ...target(ms) };
    },
  },
  {
    name: 'explorer: children of a 10k-run experiment (filtered and sorted by a metric, grouped by param)',
    async run() {
      const { store, experimentId } = await seed();
      const query = { experimentIds: [experimentId], filter: "params.model = 'rf' and metrics.rmse < 0.5", orderBy: ['metrics.rmse ASC'] };
      const ms = await medianMs(() => expand(store, query, 200, { kind: 'param', key: 'lr' }), 9);
      return { oursMs: ms, ...target(ms) };
    },
  },
  {
    name: 'explorer: all 10k runs loaded ("Load more" to the end), formatted',
    async run() {
      const { store, experimentId } = await seed();
      const ms = await medianMs(() => expand(store, { experimentIds: [experimentId] }, RUNS, undefined), 3);
      return { oursMs: ms, target: 'reported (not a target: pages are 200 by default)' };
    },
  },
];

export async function dispose(): Promise<void> {
  if (seeded) await (await seeded).store.close();
  rmSync(dir, { recursive: true, force: true });
}
