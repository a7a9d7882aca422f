// The local store's Runs Table reads against references computed the slow way: a multi-key sort
// (each key joined once per run) against the MLflow search evaluator over every run in memory, and
// a filter counted once for all its sorts, again after the store changed.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { compareRuns, runMatches } from '../../../src/core/mlflow/searchEval.ts';
import { parseOrderBy, parseRunFilter } from '../../../src/core/mlflow/searchFilter.ts';
import { RunsTableModel } from '../../../src/core/runsTable/runsTableModel.ts';
import { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';
import type { TrackingReader } from '../../../src/core/store/trackingStore.ts';
import type { Run, SearchRunsQuery } from '../../../src/core/store/types.ts';

const RUNS = 120;

describe('core/runsTable: the local store\'s sorted pages and counts against references', function () {
  this.timeout(120_000);
  let dir: string;
  let store: SqliteTrackingStore;
  let experimentId: string;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-runs-table-queries-'));
    store = new SqliteTrackingStore(path.join(dir, 'tracking.db'));
    experimentId = await store.createExperiment('sorted');
    for (let i = 0; i < RUNS; i++) {
      // Ties (few distinct values), missing keys and equal start times, so every tie-break is used.
      const run = await store.createRun({ experimentId, runName: `r${i}`, startTime: 1_700_000_000_000 + (i % 40) * 1000 });
      await store.logBatch(run.info.runId, {
        params: [...(i % 7 === 0 ? [] : [{ key: 'lr', value: String((i * 13) % 5) }]), { key: 'model', value: ['rf', 'gbm'][i % 2] as string }],
        metrics: [
          ...(i % 5 === 0 ? [] : [{ key: 'acc', value: ((i * 37) % 11) / 10, timestamp: 1, step: 0 }]),
          { key: 'loss', value: (i * 17) % 9, timestamp: 1, step: 0 },
        ],
        tags: i % 3 === 0 ? [] : [{ key: 'stage', value: ['a', 'b', 'c'][i % 4 % 3] as string }],
      });
    }
  });
  after(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Every run of the experiment, read one by one: the reference's input. */
  async function allRuns(): Promise<Run[]> {
    const out: Run[] = [];
    let pageToken: string | undefined;
    for (let i = 0; i < 100; i++) {
      const page = await store.searchRuns({ experimentIds: [experimentId], maxResults: 50, ...(pageToken ? { pageToken } : {}) });
      out.push(...(await Promise.all(page.items.map((r) => store.getRun(r.info.runId)))));
      pageToken = page.nextPageToken;
      if (!pageToken) break;
    }
    return out;
  }

  const sorts: [string, string[]][] = [
    ['', ['metrics.acc DESC']],
    ['', ['params.lr ASC', 'metrics.loss DESC']],
    ["params.model = 'rf'", ['tags.stage DESC', 'params.lr DESC', 'metrics.acc ASC']],
    ['metrics.loss < 6', ['metrics.loss ASC', 'tags.stage ASC', 'attributes.run_name DESC']],
  ];
  for (const [filter, orderBy] of sorts) {
    it(`orders every run by ${orderBy.join(', ')}${filter ? ` under ${filter}` : ''} as the MLflow evaluator does, across pages and at any offset`, async () => {
      const clauses = filter ? parseRunFilter(filter) : [];
      const expected = (await allRuns())
        .filter((r) => runMatches(r, clauses))
        .sort(compareRuns(orderBy.map(parseOrderBy)))
        .map((r) => r.info.runName);
      assert.ok(expected.length > 20);
      const query: SearchRunsQuery = { experimentIds: [experimentId], orderBy, ...(filter ? { filter } : {}) };
      const paged: string[] = [];
      let pageToken: string | undefined;
      for (let i = 0; i < 100; i++) {
        const page = await store.searchRuns({ ...query, maxResults: 17, ...(pageToken ? { pageToken } : {}) });
        paged.push(...page.items.map((r) => r.info.runName));
        pageToken = page.nextPageToken;
        if (!pageToken) break;
      }
      assert.deepEqual(paged, expected);
      assert.deepEqual((await store.searchRunsAt(query, 9, 13)).map((r) => r.info.runName), expected.slice(9, 22));
      assert.equal(await store.countRuns(query), expected.length);
    });
  }

  /** The store, counting the calls of one of its methods. */
  function counting(method: 'countRuns' | 'groupAggregates'): { reader: TrackingReader; calls: () => number } {
    let calls = 0;
    const reader = new Proxy(store, {
      get(target, property, receiver) {
        const value: unknown = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        const bound = (value as (...args: unknown[]) => unknown).bind(target);
        return property === method ? (...args: unknown[]) => (calls++, bound(...args)) : bound;
      },
    }) as TrackingReader;
    return { reader, calls: () => calls };
  }

  it('counts a filter once for all its sorts, and again after the store changed', async () => {
    const { reader, calls } = counting('countRuns');
    const model = new RunsTableModel(reader, [experimentId], { storeId: 'local', storeLabel: 'Local' });
    const schema = await model.schema();
    const filter = "params.model = 'gbm'";
    const before = calls();
    const totals: (number | null)[] = [];
    for (const sort of [[{ columnId: 'metrics.acc', descending: true }], [{ columnId: 'metrics.loss', descending: false }], []]) {
      totals.push((await model.setView({ ...schema.view, filter, sort })).total);
      await model.rows({ offset: 0, limit: 10, columnIds: ['attributes.run_name', 'metrics.acc'] });
    }
    assert.deepEqual(totals, [RUNS / 2, RUNS / 2, RUNS / 2]);
    assert.equal(calls() - before, 1, 'one count for three sorts of one filter');
    // A new gbm run: the refreshed model counts again and sees it.
    const run = await store.createRun({ experimentId, runName: 'late', startTime: 1 });
    await store.logParam(run.info.runId, 'model', 'gbm');
    await model.refresh();
    assert.equal((await model.setView({ ...model.view, filter, sort: [] })).total, RUNS / 2 + 1);
  });

  it('aggregates a grouped view once for all its sorts, and again after the store changed', async () => {
    const { reader, calls } = counting('groupAggregates');
    const model = new RunsTableModel(reader, [experimentId], { storeId: 'local', storeLabel: 'Local' });
    const schema = await model.schema();
    const answers = [];
    for (const sort of [[{ columnId: 'metrics.acc', descending: true }], [{ columnId: 'params.lr', descending: false }]]) {
      await model.setView({ ...schema.view, groupBy: ['params.model'], sort });
      answers.push(await model.groups());
    }
    assert.equal(calls(), 1, 'one aggregation for two sorts of one grouping');
    assert.deepEqual(answers[1], answers[0]);
    // The page's way: the columns on screen, then one scrolled into view, then a new sort: each column is aggregated once.
    const paged = counting('groupAggregates');
    const onScreen = new RunsTableModel(paged.reader, [experimentId], { storeId: 'local', storeLabel: 'Local' });
    await onScreen.setView({ ...(await onScreen.schema()).view, groupBy: ['params.model'] });
    const acc = await onScreen.groups(['metrics.acc']);
    const loss = await onScreen.groups(['metrics.loss']);
    assert.equal(paged.calls(), 2);
    await onScreen.setView({ ...onScreen.view, sort: [{ columnId: 'params.lr', descending: true }] });
    const both = await onScreen.groups(['metrics.acc', 'metrics.loss']);
    assert.equal(paged.calls(), 2, 'both columns were aggregated before: the new sort asks the store nothing');
    assert.deepEqual(both, answers[0]?.map((g) => ({ ...g, metrics: { 'metrics.acc': g.metrics['metrics.acc'], 'metrics.loss': g.metrics['metrics.loss'] } })));
    assert.deepEqual(acc.map((g) => Object.keys(g.metrics)), acc.map(() => ['metrics.acc']));
    assert.deepEqual(loss.map((g) => [g.key, g.count]), both.map((g) => [g.key, g.count]));
    const gbm = (await model.groups()).find((g) => g.key[0] === 'gbm');
    // A new gbm run with a loss above every other: the refreshed model aggregates again.
    const run = await store.createRun({ experimentId, runName: 'later', startTime: 2 });
    await store.logBatch(run.info.runId, { params: [{ key: 'model', value: 'gbm' }], metrics: [{ key: 'loss', value: 100, timestamp: 1, step: 0 }] });
    await model.refresh();
    const after = (await model.groups()).find((g) => g.key[0] === 'gbm');
    assert.equal(calls(), 2);
    assert.equal(after?.count, (gbm?.count ?? 0) + 1);
    assert.equal(after?.metrics['metrics.loss']?.max, 100);
  });
});
