// The pure comparison model over a real SQLite store in a temp dir: rows and flags, best values,
// aggregates from the whole history, CSV, metric series (a spike among 1M points survives),
// artifacts and code snapshots.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { listComparedImages, readImage } from '../../../src/core/compare/artifacts.ts';
import { compareCode } from '../../../src/core/compare/code.ts';
import { bestIndexes, buildComparison, guessDirection, valuesDiffer, visibleRows } from '../../../src/core/compare/comparison.ts';
import { comparisonCsv, csvField } from '../../../src/core/compare/csv.ts';
import { metricSeries } from '../../../src/core/compare/series.ts';
import type { CompareModel } from '../../../src/core/compare/types.ts';
import { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';
import type { Metric } from '../../../src/core/store/types.ts';

const T0 = 1_700_000_000_000;

async function logHistory(store: SqliteTrackingStore, runId: string, key: string, values: readonly number[]): Promise<void> {
  for (let start = 0; start < values.length; start += 1000) {
    const metrics: Metric[] = [];
    for (let i = start; i < Math.min(values.length, start + 1000); i++) metrics.push({ key, value: values[i] as number, step: i, timestamp: T0 + i });
    await store.logBatch(runId, { metrics });
  }
}

describe('core/compare: the comparison model', function () {
  this.timeout(120_000);
  let dir: string;
  let store: SqliteTrackingStore;
  let ids: { a: string; b: string; c: string };

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-compare-'));
    store = new SqliteTrackingStore(path.join(dir, 'tracking.db'), { now: () => T0, user: 'ada' });
    const expA = await store.createExperiment('churn');
    const expB = await store.createExperiment('churn-v2');
    const a = await store.createRun({ experimentId: expA, runName: 'baseline', startTime: T0, tags: [{ key: 'mlflow.source.git.commit', value: 'abc123' }] });
    const b = await store.createRun({ experimentId: expB, runName: 'wider', startTime: T0 });
    const c = await store.createRun({ experimentId: expB, runName: 'baseline', startTime: T0 });
    ids = { a: a.info.runId, b: b.info.runId, c: c.info.runId };
    await store.logBatch(ids.a, { params: [{ key: 'lr', value: '0.1' }, { key: 'optimizer', value: 'adam' }, { key: 'note', value: 'a, "quoted" note' }] });
    await store.logBatch(ids.b, { params: [{ key: 'lr', value: '0.01' }, { key: 'optimizer', value: 'adam' }] });
    await store.logBatch(ids.c, { params: [{ key: 'lr', value: '0.01' }, { key: 'optimizer', value: 'adam' }] });
    // loss: a ends lowest but b dipped lowest on the way; accuracy: c is best at the end.
    await logHistory(store, ids.a, 'val_loss', [1, 0.5, 0.3]);
    await logHistory(store, ids.b, 'val_loss', [1, 0.1, 0.4]);
    await logHistory(store, ids.c, 'val_loss', [1, 0.6, 0.5]);
    await logHistory(store, ids.a, 'accuracy', [0.5, 0.7]);
    await logHistory(store, ids.b, 'accuracy', [0.5, 0.8]);
    await logHistory(store, ids.c, 'accuracy', [0.6, 0.9]);
    await logHistory(store, ids.a, 'epoch_time', [5, 5]);
    await store.updateRun(ids.a, { status: 'FINISHED', endTime: T0 + 61_000 });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const build = (runIds = [ids.a, ids.b, ids.c], directions = {}) => buildComparison(store, { store: 'local', runIds }, { directions });
  const row = (model: CompareModel, id: string) => {
    const found = model.rows.find((r) => r.id === id);
    assert.ok(found, `no row ${id}`);
    return found;
  };

  it('guesses which metrics improve downwards from their names', () => {
    for (const key of ['loss', 'val_loss', 'train/loss', 'valLoss', 'error_rate', 'top1_error', 'rmse', 'MAE', 'mse', 'test-rmsle', 'perplexity', 'epoch_time']) assert.equal(guessDirection(key), 'lower', key);
    for (const key of ['accuracy', 'f1', 'auc', 'precision', 'recall', 'r2', 'glossary_size', 'timestamp_ok', 'bleu']) assert.equal(guessDirection(key), 'higher', key);
  });

  it('picks the best values, all of them on a tie, none when nothing differs', () => {
    assert.deepEqual(bestIndexes([3, 1, 2], 'lower'), [1]);
    assert.deepEqual(bestIndexes([3, 1, 3], 'higher'), [0, 2]);
    assert.deepEqual(bestIndexes([2, null, 2], 'higher'), []);
    assert.deepEqual(bestIndexes([null, 4, Number.NaN], 'lower'), []);
    assert.deepEqual(bestIndexes([null, 4, 5, Number.NaN], 'lower'), [1]);
    assert.equal(valuesDiffer(['adam', 'adam']), false);
    assert.equal(valuesDiffer(['adam', null]), true);
    assert.equal(valuesDiffer([Number.NaN, Number.NaN]), false);
  });

  it('builds attribute, param and metric rows with one value per run, in run order', async () => {
    const model = await build();
    assert.deepEqual(model.runs.map((r) => r.label), [`baseline (${ids.a.slice(0, 8)})`, 'wider', `baseline (${ids.c.slice(0, 8)})`]);
    assert.deepEqual(model.runs.map((r) => r.experimentName), ['churn', 'churn-v2', 'churn-v2']);
    assert.deepEqual(row(model, 'attribute:experiment').values, ['churn', 'churn-v2', 'churn-v2']);
    assert.deepEqual(row(model, 'attribute:status').values, ['FINISHED', 'RUNNING', 'RUNNING']);
    assert.deepEqual(row(model, 'attribute:duration (s)').values, [61, null, null]);
    assert.deepEqual(row(model, 'attribute:git commit').values, ['abc123', null, null]);
    assert.deepEqual(row(model, 'attribute:user').values, ['ada', 'ada', 'ada']);
    assert.deepEqual(row(model, 'param:lr').values, [0.1, 0.01, 0.01]);
    assert.deepEqual(row(model, 'param:note').values, ['a, "quoted" note', null, null]);
    assert.equal(row(model, 'param:optimizer').differs, false);
    assert.deepEqual(model.sharedMetrics, ['accuracy', 'val_loss']);
    assert.deepEqual(model.allMetrics, ['accuracy', 'epoch_time', 'val_loss']);
    assert.deepEqual(model.problems, []);
  });

  it('takes min and max from the whole history, and marks the best per aggregate and direction', async () => {
    const model = await build();
    const loss = row(model, 'metric:val_loss').metric;
    assert.ok(loss);
    assert.equal(loss.direction, 'lower');
    assert.equal(loss.guessed, true);
    assert.deepEqual(loss.values, { last: [0.3, 0.4, 0.5], min: [0.3, 0.1, 0.5], max: [1, 1, 1] });
    assert.deepEqual(loss.best, { last: [0], min: [1], max: [] });
    assert.deepEqual(loss.differs, { last: true, min: true, max: false });
    const accuracy = row(model, 'metric:accuracy').metric;
    assert.deepEqual(accuracy?.best.last, [2]);
    assert.deepEqual(accuracy?.best.min, [2]);
    // The user says higher is better for val_loss: the best flips.
    const flipped = row(await build(undefined, { val_loss: 'higher' }), 'metric:val_loss').metric;
    assert.equal(flipped?.guessed, false);
    assert.deepEqual(flipped?.best.last, [2]);
  });

  it('shows only the rows that differ, per aggregate', async () => {
    const model = await build();
    const all = visibleRows(model, { aggregate: 'last', diffOnly: false }).map((r) => r.id);
    assert.equal(all.length, model.rows.length);
    const differing = visibleRows(model, { aggregate: 'last', diffOnly: true }).map((r) => r.id);
    assert.ok(!differing.includes('param:optimizer'));
    assert.ok(!differing.includes('attribute:user'));
    assert.ok(!differing.includes('attribute:start'));
    assert.ok(differing.includes('param:lr') && differing.includes('metric:val_loss') && differing.includes('attribute:status'));
    assert.ok(!visibleRows(model, { aggregate: 'max', diffOnly: true }).some((r) => r.id === 'metric:val_loss'));
  });

  it('reports a run that no longer exists instead of failing', async () => {
    const model = await build([ids.a, 'f'.repeat(32), ids.b]);
    assert.deepEqual(model.runs.map((r) => r.runId), [ids.a, ids.b]);
    assert.equal(model.problems.length, 1);
    assert.match(model.problems[0]?.message ?? '', /no longer exists/);
    assert.deepEqual(row(model, 'param:lr').values, [0.1, 0.01]);
  });

  it('fails with the store error when the store cannot be read', async () => {
    await store.close();
    await assert.rejects(build(), /database|closed|open/i);
    store = new SqliteTrackingStore(path.join(dir, 'tracking.db'));
  });

  it('writes CSV with RFC 4180 quoting, formula guards, the aggregate and both layouts', async () => {
    assert.equal(csvField('plain'), 'plain');
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField('two\nlines'), '"two\nlines"');
    assert.equal(csvField(' padded'), '" padded"');
    assert.equal(csvField('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
    assert.equal(csvField(-0.5), '-0.5');
    assert.equal(csvField(null), '');
    const model = await build();
    const csv = comparisonCsv(model, { aggregate: 'min', diffOnly: true, transposed: false });
    const lines = csv.trimEnd().split('\r\n');
    assert.equal(lines[0], `kind,key,baseline (${ids.a.slice(0, 8)}),wider,baseline (${ids.c.slice(0, 8)})`);
    assert.ok(lines.includes('metric,val_loss,0.3,0.1,0.5'));
    assert.ok(lines.includes('param,note,"a, ""quoted"" note",,'));
    assert.ok(!lines.some((l) => l.startsWith('param,optimizer')));
    const transposed = comparisonCsv(model, { aggregate: 'last', diffOnly: false, transposed: true }).trimEnd().split('\r\n');
    assert.equal(transposed.length, 4);
    const header = transposed[0]?.split(',') ?? [];
    const col = header.indexOf('metric:val_loss');
    assert.ok(col > 1);
    assert.equal(transposed[2]?.split(',')[col], '0.4');
    assert.equal(transposed[2]?.split(',')[1], ids.b);
  });

  it('assembles metric series for runs × keys, leaving out runs that are gone', async () => {
    const series = await metricSeries(store, [ids.a, ids.b, 'f'.repeat(32)], ['val_loss', 'accuracy'], 1000);
    assert.deepEqual(series.map((s) => `${s.runId === ids.a ? 'a' : 'b'}:${s.key}:${s.step.length}`), ['a:val_loss:3', 'a:accuracy:2', 'b:val_loss:3', 'b:accuracy:2']);
    // Float64Array columns, one entry per bucket.
    assert.ok(series.every((s) => [s.step, s.timestamp, s.min, s.max, s.last].every((c) => c instanceof Float64Array && c.length === s.step.length)));
    assert.deepEqual([...(series[0]?.last ?? [])], [1, 0.5, 0.3]);
    assert.deepEqual([...(series[0]?.step ?? [])], [0, 1, 2]);
  });

  it('keeps a single spike among 1,000,000 points in the buckets sent to the chart', async () => {
    const n = 1_000_000;
    const spikeAt = 612_345;
    const values = Array.from({ length: n }, (_, i) => (i === spikeAt ? 1e6 : 1 + Math.sin(i / 1000) * 0.1));
    await logHistory(store, ids.b, 'grad_norm', values);
    const [series] = await metricSeries(store, [ids.b], ['grad_norm'], 1000);
    assert.ok(series);
    const length = series.step.length;
    assert.ok(length <= 1000 && length >= 990, String(length));
    const spiky = [...series.max.keys()].filter((i) => series.max[i] === 1e6);
    assert.equal(spiky.length, 1);
    // The spike's bucket ends at or after it, and the bucket before ends before it.
    const at = spiky[0] as number;
    assert.ok((series.step[at] as number) >= spikeAt && (at === 0 || (series.step[at - 1] as number) < spikeAt));
    assert.ok([...series.min].every((v) => v >= 0.9 - 1e-9) && [...series.last].every((v) => v < 2));
    // The table's max of that metric is the spike too.
    const model = await build([ids.a, ids.b]);
    assert.deepEqual(row(model, 'metric:grad_norm').metric?.values.max, [null, 1e6]);
  });

  it('lists images by path across runs, and reads them as data: URIs', async () => {
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    await store.writeArtifact(ids.a, 'plots/loss.png', png);
    await store.writeArtifact(ids.b, 'plots/loss.png', png);
    await store.writeArtifact(ids.b, 'plots/deep/a/b/c/d/too-deep.png', png);
    await store.writeArtifact(ids.b, 'model/weights.bin', png);
    await store.writeArtifact(ids.c, 'confusion.JPG', png);
    const listing = await listComparedImages(store, [ids.a, ids.b, ids.c], { maxDepth: 4, maxEntries: 100 });
    assert.deepEqual(listing.images, [
      { path: 'confusion.JPG', runIds: [ids.c] },
      { path: 'plots/loss.png', runIds: [ids.a, ids.b] },
    ]);
    assert.equal(listing.truncated, true);
    const image = await readImage(store, ids.a, 'plots/loss.png');
    assert.deepEqual(image, { kind: 'image', bytes: 8, dataUri: 'data:image/png;base64,iVBORw0KGgo=' });
    assert.deepEqual(await readImage(store, ids.a, 'plots/loss.png', 4), { kind: 'tooLarge', bytes: 8 });
    assert.equal((await readImage(store, ids.c, 'plots/loss.png')).kind, 'missing');
    assert.equal((await readImage(store, ids.b, 'model/weights.bin')).kind, 'missing');
  });

  it('reads both runs\' code snapshots and git patches, with notes for what is missing', async () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    await store.setTag(ids.a, { key: 'labbook.source.snapshot', value: 'labbook/code/train.py' });
    await store.writeArtifact(ids.a, 'labbook/code/train.py', enc('lr = 0.1\n'));
    await store.writeArtifact(ids.a, 'labbook/code/git.patch', enc('+lr = 0.1\n'));
    await store.setTag(ids.b, { key: 'labbook.source.snapshot', value: 'labbook/code/analysis.ipynb' });
    await store.writeArtifact(ids.b, 'labbook/code/analysis.ipynb', enc('{}'));
    const code = await compareCode(store, ids.a, ids.b);
    assert.deepEqual(code.base, { runId: ids.a, snapshotPath: 'labbook/code/train.py', snapshotText: 'lr = 0.1\n', gitPatch: '+lr = 0.1\n', notes: [] });
    assert.equal(code.remote.snapshotPath, 'labbook/code/analysis.ipynb');
    assert.equal(code.remote.snapshotText, null);
    assert.equal(code.remote.gitPatch, null);
    assert.deepEqual(code.remote.notes, ['No git patch was captured (labbook/code/git.patch).']);
    const none = await compareCode(store, ids.c, ids.c);
    assert.match(none.base.notes[0] ?? '', /has no code snapshot/);
  });
});
