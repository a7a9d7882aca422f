// The local store answers groups and "differing only" in SQL (per-chunk moments merged in JS,
// one spread query per table). Checked against the same model over the same store with its SQL
// role taken away (the path every other store takes: runs paged into JavaScript), on odd values:
// NaN, ±Infinity, missing keys, one-run groups, runs without the group-by param, and enough
// metric columns that the SQL reads the runs in several chunks.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RunsTableModel } from '../../../src/core/runsTable/runsTableModel.ts';
import type { GroupRow, MetricAggregates, TableView } from '../../../src/core/runsTable/types.ts';
import { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';
import { answersRunTableQueries, type TrackingReader } from '../../../src/core/store/trackingStore.ts';
import type { Metric } from '../../../src/core/store/types.ts';

/** Enough runs × metric columns that the SQL aggregates several chunks of runs (40,000 values a query). */
const RUNS = 230;
const FILLER_METRICS = 400;
const SQL_ROLE = ['runKeys', 'countRuns', 'searchRunsAt', 'metricExtremes', 'columnSpread', 'groupAggregates'];

/** The same store without its SQL answers: the table pages its runs through the search instead. */
function withoutSql(store: SqliteTrackingStore): TrackingReader {
  return new Proxy(store, {
    get(target, property, receiver) {
      if (typeof property === 'string' && SQL_ROLE.includes(property)) return undefined;
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

function assertAggregatesClose(actual: MetricAggregates | undefined, expected: MetricAggregates | undefined, where: string): void {
  if (expected === undefined) {
    assert.equal(actual, undefined, where);
    return;
  }
  assert.ok(actual, `${where}: aggregates expected`);
  assert.equal(actual.n, expected.n, `${where}: n`);
  assert.equal(actual.min, expected.min, `${where}: min`);
  assert.equal(actual.max, expected.max, `${where}: max`);
  const tolerance = 1e-9 * Math.max(1, Math.abs(expected.mean), expected.std);
  assert.ok(Math.abs(actual.mean - expected.mean) <= tolerance, `${where}: mean ${actual.mean} vs ${expected.mean}`);
  assert.ok(Math.abs(actual.std - expected.std) <= tolerance, `${where}: std ${actual.std} vs ${expected.std}`);
}

function assertGroupsEqual(actual: readonly GroupRow[], expected: readonly GroupRow[]): void {
  assert.deepEqual(actual.map((g) => [g.key, g.count]), expected.map((g) => [g.key, g.count]));
  expected.forEach((group, i) => {
    const got = actual[i] as GroupRow;
    assert.deepEqual(Object.keys(got.metrics).sort(), Object.keys(group.metrics).sort(), `columns of group ${JSON.stringify(group.key)}`);
    for (const [column, aggregates] of Object.entries(group.metrics)) assertAggregatesClose(got.metrics[column], aggregates, `${JSON.stringify(group.key)} ${column}`);
  });
}

describe('core/runsTable: groups and "differing only" in SQL match the paged reference', function () {
  this.timeout(300_000);
  let dir: string;
  let store: SqliteTrackingStore;
  let experimentId: string;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-runs-table-sql-'));
    store = new SqliteTrackingStore(path.join(dir, 'tracking.db'));
    experimentId = await store.createExperiment('odd-values');
    for (let i = 0; i < RUNS; i++) {
      const run = await store.createRun({ experimentId, runName: `r${i}`, startTime: 1_700_000_000_000 + i });
      const point = (key: string, value: number, step = 0): Metric => ({ key, value, timestamp: 1_700_000_000_000 + step, step });
      // Large values with a small spread: a naive sum of squares would cancel.
      const big = 1e9 + (i % 7) * 0.001;
      const odd = i % 11 === 0 ? Number.NaN : i % 13 === 0 ? Number.POSITIVE_INFINITY : i % 17 === 0 ? Number.NEGATIVE_INFINITY : i / 10;
      await store.logBatch(run.info.runId, {
        params: [
          // Run 0 has no `model`; run 229 is alone in its group.
          ...(i === 0 ? [] : [{ key: 'model', value: i === RUNS - 1 ? 'solo' : ['rf', 'gbm', 'linear'][i % 3] as string }]),
          { key: 'depth', value: String(2 + (i % 2)) },
          { key: 'fixed', value: 'same' },
          ...(i % 5 === 0 ? [] : [{ key: 'sometimes', value: 'x' }]),
        ],
        metrics: [
          point('big', big),
          point('odd', odd),
          ...(i % 4 === 0 ? [] : [point('partial', Math.sin(i))]),
          point('all_nan', Number.NaN),
          point('all_inf', Number.POSITIVE_INFINITY),
          point('nan_or_one', i % 2 ? Number.NaN : 1),
          // NaN is stored as 0 with a flag: NaN in some runs and 0 in others still differ.
          point('nan_or_zero', i % 2 ? Number.NaN : 0),
          // One value in some runs, none in others: they differ (the value is compared exactly, an infinity too).
          ...(i % 2 ? [point('inf_sometimes', Number.POSITIVE_INFINITY), point('tenth_sometimes', 0.1)] : []),
          point('tenth', 0.1),
          point('const', 3),
          // A history: its min and max differ from its last value; a NaN and an Infinity among the points.
          point('hist', i, 0),
          point('hist', i % 9 === 0 ? Number.NaN : -i, 1),
          point('hist', i % 10 === 0 ? Number.POSITIVE_INFINITY : i / 2, 2),
        ],
        tags: [{ key: 'same_tag', value: 't' }, { key: 'run_tag', value: `t${i % 2}` }],
      });
      // Finished (a running run's duration ticks with the clock), all in the same time.
      await store.updateRun(run.info.runId, { status: 'FINISHED', endTime: 1_700_000_000_000 + i + 500 });
      await store.logBatch(run.info.runId, { metrics: Array.from({ length: FILLER_METRICS }, (_, k) => point(`f_${String(k).padStart(3, '0')}`, ((i + 1) * (k + 3)) % 97)) });
    }
    // Runs the table must not see, with other values of its uniform columns: another
    // experiment's, and a deleted run of this one (each query then tests membership).
    const other = await store.createExperiment('elsewhere');
    for (const [experiment, deleted] of [[other, false], [experimentId, true]] as const) {
      const run = await store.createRun({ experimentId: experiment, runName: deleted ? 'deleted' : 'elsewhere', startTime: 1_600_000_000_000 });
      await store.logBatch(run.info.runId, {
        params: [{ key: 'fixed', value: 'other' }],
        metrics: [{ key: 'const', value: 4, timestamp: 0, step: 0 }, { key: 'all_nan', value: 1, timestamp: 0, step: 0 }],
        tags: [{ key: 'same_tag', value: 'u' }],
      });
      if (deleted) await store.deleteRun(run.info.runId);
    }
  });
  after(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Both models under the same view (hist shown by its min, const by its max, unless every metric shows its last value). */
  async function both(patch: Partial<TableView>, lastOnly = false): Promise<[RunsTableModel, RunsTableModel]> {
    const models: RunsTableModel[] = [];
    for (const reader of [store, withoutSql(store)]) {
      const model = new RunsTableModel(reader, [experimentId], { storeId: 'local', storeLabel: 'Local', pageSize: 64 });
      const schema = await model.schema();
      const columns = lastOnly ? schema.view.columns : schema.view.columns.map((c) => (c.id === 'metrics.hist' ? { ...c, metricValue: 'min' as const } : c.id === 'metrics.const' ? { ...c, metricValue: 'max' as const } : c));
      const result = await model.setView({ ...schema.view, columns, ...patch });
      assert.equal(result.error, undefined);
      models.push(model);
    }
    assert.ok(answersRunTableQueries(store) && !answersRunTableQueries(withoutSql(store)));
    return models as [RunsTableModel, RunsTableModel];
  }

  for (const groupBy of [['params.model'], ['params.model', 'params.depth'], ['tags.run_tag', 'params.sometimes']]) {
    it(`groups by ${groupBy.join(' and ')}: counts, means, stds, mins and maxes equal the reference's`, async () => {
      const [sql, paged] = await both({ groupBy });
      const expected = await paged.groups();
      const actual = await sql.groups();
      assertGroupsEqual(actual, expected);
      // The odd cases are there: a one-run group, a group of runs without the param, NaN and ±Infinity left out.
      if (groupBy.length === 1) {
        assert.deepEqual(actual.find((g) => g.key[0] === 'solo')?.count, 1);
        assert.equal(actual.find((g) => g.key[0] === 'solo')?.metrics['metrics.big']?.std, 0);
        assert.equal(actual.find((g) => g.key[0] === null)?.count, 1);
        assert.equal(actual.some((g) => g.metrics['metrics.all_nan'] || g.metrics['metrics.all_inf']), false);
        const rf = actual.find((g) => g.key[0] === 'rf');
        assert.ok(rf && (rf.metrics['metrics.odd']?.n ?? 0) < rf.count && (rf.metrics['metrics.partial']?.n ?? 0) < rf.count);
        assert.ok((rf.metrics['metrics.big']?.std ?? 0) > 0, 'the small spread of large values survives');
      }
    });
  }

  it('groups with every metric shown by its last value (the plain per-group query) as the reference does', async () => {
    for (const groupBy of [['params.model'], ['params.model', 'params.depth']]) {
      const [sql, paged] = await both({ groupBy }, true);
      assertGroupsEqual(await sql.groups(), await paged.groups());
    }
  });

  it('groups under a filter, aggregating only the metric columns the view shows', async () => {
    const hide = new Set(['metrics.big', 'metrics.f_000']);
    const [sql, paged] = await both({ groupBy: ['params.depth'], filter: "params.model != 'gbm'" });
    for (const model of [sql, paged]) await model.setView({ ...model.view, columns: model.view.columns.map((c) => (hide.has(c.id) ? { ...c, visible: false } : c)) });
    const actual = await sql.groups();
    assertGroupsEqual(actual, await paged.groups());
    assert.equal(actual.length, 2);
    assert.ok(actual.every((g) => !('metrics.big' in g.metrics) && !('metrics.f_000' in g.metrics) && 'metrics.f_001' in g.metrics));
    // The page asks for the columns on screen: those alone, each as in the whole answer; a hidden one asked for is still left out.
    const only = ['metrics.f_001', 'metrics.hist', 'metrics.f_000'];
    const projected = actual.map((g) => ({ ...g, metrics: Object.fromEntries(Object.entries(g.metrics).filter(([id]) => id === 'metrics.f_001' || id === 'metrics.hist')) }));
    for (const model of [sql, paged]) assertGroupsEqual(await model.groups(only), projected);
    // Last values only, few of the 400 keys: the SQL reads them by key seeks, not by each run's key range.
    const few = ['metrics.f_001', 'metrics.f_002', 'metrics.f_399'];
    const fewProjected = actual.map((g) => ({ ...g, metrics: Object.fromEntries(Object.entries(g.metrics).filter(([id]) => few.includes(id))) }));
    assert.ok(fewProjected.every((g) => Object.keys(g.metrics).length === 3));
    for (const model of [sql, paged]) assertGroupsEqual(await model.groups(few), fewProjected);
    assert.ok(actual.some((g) => 'metrics.hist' in g.metrics), 'hist has values in some group');
  });

  for (const filter of ['', "params.model = 'rf'", "params.model = 'solo'"]) {
    it(`"differing only" hides the columns the reference finds constant${filter ? ` (filter ${filter})` : ''}`, async () => {
      const [sql, paged] = await both({ preset: 'differing', filter });
      const expected = [...(await paged.setView(paged.view)).hiddenByPreset].sort();
      const actual = [...(await sql.setView(sql.view)).hiddenByPreset].sort();
      assert.deepEqual(actual, expected);
      // All NaN, all +Infinity, one constant and a max that is the same everywhere are constant;
      // NaN in some runs and 1 in others, a param some runs lack, and a min that varies differ.
      for (const id of ['metrics.all_nan', 'metrics.all_inf', 'params.fixed', 'tags.same_tag', 'metrics.const', 'metrics.tenth']) assert.ok(actual.includes(id), `${id} hidden`);
      if (filter !== "params.model = 'solo'") {
        for (const id of ['metrics.nan_or_one', 'metrics.nan_or_zero', 'metrics.inf_sometimes', 'metrics.tenth_sometimes', 'params.sometimes', 'metrics.hist', 'metrics.partial', 'metrics.big']) assert.ok(!actual.includes(id), `${id} shown`);
      }
    });
  }
});
