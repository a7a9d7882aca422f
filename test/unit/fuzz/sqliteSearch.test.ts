// The local store's search compiled to SQL (one query, or the matching runs first and then their
// sort keys when a filter meets a sorted key) against MLflow's own evaluator over the same runs:
// random filters and order_by, read page by page, must give the same runs in the same order.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { searchRunsInMemory } from '../../../src/core/store/inMemorySearch.ts';
import { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';
import type { Run, SearchRunsQuery } from '../../../src/core/store/types.ts';
import { checkAsyncProperty, fuzzRuns, fuzzTitle } from './fuzzing.ts';

const RUNS = 40;
const CLAUSES = [
  'metrics.rmse < 0.5', 'metrics.rmse >= 0.3', 'metrics.acc > 0.2', 'metrics.acc IS NULL', 'metrics.acc IS NOT NULL',
  "params.model = 'rf'", "params.model != 'gbm'", "params.model IN ('rf', 'linear')", "params.depth LIKE '1%'", 'params.depth IS NULL',
  "tags.stage = 'prod'", "tags.stage IN ('prod', 'dev')", "tags.stage ILIKE 'DEV'", "attributes.status = 'FINISHED'", "attributes.run_name LIKE 'run-1%'",
];
const ORDERS = [
  'metrics.rmse ASC', 'metrics.rmse DESC', 'metrics.acc ASC', 'metrics.acc DESC', 'params.model ASC', 'params.depth DESC',
  'tags.stage DESC', 'attributes.start_time ASC', 'attributes.run_name DESC', 'attributes.status ASC',
];

const queries = fc.record({
  clauses: fc.subarray(CLAUSES, { maxLength: 3 }),
  orderBy: fc.subarray(ORDERS, { maxLength: 2 }),
  pageSize: fc.integer({ min: 1, max: 45 }),
});

/** Every page of the search, in order, as run ids (a bounded walk). */
async function paged(read: (query: SearchRunsQuery) => Promise<{ items: readonly Run[]; nextPageToken?: string }>, query: SearchRunsQuery): Promise<string[]> {
  const out: string[] = [];
  let token: string | undefined;
  for (let pages = 0; pages <= RUNS; pages++) {
    const page = await read({ ...query, ...(token ? { pageToken: token } : {}) });
    out.push(...page.items.map((r) => r.info.runId));
    token = page.nextPageToken;
    if (!token) return out;
  }
  throw new Error('the search did not end');
}

describe('store (fuzz): the SQL search pages as MLflow evaluates', () => {
  let dir: string;
  let store: SqliteTrackingStore;
  let experimentId: string;
  let runs: Run[];

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-sqlite-search-'));
    store = new SqliteTrackingStore(path.join(dir, 'tracking.db'));
    experimentId = await store.createExperiment('fuzz');
    // Ties on purpose (few distinct values, equal start times), and keys some runs lack.
    for (let i = 0; i < RUNS; i++) {
      const { info } = await store.createRun({ experimentId, runName: `run-${i}`, startTime: 1000 + (i % 7) });
      await store.logBatch(info.runId, {
        metrics: [
          ...(i % 6 === 5 ? [] : [{ key: 'rmse', value: (i % 9) / 10, timestamp: 1, step: 0 }]),
          ...(i % 3 === 0 ? [] : [{ key: 'acc', value: (i % 4) / 4, timestamp: 1, step: 0 }]),
        ],
        params: [{ key: 'model', value: ['rf', 'gbm', 'linear'][i % 3] ?? 'rf' }, ...(i % 5 === 0 ? [] : [{ key: 'depth', value: String(i % 13) }])],
        tags: i % 4 === 3 ? [] : [{ key: 'stage', value: i % 2 ? 'prod' : 'dev' }],
      });
      if (i % 2 === 0) await store.updateRun(info.runId, { status: 'FINISHED', endTime: 2000 + i });
    }
    runs = (await store.searchRuns({ experimentIds: [experimentId], maxResults: 1000 })).items.slice();
    assert.equal(runs.length, RUNS);
  });

  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const cases = fuzzRuns(150);
  it(fuzzTitle('a filter with a sort gives the evaluator’s runs, in its order, across pages', cases), async () => {
    let filteredAndSorted = 0;
    await checkAsyncProperty(queries, cases, async ({ clauses, orderBy, pageSize }) => {
      const query: SearchRunsQuery = { experimentIds: [experimentId], filter: clauses.join(' AND '), orderBy, maxResults: pageSize };
      if (clauses.length > 0 && orderBy.some((o) => !o.startsWith('attributes.'))) filteredAndSorted++;
      const expected = await paged((q) => Promise.resolve(searchRunsInMemory(runs, q)), query);
      const actual = await paged((q) => store.searchRuns(q), query);
      assert.deepEqual(actual, expected, `${query.filter} ORDER BY ${orderBy.join(', ')} (pages of ${pageSize})`);
    });
    // The two-step query (a filter meeting a sorted key) was tried, not only the one-query shape.
    assert.ok(filteredAndSorted > cases / 4, `only ${filteredAndSorted} cases filtered and sorted by a key`);
  });
});
