// What changed between two model versions, or two runs, read from a real SQLite store with real
// artifacts (test/unit/whatChanged/scenario.ts): every section, and sides that cannot be read.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../../src/core/sqlite/openDatabase.ts';
import { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';
import type { ReadableStore } from '../../../src/core/store/trackingStore.ts';
import type { WhatChanged } from '../../../src/core/whatChanged/types.ts';
import { whatChanged } from '../../../src/core/whatChanged/whatChanged.ts';
import { COMMIT_A, COMMIT_B, buildScenario, type Scenario } from './scenario.ts';

const v = (version: string) => ({ kind: 'version' as const, name: 'clf', version });

describe('core/whatChanged: two model versions or two runs of a real store', () => {
  let dir: string;
  let store: SqliteTrackingStore;
  let s: Scenario;
  let versions: WhatChanged;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-what-changed-'));
    store = new SqliteTrackingStore(path.join(dir, 'tracking.db'));
    s = await buildScenario(store);
    versions = await whatChanged(store, v('1'), v('2'));
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('resolves each version to its source run and logged model, labelled with its aliases', () => {
    assert.equal(versions.base.label, 'clf v1 (@champion)');
    assert.equal(versions.base.runId, s.runA);
    assert.equal(versions.base.modelId, s.modelA);
    assert.equal(versions.remote.label, 'clf v2');
    assert.equal(versions.remote.runName, 'train-b');
    assert.deepEqual(versions.notes, []);
  });

  it('lists params added, removed and changed', () => {
    const byKey = Object.fromEntries(versions.params.rows.map((p) => [p.key, [p.base, p.remote, p.change]]));
    assert.deepEqual(byKey, { depth: ['3', '3', 'same'], dropout: [null, '0.2', 'added'], lr: ['0.1', '0.05', 'changed'], seed: ['1', null, 'removed'] });
  });

  it("prefers the logged models' linked metrics for versions, with the delta and a verdict only where the direction is known", () => {
    assert.deepEqual(versions.metrics.origin, { base: 'model', remote: 'model' });
    const rmse = versions.metrics.rows.find((m) => m.key === 'rmse');
    assert.equal(rmse?.base, 0.45);
    assert.equal(rmse?.remote, 0.36);
    assert.ok(Math.abs((rmse?.delta ?? 0) + 0.09) < 1e-12);
    assert.ok(Math.abs((rmse?.deltaPercent ?? 0) + 20) < 1e-9);
    assert.equal(rmse?.direction, 'lower');
    assert.equal(rmse?.verdict, 'better');
    // Keys the model has no linked value for are the run's.
    assert.deepEqual(versions.metrics.rows.map((m) => [m.key, m.base, m.remote]), [['accuracy', 0.8, 0.85], ['rmse', 0.45, 0.36], ['widgets', 10, 12]]);
    assert.match(versions.summary.join('\n'), /rmse: 0\.45 → 0\.36 \(-20%\), better/);
  });

  it("compares two runs by their latest metrics: accuracy higher is better, a name that says nothing stays neutral", async () => {
    const runs = await whatChanged(store, { kind: 'run', runId: s.runA }, { kind: 'run', runId: s.runB });
    assert.deepEqual(runs.metrics.origin, { base: 'run', remote: 'run' });
    const row = (key: string) => runs.metrics.rows.find((m) => m.key === key);
    assert.equal(row('accuracy')?.verdict, 'better');
    // The run's latest rmse is the model-linked value logged after it (step 1).
    assert.equal(row('rmse')?.remote, 0.36);
    assert.equal(row('widgets')?.direction, null);
    assert.equal(row('widgets')?.verdict, null);
    assert.equal(row('widgets')?.delta, 2);
    assert.equal(row('widgets')?.deltaPercent, 20);
    // A run's signature comes from the last logged model it produced.
    assert.equal(runs.signature.base?.from, `logged model ${s.modelA}/MLmodel`);
  });

  it('compares Labbook data files by path and hash, and MLflow datasets by digest with their schemas column by column', () => {
    const files = Object.fromEntries(versions.data.files.map((f) => [f.path, f.change]));
    assert.deepEqual(files, { 'data/extra.csv': 'removed', 'data/labels.csv': 'same', 'data/new.csv': 'added', 'data/same.csv': 'same', 'data/train.csv': 'changed' });
    // data.json's own mirrors as MLflow datasets are not listed twice.
    assert.deepEqual(versions.data.datasets.map((d) => d.name), ['iris']);
    const [iris] = versions.data.datasets;
    assert.equal(iris?.change, 'changed');
    assert.equal(iris?.base?.digest, 'd1');
    assert.equal(iris?.remote?.context, 'training');
    assert.deepEqual(iris?.schema, [
      { name: 'x', base: 'double', remote: 'float', change: 'typeChanged' },
      { name: 'y', base: 'long', remote: null, change: 'removed' },
      { name: 'z', base: null, remote: 'string', change: 'added' },
    ]);
  });

  it('gives the commit range and whether the snapshot and the patch differ', () => {
    const { code } = versions;
    assert.equal(code.range, `${COMMIT_A.slice(0, 7)}..${COMMIT_B.slice(0, 7)}`);
    assert.equal(code.sameCommit, false);
    assert.equal(code.base?.dirty, false);
    assert.equal(code.remote?.dirty, true);
    assert.equal(code.base?.snapshotPath, 'labbook/code/train.py');
    assert.equal(code.snapshotDiffers, true);
    assert.equal(code.patchDiffers, true);
    assert.equal(code.base?.hasPatch, false);
    assert.equal(code.notebookPath, null);
  });

  it('diffs pip freeze into upgraded, downgraded, added, removed and changed packages', () => {
    const { environment } = versions;
    const byName = Object.fromEntries(environment.packages.map((p) => [p.name, [p.base, p.remote, p.change]]));
    assert.deepEqual(byName, {
      '!!not a requirement': ['!!not a requirement', null, 'removed'],
      mypkg: ['mypkg @ file:///tmp/mypkg', 'mypkg @ file:///tmp/mypkg2', 'changed'],
      numpy: ['1.26.4', '2.0.1', 'upgraded'],
      pandas: ['2.1.0', '1.5.3', 'downgraded'],
      scipy: ['1.11.0', null, 'removed'],
      torch: [null, '2.3.0', 'added'],
    });
    assert.deepEqual(environment.python, { base: '3.11.9', remote: '3.12.4' });
    assert.deepEqual(environment.counts, { base: 7, remote: 6 });
    assert.ok(environment.notes.some((n) => /1 line\(s\) of pip freeze name no package/.test(n)), environment.notes.join('\n'));
  });

  it("reads each logged model's MLmodel: signature columns compared and the input examples side by side", () => {
    const sig = versions.signature;
    assert.equal(sig.base?.from, `logged model ${s.modelA}/MLmodel`);
    assert.deepEqual(sig.inputs.map((c) => [c.name, c.change]), [['x', 'typeChanged'], ['y', 'removed'], ['z', 'added']]);
    assert.deepEqual(sig.outputs, [{ name: '#0', base: 'double', remote: 'double', change: 'same' }]);
    assert.deepEqual(sig.params, []);
    assert.equal(sig.exampleDiffers, true);
    assert.match(sig.remote?.example?.text ?? '', /"z"/);
    assert.equal(sig.remote?.example?.path, 'input_example.json');
  });

  it("reads an MLflow 2 version's MLmodel from its run's artifact folder", async () => {
    const w = await whatChanged(store, v('2'), v('3'));
    assert.equal(w.remote.modelId, null);
    assert.equal(w.remote.runId, s.runB);
    assert.equal(w.signature.remote?.from, 'run artifact model/MLmodel');
    assert.deepEqual(w.signature.inputs.map((c) => [c.name, c.change]), [['x', 'same'], ['z', 'removed']]);
    assert.equal(w.signature.remote?.example, null);
    // v3's metrics are its run's (its source is no logged model): said, not hidden.
    assert.deepEqual(w.metrics.origin, { base: 'model', remote: 'run' });
    assert.equal(w.metrics.notes.length, 1);
  });

  it('offers the notebook diff when both runs launched the same notebook', async () => {
    const nb = 'labbook/code/train.ipynb';
    const ids: string[] = [];
    for (const source of ['a', 'b']) {
      const runId = (await store.createRun({ experimentId: '0', runName: `nb-${source}`, tags: [{ key: 'labbook.source.snapshot', value: nb }, { key: 'labbook.launch.kind', value: 'notebook' }] })).info.runId;
      await store.writeArtifact(runId, nb, new TextEncoder().encode(JSON.stringify({ cells: [{ cell_type: 'code', source }] })));
      ids.push(runId);
    }
    const w = await whatChanged(store, { kind: 'run', runId: ids[0] ?? '' }, { kind: 'run', runId: ids[1] ?? '' });
    assert.equal(w.code.notebookPath, nb);
    assert.equal(w.code.base?.notebook, true);
    assert.equal(w.code.snapshotDiffers, null, 'notebooks are compared by the notebook diff, not as text');
    assert.equal(w.code.range, null);
  });

  it('turns a side that cannot be read into notes, never a throw', async () => {
    const bare = (await store.createRun({ experimentId: '0', runName: 'bare' })).info.runId;
    const w = await whatChanged(store, v('99'), { kind: 'run', runId: bare });
    assert.match(w.notes.join('\n'), /clf v99: the version could not be read/);
    assert.equal(w.base.runId, null);
    assert.deepEqual(w.params.rows, []);
    assert.match(w.signature.notes.join('\n'), /bare: no MLmodel was found/);
    assert.match(w.environment.notes.join('\n'), /bare: no pip freeze was recorded/);
    assert.deepEqual(w.summary, ['No differences found in what both sides recorded.']);
  });

  it("notes a version whose source run no longer exists, and still compares what the other side has", async () => {
    const gone = (await store.createRun({ experimentId: '0', runName: 'doomed' })).info.runId;
    await store.logParam(gone, 'lr', '0.2');
    const v4 = await store.createModelVersion('clf', `runs:/${gone}/model`, gone);
    // Deleted for good behind the store's back, as `mlflow gc` or another window would.
    const db = openDatabase(store.file, {});
    db.pragma('foreign_keys = ON');
    db.prepare('DELETE FROM runs WHERE run_id = ?').run(gone);
    db.close();
    await assert.rejects(store.getRun(gone), /not found/);
    const w = await whatChanged(store, v('1'), v(v4.version));
    assert.match(w.notes.join('\n'), new RegExp(`clf v${v4.version}: its run ${gone} no longer exists in this store`));
    assert.equal(w.remote.runId, gone);
    assert.equal(w.remote.runName, null);
    assert.deepEqual(w.params.rows.map((p) => [p.key, p.change]), [['depth', 'removed'], ['lr', 'removed'], ['seed', 'removed']], "the base's params, none on the other side");
    assert.equal(w.code.remote, null);
    assert.equal(w.environment.counts.remote, null);
    assert.match(w.signature.notes.join('\n'), new RegExp(`clf v${v4.version}: no MLmodel was found`));
  });

  it('notes a section that outlasts its time budget and still answers the others', async () => {
    // The same store, but its artifact reads never finish.
    const stalled: ReadableStore = Object.create(store, { readArtifact: { value: () => new Promise<Uint8Array>(() => undefined) } }) as ReadableStore;
    const w = await whatChanged(stalled, v('1'), v('2'), { sectionTimeoutMs: 300 });
    assert.match(w.environment.notes.join('\n'), /Reading the environment took longer than/);
    assert.match(w.code.notes.join('\n'), /Reading the code took longer than/);
    assert.equal(w.params.rows.length, 4, 'params come from the runs, not artifacts');
    assert.equal(w.metrics.rows.find((m) => m.key === 'rmse')?.remote, 0.36);
  });
});
