import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseRunFilter } from '../../../src/core/mlflow/searchFilter.ts';
import { RunsTableModel } from '../../../src/core/runsTable/runsTableModel.ts';
import type { TableView } from '../../../src/core/runsTable/types.ts';
import { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';
import { errorMessage } from '../../../src/shared/errorMessage.ts';
import { logSweep, type SweepRun } from './sweep.ts';

const NOW = 1_800_000_000_000;

describe('core/runsTable: RunsTableModel over the local SQLite store', () => {
  let dir: string;
  let store: SqliteTrackingStore;
  let experimentId: string;
  let sweep: SweepRun[];

  const model = (options: { pageSize?: number; keyMetrics?: string[]; savedView?: TableView } = {}) =>
    new RunsTableModel(store, [experimentId], { storeId: 'local', storeLabel: 'Local', now: () => NOW, ...options });
  const allRows = async (table: RunsTableModel, columnIds: string[]) => (await table.rows({ offset: 0, limit: 1000, columnIds })).rows;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-runs-table-'));
    store = new SqliteTrackingStore(path.join(dir, 'tracking.db'), { user: 'ada' });
    experimentId = await store.createExperiment('sweep');
    sweep = await logSweep(store, experimentId, 25);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('discovers the attribute, param, metric and tag columns of its experiments only, nested keys grouped by prefix', async () => {
    const other = await store.createExperiment('other');
    const stray = await store.createRun({ experimentId: other });
    await store.logParam(stray.info.runId, 'elsewhere', '1');
    const deleted = await store.createRun({ experimentId });
    await store.logParam(deleted.info.runId, 'deleted_only', '1');
    await store.deleteRun(deleted.info.runId);

    const schema = await model().schema();
    const ids = schema.columns.map((c) => c.id);
    assert.deepEqual(ids.slice(0, 8), ['attributes.run_name', 'attributes.status', 'attributes.start_time', 'attributes.duration', 'attributes.user_id', 'attributes.source', 'attributes.git_commit', 'attributes.note']);
    assert.deepEqual(schema.columns.filter((c) => c.kind === 'param').map((c) => c.key), ['model', 'model.depth', 'optimizer/beta1', 'seed']);
    assert.deepEqual(schema.columns.filter((c) => c.kind === 'metric').map((c) => c.key), ['loss', 'score']);
    assert.deepEqual(schema.columns.filter((c) => c.kind === 'tag').map((c) => c.key), ['mlflow.runName', 'mlflow.source.name', 'stage']);
    const byId = new Map(schema.columns.map((c) => [c.id, c]));
    assert.deepEqual(byId.get('params.model.depth'), { id: 'params.model.depth', kind: 'param', key: 'model.depth', group: 'model', label: 'depth', valueType: 'string', searchable: true });
    assert.equal(byId.get('params.optimizer/beta1')?.group, 'optimizer');
    assert.equal(byId.get('tags.mlflow.source.name')?.group, 'mlflow');
    assert.equal(byId.get('attributes.duration')?.searchable, false);
    assert.equal(ids.includes('params.elsewhere'), false, 'another experiment\'s keys are not columns');
    assert.equal(ids.includes('params.deleted_only'), false, 'a deleted run\'s keys are not columns');
    // System tags are offered but hidden until chosen; everything else shows.
    assert.deepEqual(schema.view.columns.filter((c) => !c.visible).map((c) => c.id), ['tags.mlflow.runName', 'tags.mlflow.source.name']);
    assert.equal(schema.total, 25);
    assert.deepEqual(schema.experiments, [{ experimentId, name: 'sweep' }]);
  });

  it('gives each run its attribute cells: git commit short with a dirty mark, duration, source, note', async () => {
    const run = await store.createRun({ experimentId, runName: 'git', startTime: NOW - 5000 });
    await store.logBatch(run.info.runId, {
      tags: [
        { key: 'mlflow.source.git.commit', value: '0123456789abcdef0123' },
        { key: 'labbook.git.dirty', value: 'true' },
        { key: 'mlflow.note.content', value: 'baseline' },
      ],
    });
    const table = model();
    await table.schema();
    const [row] = (await table.rows({ offset: 0, limit: 1, columnIds: ['attributes.git_commit', 'attributes.duration', 'attributes.note', 'attributes.status', 'attributes.source'] })).rows;
    assert.deepEqual(row?.cells, { 'attributes.git_commit': '01234567*', 'attributes.duration': 5000, 'attributes.note': 'baseline', 'attributes.status': 'RUNNING' });
    const finished = (await table.rows({ offset: 1, limit: 1, columnIds: ['attributes.duration', 'attributes.source'] })).rows[0];
    assert.deepEqual(finished?.cells, { 'attributes.duration': 500 + 24, 'attributes.source': 'train.py' });
  });

  it('shows a metric column\'s last, min or max value as chosen', async () => {
    const table = model();
    const schema = await table.schema();
    const view: TableView = { ...schema.view, sort: [{ columnId: 'attributes.run_name', descending: false }], columns: schema.view.columns.map((c) => (c.id === 'metrics.loss' ? { ...c, metricValue: 'min' } : c)) };
    assert.equal((await table.setView(view)).error, undefined);
    const [first] = await allRows(table, ['metrics.loss']);
    const run0 = sweep[0] as SweepRun;
    assert.equal(first?.cells['metrics.loss'], 1 - run0.score);
    await table.setView({ ...view, columns: view.columns.map((c) => (c.id === 'metrics.loss' ? { ...c, metricValue: 'max' } : c)) });
    assert.equal((await allRows(table, ['metrics.loss']))[0]?.cells['metrics.loss'], 2);
  });

  it('refuses (with a clear message) a sort the store cannot do, keeping the view in force', async () => {
    const table = model();
    const schema = await table.schema();
    const byScore: TableView = { ...schema.view, sort: [{ columnId: 'metrics.score', descending: true }] };
    assert.equal((await table.setView(byScore)).error, undefined);
    const duration = await table.setView({ ...byScore, sort: [{ columnId: 'attributes.duration', descending: true }] });
    assert.match(duration.error ?? '', /Cannot sort by "Duration"/);
    const minLoss = await table.setView({
      ...byScore,
      sort: [{ columnId: 'metrics.loss', descending: true }],
      columns: byScore.columns.map((c) => (c.id === 'metrics.loss' ? { ...c, metricValue: 'min' } : c)),
    });
    assert.match(minLoss.error ?? '', /metrics\.loss by its min: the store's search knows a metric's last value only/);
    assert.deepEqual(table.view.sort, byScore.sort, 'the view in force is kept');
    const rows = await allRows(table, ['metrics.score']);
    assert.deepEqual(rows.map((r) => r.cells['metrics.score']), [...sweep.map((s) => s.score)].sort((a, b) => b - a));
  });

  it('reports a bad filter with the same message as the Experiments tree', async () => {
    const table = model();
    const schema = await table.schema();
    const bad = "metrics.score > 0.5 or params.model = 'rf'";
    let expected = '';
    try {
      parseRunFilter(bad);
    } catch (err) {
      expected = errorMessage(err);
    }
    assert.ok(expected.includes('only AND'), expected);
    const result = await table.setView({ ...schema.view, filter: bad });
    assert.equal(result.error, expected);
    assert.equal(result.total, 25);
    assert.equal(table.view.filter, '');
  });

  it('answers a new flat view with its first rows when asked (one round trip), never a grouped or refused one', async () => {
    const table = model();
    const schema = await table.schema();
    const view = { ...schema.view, filter: "params.model = 'rf'", sort: [{ columnId: 'metrics.score', descending: true }] };
    const columnIds = ['attributes.run_name', 'metrics.score'];
    const answer = await table.setViewWithRows(view, { offset: 0, limit: 3, columnIds });
    const want = sweep.filter((s) => s.model === 'rf').sort((a, b) => b.score - a.score).slice(0, 3).map((s) => s.runId);
    assert.deepEqual(answer.page?.rows.map((r) => r.runId), want);
    assert.deepEqual(answer.page, await table.rows({ offset: 0, limit: 3, columnIds }));
    assert.equal(answer.total, answer.page?.total);
    assert.equal((await table.setViewWithRows({ ...view, groupBy: ['params.model'] }, { offset: 0, limit: 3, columnIds })).page, undefined);
    const refused = await table.setViewWithRows({ ...view, filter: 'metrics.score >' }, { offset: 0, limit: 3, columnIds });
    assert.ok(refused.error);
    assert.equal(refused.page, undefined);
    assert.equal((await table.setViewWithRows(view)).page, undefined);
  });

  it('pushes the filter box and quick filters (range, values, status) down to the store', async () => {
    const table = model();
    const schema = await table.schema();
    const expect = async (view: Partial<TableView>, predicate: (s: SweepRun) => boolean) => {
      const result = await table.setView({ ...schema.view, ...view });
      assert.equal(result.error, undefined, JSON.stringify(view));
      const want = sweep.filter(predicate).map((s) => s.runId).sort();
      assert.equal(result.total, want.length, JSON.stringify(view));
      assert.deepEqual((await allRows(table, [])).map((r) => r.runId).sort(), want, JSON.stringify(view));
    };
    await expect({ filter: "params.model = 'rf'" }, (s) => s.model === 'rf');
    await expect({ quickFilters: [{ columnId: 'metrics.score', kind: 'range', min: 0.2, max: 0.6 }] }, (s) => s.score >= 0.2 && s.score <= 0.6);
    await expect({ quickFilters: [{ columnId: 'params.seed', kind: 'values', values: ['1', '3'] }] }, (s) => s.seed === '1' || s.seed === '3');
    await expect(
      { filter: "params.model != 'linear'", quickFilters: [{ columnId: 'params.seed', kind: 'values', values: ["0'"] }] },
      () => false,
    );
    const running = await store.createRun({ experimentId });
    const failed = await store.createRun({ experimentId });
    await store.updateRun(failed.info.runId, { status: 'FAILED' });
    const statuses = await table.setView({ ...schema.view, quickFilters: [{ columnId: 'attributes.status', kind: 'values', values: ['RUNNING', 'FAILED'] }] });
    assert.equal(statuses.total, 2);
    assert.deepEqual((await allRows(table, [])).map((r) => r.runId).sort(), [running.info.runId, failed.info.runId].sort());
    const textRange = await table.setView({ ...schema.view, quickFilters: [{ columnId: 'params.seed', kind: 'range', min: 1 }] });
    assert.match(textRange.error ?? '', /A range filter needs a number column/);
  });

  it('hides, under "differing only", the columns equal in every run matching the filter (not one page)', async () => {
    const table = model({ pageSize: 10 });
    const schema = await table.schema();
    const differing = await table.setView({ ...schema.view, preset: 'differing' });
    assert.deepEqual([...differing.hiddenByPreset].sort(), ['attributes.git_commit', 'attributes.note', 'attributes.source', 'attributes.status', 'attributes.user_id', 'params.optimizer/beta1', 'tags.mlflow.source.name'].sort());
    // Within the rf runs, seed still differs, model does not.
    const rf = await table.setView({ ...schema.view, preset: 'differing', filter: "params.model = 'rf'" });
    assert.ok(rf.hiddenByPreset.includes('params.model'));
    assert.ok(!rf.hiddenByPreset.includes('params.seed'));
    // A value that differs only in the last run, beyond the first page, still shows the column.
    const last = sweep[0] as SweepRun; // oldest: last in the default (newest first) order
    await store.setTag(last.runId, { key: 'mlflow.source.name', value: 'other.py' });
    const fresh = model({ pageSize: 10 });
    const freshSchema = await fresh.schema();
    const after = await fresh.setView({ ...freshSchema.view, preset: 'differing' });
    assert.ok(!after.hiddenByPreset.includes('attributes.source'));
  });

  it('shows, under "key metrics", the run, its times, the group-by columns and the key metrics of the settings', async () => {
    const table = model({ keyMetrics: ['score'] });
    const schema = await table.schema();
    const result = await table.setView({ ...schema.view, preset: 'key', groupBy: ['params.model'] });
    const shown = schema.columns.map((c) => c.id).filter((id) => !result.hiddenByPreset.includes(id));
    assert.deepEqual(shown, ['attributes.run_name', 'attributes.status', 'attributes.start_time', 'attributes.duration', 'params.model', 'metrics.score']);
  });

  it('narrows rows to one group through the store\'s search', async () => {
    const table = model();
    const schema = await table.schema();
    await table.setView({ ...schema.view, groupBy: ['params.model', 'tags.stage'] });
    const page = await table.rows({ offset: 0, limit: 100, columnIds: ['params.model', 'tags.stage'], group: ['gbm', 'tune'] });
    const want = sweep.filter((s) => s.model === 'gbm' && s.i % 2 === 1).map((s) => s.runId);
    assert.equal(page.total, want.length);
    assert.deepEqual(page.rows.map((r) => r.runId).sort(), want.sort());
    const none = await table.rows({ offset: 0, limit: 10, columnIds: [], group: ['gbm', null] });
    assert.equal(none.total, 0);
    const refused = await table.setView({ ...schema.view, groupBy: ['metrics.score'] });
    assert.match(refused.error ?? '', /Group rows by params or tags/);
  });

  it('exports the visible columns of every matching run, in the view\'s order, as CSV', async () => {
    const table = model({ pageSize: 7 });
    const schema = await table.schema();
    const view: TableView = {
      ...schema.view,
      filter: "params.model = 'gbm'",
      sort: [{ columnId: 'metrics.score', descending: false }],
      columns: [
        { id: 'metrics.score', visible: true, pinned: false },
        { id: 'attributes.run_name', visible: true, pinned: true },
        { id: 'attributes.start_time', visible: true, pinned: false },
        ...schema.view.columns.filter((c) => !['metrics.score', 'attributes.run_name', 'attributes.start_time'].includes(c.id)).map((c) => ({ ...c, visible: false })),
      ],
    };
    assert.equal((await table.setView(view)).error, undefined);
    const lines = (await table.csv()).trimEnd().split('\r\n');
    assert.equal(lines[0], 'run_id,metrics.score,attributes.run_name,attributes.start_time');
    const gbm = sweep.filter((s) => s.model === 'gbm').sort((a, b) => a.score - b.score);
    assert.equal(lines.length, gbm.length + 1);
    const first = gbm[0] as SweepRun;
    assert.equal(lines[1], `${first.runId},${first.score},run-${first.i},${new Date(1_700_000_000_000 + first.i * 1000).toISOString()}`);
  });

  it('patches running runs in place, and tells when runs came or went', async () => {
    const table = model();
    await table.schema();
    const running = await store.createRun({ experimentId, runName: 'live' });
    assert.ok(await table.refresh(), 'a new run changes the table');
    await table.rows({ offset: 0, limit: 50, columnIds: ['metrics.score', 'attributes.status'] });
    await store.logMetric(running.info.runId, { key: 'score', value: 0.5, timestamp: 1, step: 1 });
    assert.equal(await table.refresh(), undefined, 'a metric that ticked changes no structure');
    assert.deepEqual(await table.liveRows(), [{ runId: running.info.runId, experimentId, cells: { 'metrics.score': 0.5, 'attributes.status': 'RUNNING' } }]);
    await store.updateRun(running.info.runId, { status: 'FINISHED', endTime: NOW });
    assert.deepEqual((await table.liveRows()).map((r) => r.cells['attributes.status']), ['FINISHED']);
    assert.deepEqual(await table.liveRows(), [], 'a finished run is no longer live');
    await store.logParam(running.info.runId, 'brand_new', 'x');
    const changed = await table.refresh();
    assert.ok(changed?.columns.some((c) => c.id === 'params.brand_new'));
  });

  it('keeps a saved view\'s choices and adds columns that appeared since', async () => {
    const saved: TableView = {
      filter: "params.model = 'rf'",
      quickFilters: [],
      sort: [{ columnId: 'metrics.score', descending: true }],
      groupBy: [],
      columns: [{ id: 'metrics.score', visible: true, pinned: true, width: 90 }, { id: 'params.gone', visible: true, pinned: false }],
      preset: 'all',
    };
    const schema = await model({ savedView: saved }).schema();
    assert.equal(schema.error, undefined);
    assert.equal(schema.view.filter, saved.filter);
    assert.deepEqual(schema.view.columns[0], saved.columns[0]);
    assert.ok(!schema.view.columns.some((c) => c.id === 'params.gone'));
    assert.equal(schema.view.columns.length, schema.columns.length);
    assert.equal(schema.total, sweep.filter((s) => s.model === 'rf').length);
  });

  it('the local store answers the table\'s queries in SQL: keys, counts, offset reads of chosen keys, metric extremes', async () => {
    assert.deepEqual(await store.runKeys([experimentId]), {
      params: ['model', 'model.depth', 'optimizer/beta1', 'seed'],
      metrics: ['loss', 'score'],
      tags: ['mlflow.runName', 'mlflow.source.name', 'stage'],
    });
    const query = { experimentIds: [experimentId], filter: "params.model = 'gbm'", orderBy: ['metrics.score DESC'] };
    assert.equal(await store.countRuns(query), sweep.filter((s) => s.model === 'gbm').length);
    const [best] = await store.searchRunsAt(query, 0, 1, { params: ['seed'], metrics: ['score'], tags: [] });
    const gbmBest = sweep.filter((s) => s.model === 'gbm').sort((a, b) => b.score - a.score)[0] as SweepRun;
    assert.equal(best?.info.runId, gbmBest.runId);
    assert.deepEqual(best?.data.params, [{ key: 'seed', value: gbmBest.seed }]);
    assert.deepEqual(best?.data.metrics.map((m) => m.key), ['score']);
    assert.deepEqual(best?.data.tags, []);
    const extremes = await store.metricExtremes([gbmBest.runId], ['loss', 'absent']);
    assert.deepEqual([...(extremes.get(gbmBest.runId) ?? [])], [['loss', { min: 1 - gbmBest.score, max: 2 + gbmBest.i }]]);
  });

  it('reads sparklines from the downsampled history', async () => {
    const table = model();
    const run = sweep[3] as SweepRun;
    const lines = await table.sparklines([run.runId], 'loss', 10);
    assert.deepEqual(lines, { [run.runId]: [2 + 3, 1 - run.score, 1 + run.score] });
  });
});
