// Run ↔ file matching behind the CodeLens, over a real SQLite store: runs recorded with the file's
// absolute path (Labbook's launches), its path relative to the workspace (MLflow's client run from
// the folder), an old path git reports for a rename, Windows paths in both drive-letter cases, and
// notebooks; runs of other files, other folders and deleted runs are not counted.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileRunsSummary, fileRunsViewFilter, relativeToRoot, sourceNamesOf, type FileLocation } from '../../../src/core/runsInCode/fileRuns.ts';
import { parseRunFilter } from '../../../src/core/mlflow/searchFilter.ts';
import { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';

describe('core/runsInCode: the runs of a file', () => {
  let dir: string;
  let store: SqliteTrackingStore;
  const T0 = 1_700_000_000_000;
  let clock = 0;

  async function run(source: string, options: { name?: string; accuracy?: number; loss?: number; status?: 'FINISHED' | 'FAILED'; launched?: boolean; experimentId?: string } = {}): Promise<string> {
    const tags = [{ key: 'mlflow.source.name', value: source }, ...(options.launched ? [{ key: 'labbook.launch.kind', value: 'script' }] : [])];
    const created = await store.createRun({ experimentId: options.experimentId ?? '0', runName: options.name ?? `r${clock}`, startTime: T0 + clock++ * 1000, tags });
    const runId = created.info.runId;
    const metrics = [
      ...(options.accuracy === undefined ? [] : [{ key: 'accuracy', value: options.accuracy, timestamp: T0, step: 0 }]),
      ...(options.loss === undefined ? [] : [{ key: 'val_loss', value: options.loss, timestamp: T0, step: 0 }]),
    ];
    if (metrics.length) await store.logBatch(runId, { metrics });
    await store.updateRun(runId, { status: options.status ?? 'FINISHED', endTime: T0 + clock * 1000 });
    return runId;
  }

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-file-runs-'));
    store = new SqliteTrackingStore(path.join(dir, 'tracking.db'));
    clock = 0;
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('matches absolute, relative and ./ paths, and no other file', async () => {
    const loc: FileLocation = { root: '/work/proj', file: '/work/proj/src/train.py' };
    await run('/work/proj/src/train.py', { launched: true });
    await run('src/train.py');
    await run('./src/train.py');
    await run('/work/proj/src/train2.py');
    await run('/other/proj/src/train.py');
    await run('train.py');
    const experiment = await store.createExperiment('other');
    await run('/work/proj/src/train.py', { experimentId: experiment });
    const summary = await fileRunsSummary(store, loc);
    assert.equal(summary.count, 4);
    assert.equal(summary.recent.length, 4);
    assert.deepEqual(summary.recent.map((r) => r.launched), [false, false, false, true]);
  });

  it('filters the Experiments view by = on the name the newest run recorded, which an MLflow server accepts', async () => {
    const loc: FileLocation = { root: '/work/proj', file: '/work/proj/src/train.py' };
    await run('src/train.py');
    await run("/work/proj/src/train.py", { name: 'newest' });
    const summary = await fileRunsSummary(store, loc);
    const filter = fileRunsViewFilter(summary);
    assert.equal(filter, "tags.`mlflow.source.name` = '/work/proj/src/train.py'");
    assert.doesNotThrow(() => parseRunFilter(filter));
    assert.deepEqual((await store.searchRuns({ experimentIds: ['0'], filter })).items.map((r) => r.info.runName), ['newest']);
    assert.equal(fileRunsViewFilter({ count: 0, recent: [] }), undefined);
  });

  it('follows renames: runs recorded under a former path count', async () => {
    await run('/work/proj/old_train.py', { name: 'before-rename' });
    await run('/work/proj/scripts/train.py', { name: 'after' });
    await run('/work/proj/unrelated.py');
    const plain = await fileRunsSummary(store, { root: '/work/proj', file: '/work/proj/scripts/train.py' });
    assert.equal(plain.count, 1);
    const followed = await fileRunsSummary(store, { root: '/work/proj', file: '/work/proj/scripts/train.py', formerPaths: ['old_train.py'] });
    assert.equal(followed.count, 2);
    assert.deepEqual(followed.recent.map((r) => r.runName), ['after', 'before-rename']);
  });

  it('matches Windows paths whatever the drive letter case and separators', async () => {
    await run('C:\\Users\\ana\\proj\\train.py');
    await run('c:\\Users\\ana\\proj\\train.py');
    await run('C:/Users/ana/proj/train.py');
    await run('train.py');
    await run('.\\train.py');
    await run('C:\\Users\\ana\\proj\\other.py');
    const summary = await fileRunsSummary(store, { root: 'c:\\Users\\ana\\proj', file: 'c:\\Users\\ana\\proj\\train.py' });
    assert.equal(summary.count, 5);
  });

  it('matches notebooks by their path like scripts', async () => {
    await run('/work/proj/notebooks/explore.ipynb', { launched: true, accuracy: 0.8 });
    await run('notebooks/explore.ipynb', { accuracy: 0.9 });
    await run('/work/proj/notebooks/explore.py');
    const summary = await fileRunsSummary(store, { root: '/work/proj', file: '/work/proj/notebooks/explore.ipynb' }, { metric: 'accuracy' });
    assert.equal(summary.count, 2);
    assert.equal(summary.best?.value, 0.9);
  });

  it('finds the best run in the metric’s direction, the last run and the count', async () => {
    const file = '/work/proj/train.py';
    await run(file, { name: 'a', accuracy: 0.8, loss: 0.5 });
    await run(file, { name: 'b', accuracy: 0.914, loss: 0.7 });
    await run(file, { name: 'c', accuracy: 0.85, loss: 0.2 });
    await run(file, { name: 'd', status: 'FAILED' });
    await run('/work/proj/other.py', { name: 'elsewhere', accuracy: 0.99, loss: 0.01 });
    const loc = { root: '/work/proj', file };
    const byAccuracy = await fileRunsSummary(store, loc, { metric: 'accuracy', recent: 3 });
    assert.equal(byAccuracy.count, 4);
    assert.deepEqual(byAccuracy.recent.map((r) => r.runName), ['d', 'c', 'b']);
    assert.equal(byAccuracy.recent[0]?.status, 'FAILED');
    assert.equal(byAccuracy.best?.run.runName, 'b');
    assert.equal(byAccuracy.best?.direction, 'higher');
    const byLoss = await fileRunsSummary(store, loc, { metric: 'val_loss' });
    assert.equal(byLoss.best?.run.runName, 'c');
    assert.equal(byLoss.best?.direction, 'lower');
    assert.equal((await fileRunsSummary(store, loc, { metric: 'f1' })).best, undefined);
    assert.equal((await fileRunsSummary(store, loc)).best, undefined);
  });

  it('counts past one page, and leaves deleted runs out', async () => {
    const file = '/work/proj/train.py';
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push(await run(file));
    await store.deleteRun(ids[0] as string);
    const summary = await fileRunsSummary(store, { root: '/work/proj', file }, { recent: 3 });
    assert.equal(summary.count, 11);
    assert.equal(summary.recent.length, 3);
  });

  it('quotes names with quotes and backslashes safely', async () => {
    await run("/work/it's/a\\b.py");
    const summary = await fileRunsSummary(store, { root: "/work/it's", file: "/work/it's/a\\b.py" });
    assert.equal(summary.count, 1);
  });

  it('an empty store has no runs for any file', async () => {
    const summary = await fileRunsSummary(store, { root: '/w', file: '/w/x.py' }, { metric: 'accuracy' });
    assert.deepEqual(summary, { count: 0, recent: [] });
  });

  it('relativeToRoot and sourceNamesOf', () => {
    assert.equal(relativeToRoot('/work/proj', '/work/proj/a/b.py'), 'a/b.py');
    assert.equal(relativeToRoot('/work/proj/', '/work/proj/a/b.py'), 'a/b.py');
    assert.equal(relativeToRoot('/work/proj', '/work/project/b.py'), undefined);
    assert.equal(relativeToRoot('C:\\Proj', 'c:\\proj\\src\\b.py'), 'src/b.py');
    assert.deepEqual(sourceNamesOf({ root: '/w', file: '/elsewhere/x.py' }), ['/elsewhere/x.py']);
    const names = sourceNamesOf({ root: 'C:\\p', file: 'C:\\p\\x.py', formerPaths: ['old/x.py', '../outside.py'] });
    for (const expected of ['x.py', '.\\x.py', 'C:\\p\\x.py', 'c:\\p\\x.py', 'C:/p/x.py', 'old\\x.py', 'C:\\p\\old\\x.py']) assert.ok(names.includes(expected), expected);
    assert.ok(!names.some((n) => n.includes('outside')));
  });
});
