// driftBetween over real things: CSV files in a temp folder read by DuckDB, a real SQLite store
// with runs whose data.json and profile.json name their inputs, a registered model with an alias.
// Which input a run side picks, the profile fallback when the file changed or is gone, the typed
// errors, `labbook drift runs:/… FILE` end to end, and the model drift core (metric trend,
// prediction shift).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { computeDrift } from '../../../src/core/drift/computeDrift.ts';
import { driftBetween, DriftSourceError, parseDriftSource, type DriftDeps } from '../../../src/core/drift/driftSources.ts';
import { tableFromProfile } from '../../../src/core/drift/fromProfile.ts';
import { metricTrend, modelDrift } from '../../../src/core/drift/modelDrift.ts';
import { profileFile } from '../../../src/core/profile/profileFile.ts';
import { profileRunFiles } from '../../../src/core/profile/runProfiles.ts';
import { readTable } from '../../../src/core/profile/readTable.ts';
import { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';
import { runCli } from '../../support/cli.ts';
import { normals, seeded } from './samples.ts';

function csv(rows: number, seed: number, shift = 0): string {
  const x = normals(seed, rows, shift);
  const u = seeded(seed + 1);
  const lines = ['id,x,c,prediction'];
  for (let i = 0; i < rows; i++) lines.push(`${i},${x[i]},${['a', 'b', 'c'][Math.floor(u() * (shift ? 2 : 3))]},${(x[i] ?? 0) * 2 + 1}`);
  return `${lines.join('\n')}\n`;
}
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describe('drift sources: files, runs and aliases', function () {
  this.timeout(120_000);
  let dir: string;
  let store: SqliteTrackingStore;
  let deps: DriftDeps;
  let trainRun: string;
  let bareRun: string;
  const train = csv(400, 1);
  const other = csv(50, 2);

  async function runWith(inputs: { path: string; text: string }[], withProfile: boolean): Promise<string> {
    const runId = (await store.createRun({ experimentId: '0', runName: 'train' })).info.runId;
    const entries = inputs.map((i) => ({ path: i.path, kind: 'file', found: ['observed'], size: Buffer.byteLength(i.text), sha256: sha(i.text) }));
    await store.writeArtifact(runId, 'labbook/data.json', new TextEncoder().encode(JSON.stringify({ version: 1, cwd: dir, inputs: entries, outputs: [], notes: [] })));
    if (withProfile) {
      const profiles = await profileRunFiles(inputs.map((i) => ({ file: path.join(dir, i.path), displayPath: i.path })));
      await store.writeArtifact(runId, 'labbook/data/profile.json', new TextEncoder().encode(JSON.stringify(profiles)));
    }
    return runId;
  }

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-drift-sources-'));
    mkdirSync(path.join(dir, 'data', 'more'), { recursive: true });
    writeFileSync(path.join(dir, 'data', 'train.csv'), train);
    writeFileSync(path.join(dir, 'data', 'other.csv'), other);
    writeFileSync(path.join(dir, 'data', 'new.csv'), csv(400, 3, 1.5));
    store = new SqliteTrackingStore(path.join(dir, 'tracking.db'));
    deps = { store, cwd: dir, readTable: (f) => readTable(f) };
    trainRun = await runWith([{ path: 'data/train.csv', text: train }, { path: 'data/other.csv', text: other }], true);
    bareRun = await runWith([{ path: 'data/other.csv', text: other }], false);
    await store.createRegisteredModel('churn');
    const v = await store.createModelVersion('churn', 'models:/m', trainRun);
    await store.setRegisteredModelAlias('churn', 'champion', v.version);
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a run side picks its largest tabular input, says so, and reads it from disk while unchanged', async () => {
    const report = await driftBetween({ kind: 'run', runId: trainRun }, { kind: 'file', path: 'data/new.csv' }, deps);
    assert.equal(report.reference.path, 'data/train.csv');
    assert.equal(report.reference.runId, trainRun);
    assert.equal(report.reference.fromProfile, false);
    assert.ok(report.notes.some((n) => n.includes('the largest of its 2 tabular inputs')));
    assert.equal(report.columns.find((c) => c.column === 'x')?.drifted, true);
    assert.match(report.columns.find((c) => c.column === 'id')?.skipped ?? '', /identifies rows/);
  });

  it('--file picks another input; a name matching none lists the inputs', async () => {
    const report = await driftBetween({ kind: 'run', runId: trainRun, file: 'other.csv' }, { kind: 'file', path: 'data/new.csv' }, deps);
    assert.equal(report.reference.path, 'data/other.csv');
    await assert.rejects(driftBetween({ kind: 'run', runId: trainRun, file: 'nope.csv' }, { kind: 'file', path: 'data/new.csv' }, deps),
      (e: unknown) => e instanceof DriftSourceError && e.problem === 'file-not-found' && e.candidates.join() === 'data/other.csv,data/train.csv');
  });

  it('a file name that matches two inputs is ambiguous, and the error lists them', async () => {
    writeFileSync(path.join(dir, 'data', 'more', 'train.csv'), other);
    const twice = await runWith([{ path: 'data/train.csv', text: train }, { path: 'data/more/train.csv', text: other }], false);
    await assert.rejects(driftBetween({ kind: 'run', runId: twice, file: 'train.csv' }, { kind: 'file', path: 'data/new.csv' }, deps),
      (e: unknown) => e instanceof DriftSourceError && e.problem === 'ambiguous-file' && e.candidates.join() === 'data/more/train.csv,data/train.csv' && /give the relative path/.test(e.message));
    const report = await driftBetween({ kind: 'run', runId: twice, file: 'data/more/train.csv' }, { kind: 'file', path: 'data/new.csv' }, deps);
    assert.equal(report.reference.path, 'data/more/train.csv');
  });

  it('an alias side is its version\'s source run', async () => {
    const report = await driftBetween({ kind: 'alias', model: 'churn', alias: 'champion' }, { kind: 'file', path: 'data/new.csv' }, deps);
    assert.equal(report.reference.runId, trainRun);
    assert.match(report.reference.label, /models:\/churn@champion \(v1/);
    await assert.rejects(driftBetween({ kind: 'alias', model: 'churn', alias: 'nobody' }, { kind: 'file', path: 'data/new.csv' }, deps),
      (e: unknown) => e instanceof DriftSourceError && e.problem === 'alias-unknown');
  });

  it('a changed file is compared through the run\'s stored profile, marked approximate; gone without a profile is an error', async () => {
    writeFileSync(path.join(dir, 'data', 'train.csv'), csv(400, 9, 3));
    try {
      const report = await driftBetween({ kind: 'run', runId: trainRun, file: 'data/train.csv' }, { kind: 'file', path: 'data/new.csv' }, deps);
      assert.equal(report.reference.fromProfile, true);
      assert.ok(report.notes.some((n) => /approximate/.test(n)));
      assert.equal(report.columns.find((c) => c.column === 'x')?.drifted, true, 'the profile still holds the old data');
    } finally {
      writeFileSync(path.join(dir, 'data', 'train.csv'), train);
    }
    rmSync(path.join(dir, 'data', 'other.csv'));
    try {
      await assert.rejects(driftBetween({ kind: 'run', runId: bareRun }, { kind: 'file', path: 'data/new.csv' }, deps),
        (e: unknown) => e instanceof DriftSourceError && e.problem === 'data-gone');
    } finally {
      writeFileSync(path.join(dir, 'data', 'other.csv'), other);
    }
  });

  it('a run logged by the mlflow client: its local dataset input is read as it is now, and said so', async () => {
    const runId = (await store.createRun({ experimentId: '0', runName: 'mlflow' })).info.runId;
    await store.logInputs(runId, [{ tags: [{ key: 'mlflow.data.context', value: 'training' }], dataset: { name: 'train', digest: 'abc123', sourceType: 'local', source: JSON.stringify({ uri: `file://${path.join(dir, 'data', 'train.csv')}` }) } }]);
    const report = await driftBetween({ kind: 'run', runId }, { kind: 'file', path: 'data/new.csv' }, deps);
    assert.equal(report.reference.fromProfile, false);
    assert.ok(report.notes.some((n) => n.includes('no fingerprint of train was recorded')), report.notes.join('\n'));
  });

  it('a run without tabular inputs and an unknown run are typed errors', async () => {
    const empty = (await store.createRun({ experimentId: '0' })).info.runId;
    await assert.rejects(driftBetween({ kind: 'run', runId: empty }, { kind: 'file', path: 'data/new.csv' }, deps), (e: unknown) => e instanceof DriftSourceError && e.problem === 'no-tabular-input');
    await assert.rejects(driftBetween({ kind: 'run', runId: 'f'.repeat(32) }, { kind: 'file', path: 'data/new.csv' }, deps), (e: unknown) => e instanceof DriftSourceError && e.problem === 'run-unknown');
  });

  it('a file against its own stored profile does not drift', async () => {
    const file = path.join(dir, 'data', 'train.csv');
    const rebuilt = tableFromProfile(await profileFile(file));
    const report = computeDrift(await readTable(file), rebuilt, {}, { current: { fromProfile: true } });
    assert.equal(report.dataset.driftedColumns, 0, JSON.stringify(report.columns.map((c) => [c.column, c.test, c.score])));
    assert.ok(report.notes.some((n) => /approximate/.test(n)));
  });

  it('parses sources as written on the command line', () => {
    const exists = (p: string) => p === 'data/new.csv';
    assert.deepEqual(parseDriftSource('runs:/abc123', exists), { kind: 'run', runId: 'abc123' });
    assert.deepEqual(parseDriftSource('models:/churn model@champion', exists, 'x.csv'), { kind: 'alias', model: 'churn model', alias: 'champion', file: 'x.csv' });
    assert.deepEqual(parseDriftSource('data/new.csv', exists), { kind: 'file', path: 'data/new.csv' });
    assert.deepEqual(parseDriftSource('0123abcd0123abcd', exists), { kind: 'run', runId: '0123abcd0123abcd' });
    assert.equal(parseDriftSource('missing.csv', exists), undefined);
  });

  it('labbook drift runs:/ID FILE --store: exit 1 on dataset drift, JSON report', async () => {
    const r = await runCli(['drift', `runs:/${trainRun}`, 'data/new.csv', '--store', 'tracking.db', '--json'], { cwd: dir, timeoutMs: 90_000 });
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout) as { dataset: { drifted: boolean }; reference: { runId: string } };
    assert.equal(report.dataset.drifted, true);
    assert.equal(report.reference.runId, trainRun);
    const bad = await runCli(['drift', 'models:/churn@nobody', 'data/new.csv', '--store', 'tracking.db'], { cwd: dir, timeoutMs: 90_000 });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /no model version holds models:\/churn@nobody/);
  });

  it('model drift: the metric trend against training, and the prediction shift', async () => {
    const day = 86_400_000;
    await store.logMetric(trainRun, { key: 'accuracy', value: 0.9, timestamp: 1000, step: 0 });
    const evalRun = (await store.createRun({ experimentId: '0', runName: 'eval' })).info.runId;
    for (const [i, v] of [0.89, 0.88, 0.84].entries()) await store.logMetric(evalRun, { key: 'accuracy', value: v, timestamp: 1000 + (i + 1) * day, step: i });
    const trend = await metricTrend(store, trainRun, [evalRun], 'accuracy');
    assert.equal(trend.training?.value, 0.9);
    assert.deepEqual(trend.series.map((p) => p.value), [0.89, 0.88, 0.84]);
    assert.ok(Math.abs((trend.last?.sinceTraining ?? 0) + 0.06) < 1e-12 && Math.abs((trend.last?.sincePrevious ?? 0) + 0.04) < 1e-12);
    assert.equal(trend.worse, true);
    const own = await metricTrend(store, evalRun, [], 'accuracy');
    assert.equal(own.training?.value, 0.89);
    assert.equal(own.series.length, 2);
    await store.writeArtifact(evalRun, 'eval/predictions.csv', new TextEncoder().encode(csv(400, 4, 2)));
    const md = await modelDrift({ ...deps, store }, { trainingRunId: trainRun, evaluationRunIds: [evalRun], metric: 'accuracy' });
    assert.equal(md.predictions?.drift.drifted, true);
    assert.equal(md.predictions?.current, 'artifact eval/predictions.csv');
    assert.match(md.predictions?.reference ?? '', /train\.csv/);
  });
});
