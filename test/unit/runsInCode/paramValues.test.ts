// The values behind a param's hover, over a real SQLite store: the runs of a file grouped by the
// value they used, with the objective metric of each value's best run, best first (lower-is-better
// metrics too); the launches whose recipe passed a config file; the objective metric's fallbacks.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ARTIFACTS } from '../../../src/core/launch/conventions.ts';
import { objectiveMetric, paramValues, runsOfFile, runsWithConfigFile, type RecipeConfigCache } from '../../../src/core/runsInCode/paramValues.ts';
import { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';

describe('core/runsInCode: param values and the objective metric', () => {
  let dir: string;
  let store: SqliteTrackingStore;
  const T0 = 1_700_000_000_000;
  let clock = 0;
  const root = '/work/proj';
  const script = '/work/proj/train.py';

  async function run(options: { source?: string; params?: Record<string, string>; metrics?: Record<string, number>; launched?: boolean; configFiles?: string[] } = {}): Promise<string> {
    const tags = [{ key: 'mlflow.source.name', value: options.source ?? script }, ...(options.launched || options.configFiles ? [{ key: 'labbook.launch.kind', value: 'script' }] : [])];
    const created = await store.createRun({ experimentId: '0', runName: `r${clock}`, startTime: T0 + clock++ * 1000, tags });
    const runId = created.info.runId;
    await store.logBatch(runId, {
      params: Object.entries(options.params ?? {}).map(([key, value]) => ({ key, value })),
      metrics: Object.entries(options.metrics ?? {}).map(([key, value]) => ({ key, value, timestamp: T0, step: 0 })),
    });
    if (options.configFiles) {
      const recipe = { version: 1, kind: 'script', file: 'train.py', cwd: 'src', root, rootKind: 'git', args: [], parameters: {}, envNames: [], dataPaths: [], configFiles: options.configFiles, python: 'python3', experimentName: 'Default', runName: 'r', git: { commit: null, branch: null, repoUrl: null, dirty: false, patch: null }, reproduces: null };
      await store.writeArtifact(runId, ARTIFACTS.recipe, new TextEncoder().encode(JSON.stringify(recipe)));
    }
    await store.updateRun(runId, { status: 'FINISHED', endTime: T0 + clock * 1000 });
    return runId;
  }

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-param-values-'));
    store = new SqliteTrackingStore(path.join(dir, 'tracking.db'));
    clock = 0;
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("groups the file's runs by value, best value first by a higher-is-better metric", async () => {
    await run({ params: { lr: '0.1' }, metrics: { accuracy: 0.80 } });
    const best = await run({ params: { lr: '0.01' }, metrics: { accuracy: 0.91 } });
    await run({ params: { lr: '0.01' }, metrics: { accuracy: 0.85 } });
    await run({ params: { lr: '0.001' }, metrics: { accuracy: 0.70 } });
    await run({ params: { lr: '1' } });
    await run({ source: '/work/proj/other.py', params: { lr: '0.5' }, metrics: { accuracy: 0.99 } });
    await run({ params: { batch: '32' }, metrics: { accuracy: 0.5 } });
    const runs = await runsOfFile(store, { root, file: script });
    assert.equal(runs.length, 6);
    const values = paramValues(runs, ['lr'], 'accuracy');
    assert.ok(values);
    assert.equal(values.key, 'lr');
    assert.equal(values.direction, 'higher');
    assert.deepEqual(values.rows.map((r) => [r.value, r.metric, r.runs]), [['0.01', 0.91, 2], ['0.1', 0.8, 1], ['0.001', 0.7, 1], ['1', undefined, 1]]);
    assert.equal(values.rows[0]?.runId, best);
  });

  it('puts the lowest first for a loss, and matches any of the names (dest or the option as typed)', async () => {
    await run({ params: { learning_rate: '0.1' }, metrics: { val_loss: 0.3 } });
    await run({ params: { 'learning-rate': '0.2' }, metrics: { val_loss: 0.2 } });
    await run({ params: { 'learning-rate': '0.3' }, metrics: { val_loss: 0.5 } });
    const values = paramValues(await runsOfFile(store, { root, file: script }), ['learning_rate', 'learning-rate'], 'val_loss');
    assert.ok(values);
    assert.equal(values.direction, 'lower');
    assert.equal(values.key, 'learning-rate', 'the commonest key is the one to filter by');
    assert.deepEqual(values.rows.map((r) => r.value), ['0.2', '0.1', '0.3']);
  });

  it('is undefined when no run of the file has the param', async () => {
    await run({ params: { other: '1' }, metrics: { accuracy: 0.9 } });
    assert.equal(paramValues(await runsOfFile(store, { root, file: script }), ['lr'], 'accuracy'), undefined);
    assert.equal(paramValues([], ['lr'], undefined), undefined);
  });

  it('finds the launches whose recipe passed the config file, relative to their working directory', async () => {
    const passed = await run({ configFiles: ['configs/base.yaml'], params: { 'optimizer.lr': '0.1' }, metrics: { accuracy: 0.9 } });
    const absolute = await run({ configFiles: ['/work/proj/src/configs/base.yaml'], params: { 'optimizer.lr': '0.2' } });
    await run({ configFiles: ['configs/other.yaml'], params: { 'optimizer.lr': '0.3' } });
    await run({ launched: true, params: { 'optimizer.lr': '0.4' } }); // no recipe at all
    await run({ params: { 'optimizer.lr': '0.5' } }); // not launched by Labbook
    const cache: RecipeConfigCache = new Map();
    const runs = await runsWithConfigFile(store, '/work/proj/src/configs/base.yaml', cache);
    assert.deepEqual(runs.map((r) => r.info.runId).sort(), [passed, absolute].sort());
    assert.equal(cache.size, 4, 'every launched run read once, the one without a recipe remembered as passing none');
    const again = await runsWithConfigFile(store, '/work/proj/src/configs/base.yaml', cache);
    assert.equal(again.length, 2);
    const values = paramValues(runs, ['optimizer.lr'], 'accuracy');
    assert.deepEqual(values?.rows.map((r) => r.value), ['0.1', '0.2']);
  });

  it('takes the setting as the objective, else the first key metric, else none', () => {
    assert.equal(objectiveMetric('auc', ['accuracy']), 'auc');
    assert.equal(objectiveMetric('  ', ['', 'accuracy']), 'accuracy');
    assert.equal(objectiveMetric(undefined, []), undefined);
    assert.equal(objectiveMetric('', ['  ']), undefined);
  });
});
