// Filter and sort are pushed down to each kind of store: over 2,500 runs read in pages of 1,000,
// the first rows under a sort are the global top, not one page's, and every offset is the one
// the store's own order gives.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startLocalTrackingServer, type LocalTrackingServer } from '../../../src/core/mlflow/server/localTrackingServer.ts';
import { RunsTableModel } from '../../../src/core/runsTable/runsTableModel.ts';
import type { TableView } from '../../../src/core/runsTable/types.ts';
import { RestTrackingStore } from '../../../src/core/store/rest/restStore.ts';
import { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';
import type { TrackingReader } from '../../../src/core/store/trackingStore.ts';
import type { Page, Run, SearchRunsQuery } from '../../../src/core/store/types.ts';
import { logSweep, type SweepRun } from './sweep.ts';

const RUNS = 2500;
const PAGE = 1000;

/** The store as it is, counting the searches the table makes through it. */
function counting(store: TrackingReader): { store: TrackingReader; searches: SearchRunsQuery[] } {
  const searches: SearchRunsQuery[] = [];
  const wrapped = new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'searchRuns') {
        return (query: SearchRunsQuery): Promise<Page<Run>> => {
          searches.push(query);
          return target.searchRuns(query);
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { store: wrapped, searches };
}

describe('core/runsTable: filter and sort pushed down to the store, across pages', function () {
  this.timeout(300_000);
  let dir: string;
  let sqlite: SqliteTrackingStore;
  let server: LocalTrackingServer;
  let rest: RestTrackingStore;
  let experimentId: string;
  let sweep: SweepRun[];

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-runs-table-pushdown-'));
    sqlite = new SqliteTrackingStore(path.join(dir, 'tracking.db'), { user: 'ada' });
    experimentId = await sqlite.createExperiment('big-sweep');
    sweep = await logSweep(sqlite, experimentId, RUNS);
    server = await startLocalTrackingServer({ store: sqlite });
    rest = new RestTrackingStore({ baseUrl: server.url, auth: { kind: 'bearer', token: server.token }, retry: { maxAttempts: 1 } });
  });
  after(async () => {
    await rest?.close();
    await server?.close();
    await sqlite?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const byScoreDesc = (runs: readonly SweepRun[]) => [...runs].sort((a, b) => b.score - a.score).map((r) => r.runId);

  for (const kind of ['local SQLite store', 'MLflow REST store (a real local server)'] as const) {
    describe(kind, () => {
      const open = (pageSize = PAGE) => {
        const base = kind === 'local SQLite store' ? sqlite : rest;
        const { store, searches } = counting(base);
        return { table: new RunsTableModel(store, [experimentId], { storeId: 's', storeLabel: kind, pageSize }), searches };
      };

      it('sorts every run by a metric: the first rows are the global top, and rows across a page boundary follow the store\'s order', async () => {
        const { table } = open();
        const schema = await table.schema();
        const view: TableView = { ...schema.view, sort: [{ columnId: 'metrics.score', descending: true }] };
        assert.equal((await table.setView(view)).error, undefined);
        const want = byScoreDesc(sweep);
        const top = await table.rows({ offset: 0, limit: 20, columnIds: ['metrics.score'] });
        assert.deepEqual(top.rows.map((r) => r.runId), want.slice(0, 20));
        // Newest-first paging would put these anywhere; the store's sort puts them first.
        const newestPage = new Set(sweep.slice(RUNS - PAGE).map((s) => s.runId));
        assert.ok(want.slice(0, 20).some((id) => !newestPage.has(id)), 'some of the top runs are outside the newest page');
        const across = await table.rows({ offset: 990, limit: 30, columnIds: ['metrics.score'] });
        assert.deepEqual(across.rows.map((r) => r.runId), want.slice(990, 1020));
        const tail = await table.rows({ offset: 2490, limit: 50, columnIds: [] });
        assert.deepEqual(tail.rows.map((r) => r.runId), want.slice(2490));
        assert.equal(tail.total, RUNS);
      });

      it('filters in the store: the count and the rows are those of every matching run', async () => {
        const { table, searches } = open();
        const schema = await table.schema();
        const view: TableView = {
          ...schema.view,
          filter: "params.model = 'gbm'",
          quickFilters: [{ columnId: 'metrics.score', kind: 'range', min: 0.25 }],
          sort: [{ columnId: 'params.seed', descending: false }, { columnId: 'metrics.score', descending: true }],
        };
        const result = await table.setView(view);
        assert.equal(result.error, undefined);
        const matching = sweep.filter((s) => s.model === 'gbm' && s.score >= 0.25);
        const want = [...matching].sort((a, b) => a.seed.localeCompare(b.seed) || b.score - a.score).map((r) => r.runId);
        searches.length = 0;
        const page = await table.rows({ offset: 0, limit: 1000, columnIds: ['params.seed'] });
        assert.deepEqual(page.rows.map((r) => r.runId), want);
        if (kind === 'local SQLite store') {
          assert.equal(result.total, matching.length, 'counted in SQL');
        } else {
          // A server's count is known once its search has been walked to the end.
          assert.equal(page.total, matching.length);
          assert.ok(searches.every((q) => q.filter === "params.model = 'gbm' and metrics.score >= 0.25"), JSON.stringify(searches));
          assert.deepEqual(searches[0]?.orderBy, ['params.seed ASC', 'metrics.score DESC']);
        }
      });

      it('groups every matching run, not one page', async () => {
        const { table } = open();
        const schema = await table.schema();
        await table.setView({ ...schema.view, groupBy: ['params.model'] });
        const groups = await table.groups();
        assert.deepEqual(groups.map((g) => [g.key, g.count]), [[['gbm'], 833], [['linear'], 833], [['rf'], 834]]);
        // A metric shown as its history's min is aggregated as that: loss's min is 1 - score.
        const columns = schema.view.columns.map((c) => (c.id === 'metrics.loss' ? { ...c, metricValue: 'min' as const } : c));
        await table.setView({ ...schema.view, filter: "params.seed = '1'", groupBy: ['params.model'], columns });
        const [gbm] = await table.groups();
        const scores = sweep.filter((r) => r.model === 'gbm' && r.seed === '1').map((r) => 1 - r.score);
        const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
        const std = Math.sqrt(scores.reduce((a, b) => a + (b - mean) ** 2, 0) / (scores.length - 1));
        const loss = gbm?.metrics['metrics.loss'];
        assert.ok(loss && Math.abs(loss.mean - mean) < 1e-9 && Math.abs(loss.std - std) < 1e-9, JSON.stringify(loss));
        assert.deepEqual([loss.n, loss.min, loss.max], [scores.length, Math.min(...scores), Math.max(...scores)]);
      });

      it('hides under "differing only" the columns equal in every matching run', async () => {
        const { table } = open();
        const schema = await table.schema();
        const rf = await table.setView({ ...schema.view, preset: 'differing', filter: "params.model = 'rf'" });
        assert.deepEqual(
          [...rf.hiddenByPreset].sort(),
          ['attributes.git_commit', 'attributes.note', 'attributes.source', 'attributes.status', 'attributes.user_id', 'params.model', 'params.optimizer/beta1', 'tags.mlflow.source.name'].sort(),
        );
      });
    });
  }

  it('the REST store is walked forward page by page, its count unknown until the end', async () => {
    const { store, searches } = counting(rest);
    const table = new RunsTableModel(store, [experimentId], { storeId: 's', storeLabel: 'rest', pageSize: PAGE });
    const schema = await table.schema();
    await table.setView({ ...schema.view, sort: [{ columnId: 'metrics.score', descending: false }] });
    searches.length = 0;
    const first = await table.rows({ offset: 0, limit: 10, columnIds: [] });
    assert.equal(first.total, null);
    assert.equal(searches.length, 1);
    const again = await table.rows({ offset: 10, limit: 10, columnIds: [] });
    assert.equal(searches.length, 1, 'a cached page is not read again');
    assert.equal(again.total, null);
    const end = await table.rows({ offset: 2495, limit: 10, columnIds: [] });
    assert.equal(end.rows.length, 5);
    assert.equal(end.total, RUNS);
    assert.deepEqual(searches.map((q) => q.pageToken === undefined), [true, false, false], 'pages 2 and 3 were read with the tokens of the pages before');
    // Windows of one uncached page asked at once share one search.
    await table.setView({ ...schema.view, sort: [{ columnId: 'metrics.score', descending: true }] });
    searches.length = 0;
    await Promise.all(Array.from({ length: 6 }, (_, i) => table.rows({ offset: i * 10, limit: 10, columnIds: [] })));
    assert.equal(searches.length, 1, 'six windows of the first page at once: one search');
  });

  it('tells, for a store that cannot count, when runs came or went (by the first page) and when nothing did', async () => {
    const table = new RunsTableModel(rest, [experimentId], { storeId: 's', storeLabel: 'rest', pageSize: PAGE });
    await table.schema();
    assert.equal(await table.refresh(), undefined, 'nothing changed');
    // Walked to its end (an export does), the count is known: still nothing changed.
    await table.rows({ offset: RUNS - 1, limit: 1, columnIds: [] });
    assert.equal(await table.refresh(), undefined, 'nothing changed after a walk to the end');
    const added = await sqlite.createRun({ experimentId, runName: 'late', startTime: 1_900_000_000_000 });
    try {
      const changed = await table.refresh();
      assert.ok(changed, 'a new run is a change');
      assert.equal(changed.total, null);
    } finally {
      await sqlite.deleteRun(added.info.runId);
    }
  });
});
