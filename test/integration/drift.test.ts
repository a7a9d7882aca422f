// The drift panel in the real extension host: two runs of the workspace's local store read CSV
// files (recorded in labbook/data.json as launches record them) whose `age` and `city` columns
// shift between them. Compare Data on the two runs opens the panel, and the report it computes
// through its own request path (dispatch, as the page asks) flags those columns and only those.
// Thresholds set in one panel are kept for the workspace; a data file compared with a model
// alias's training data reads the alias's run.
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { writeDataRecord } from '../../src/core/data/dataRecord.ts';
import type { SqliteTrackingStore } from '../../src/core/store/sqlite/sqliteTrackingStore.ts';
import type { DriftPanel } from '../../src/host/panels/driftPanel.ts';
import type { DriftView } from '../../src/protocol/drift.ts';
import { workspaceStore } from './support.ts';

const MODEL = 'drift-model';

/** A deterministic sample (LCG): `age` shifts by `ageShift`, `city` loses two of its four values when `cityShift`. */
function table(rows: number, seed: number, ageShift: number, cityShift: boolean): string {
  let s = seed;
  const rand = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const lines = ['id,age,income,city'];
  for (let i = 0; i < rows; i++) {
    const age = Math.round(30 + ageShift + 10 * (rand() + rand() + rand() - 1.5));
    const income = 100 * Math.round(400 + 200 * (rand() + rand() - 1));
    const cities = cityShift ? ['Oslo', 'Oslo', 'Oslo', 'Bergen'] : ['Oslo', 'Bergen', 'Paris', 'Rome'];
    lines.push(`${i + 1},${age},${income},${cities[Math.floor(rand() * cities.length)]}`);
  }
  return `${lines.join('\n')}\n`;
}

async function viewOf(panel: DriftPanel, method: 'getReport' | 'setThresholds' | 'resetThresholds', params: unknown = null): Promise<DriftView> {
  const reply = await panel.dispatch({ kind: 'request', id: 1, method, params });
  assert.ok(reply?.ok, `${method} answered: ${JSON.stringify(reply)}`);
  return reply.result as DriftView;
}

const drifted = (view: DriftView) => view.report.columns.filter((c) => c.drifted).map((c) => c.column).sort();

describe('Labbook drift panel', () => {
  let other: SqliteTrackingStore;
  let folder: string;
  const files: string[] = [];
  const runs: string[] = [];
  const panels: DriftPanel[] = [];

  async function runReading(name: string, file: string, content: string): Promise<string> {
    writeFileSync(path.join(folder, file), content);
    files.push(path.join(folder, file));
    const runId = (await other.createRun({ experimentId: '0', runName: name })).info.runId;
    runs.push(runId);
    const sha256 = createHash('sha256').update(content).digest('hex');
    await writeDataRecord(other, runId, { version: 1, cwd: folder, outputs: [], notes: [], inputs: [{ path: file, kind: 'file', found: ['observed'], size: Buffer.byteLength(content), sha256 }] });
    return runId;
  }

  before(async () => {
    ({ other } = await workspaceStore());
    const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(root, 'the test workspace has a folder');
    folder = root;
  });
  after(async () => {
    for (const panel of panels) panel.dispose();
    await other?.deleteRegisteredModel(MODEL).catch(() => undefined);
    for (const runId of runs) await other?.deleteRun(runId);
    await other?.close();
    for (const file of files) rmSync(file, { force: true });
  });

  it('compares two runs’ data from Compare Data and flags the shifted columns', async () => {
    const train = await runReading('drift-train', 'drift-train.csv', table(400, 7, 0, false));
    const today = await runReading('drift-today', 'drift-today.csv', table(300, 99, 12, true));
    const panel = await vscode.commands.executeCommand<DriftPanel | undefined>('labbook.compareDataRuns', undefined, [
      { rootId: 'local', runId: today },
      { rootId: 'local', runId: train },
    ]);
    assert.ok(panel, 'a drift panel opened');
    panels.push(panel);
    // The older run is the reference, whichever was selected first.
    assert.deepEqual(panel.source, { store: 'local', reference: { kind: 'run', runId: train }, current: { kind: 'run', runId: today } });
    const view = await viewOf(panel, 'getReport');
    assert.deepEqual(drifted(view), ['age', 'city']);
    assert.equal(view.report.dataset.comparedColumns, 3, 'the id column is left out');
    assert.match(view.report.columns.find((c) => c.column === 'id')?.skipped ?? '', /identifies rows/);
    assert.equal(view.report.dataset.drifted, true);
    assert.equal(view.report.reference.runId, train);
    assert.equal(view.report.reference.fromProfile, false);
    assert.equal(view.report.current.rows, 300);
    assert.equal(view.model, null);
    assert.match(panel.panel.title, /^Drift: run /);
    assert.deepEqual(panel.lastView()?.report.dataset, view.report.dataset);
  });

  it('keeps edited thresholds for the workspace and uses them in every panel', async () => {
    const [train, today] = runs;
    assert.ok(train && today);
    const panel = await vscode.commands.executeCommand<DriftPanel | undefined>('labbook.compareDataRuns', undefined, [{ rootId: 'local', runId: train }, { rootId: 'local', runId: today }]);
    assert.ok(panel);
    const strict = await viewOf(panel, 'setThresholds', { thresholds: { ks: 0.05, chisquare: 0.05, wasserstein: 0.1, jensenshannon: 0.1, psi: 0.1 }, datasetShare: 0.75 });
    assert.equal(strict.thresholds.datasetShare, 0.75);
    assert.equal(strict.report.dataset.drifted, false, '2 of 3 columns is under 75%');
    const refused = await panel.dispatch({ kind: 'request', id: 2, method: 'setThresholds', params: { thresholds: strict.thresholds.thresholds, datasetShare: 2 } });
    assert.equal(refused?.ok, false);
    // A file compared with the training run's data: a new panel, the kept thresholds.
    const file = vscode.Uri.file(path.join(folder, 'drift-today.csv'));
    const second = await vscode.commands.executeCommand<DriftPanel | undefined>('labbook.compareDataWithTrainingData', file, { kind: 'run', runId: train });
    assert.ok(second);
    panels.push(second);
    const kept = await viewOf(second, 'getReport');
    assert.equal(kept.thresholds.datasetShare, 0.75);
    assert.equal(kept.report.options.datasetShare, 0.75);
    assert.deepEqual(drifted(kept), ['age', 'city']);
    const reset = await viewOf(second, 'resetThresholds');
    assert.equal(reset.thresholds.datasetShare, 0.5);
    assert.equal(reset.report.dataset.drifted, true);
  });

  it('compares a data file with a model alias’s training data', async () => {
    const [train] = runs;
    assert.ok(train);
    await other.createRegisteredModel(MODEL);
    await other.createModelVersion(MODEL, `runs:/${train}/model`, train);
    await other.setRegisteredModelAlias(MODEL, 'champion', '1');
    const file = vscode.Uri.file(path.join(folder, 'drift-today.csv'));
    const panel = await vscode.commands.executeCommand<DriftPanel | undefined>('labbook.compareDataWithTrainingData', file, { kind: 'alias', model: MODEL, alias: 'champion' });
    assert.ok(panel);
    panels.push(panel);
    const view = await viewOf(panel, 'getReport');
    assert.equal(view.report.reference.runId, train);
    assert.match(view.report.reference.label, /drift-model@champion/);
    assert.deepEqual(drifted(view), ['age', 'city']);
    assert.equal(view.model, null, 'a file evaluates no model');
  });

  it('asks for the training data when the Explorer menu calls it with (uri, [uri])', async () => {
    const file = vscode.Uri.file(path.join(folder, 'drift-today.csv'));
    let settled = false;
    const pending = Promise.resolve(vscode.commands.executeCommand<DriftPanel | undefined>('labbook.compareDataWithTrainingData', file, [file])).finally(() => (settled = true));
    // The selection is no reference: the command asks (a quick pick), and closing the pick ends it with no panel.
    for (let i = 0; i < 200 && !settled; i++) {
      await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const panel = await pending;
    if (panel) panels.push(panel);
    assert.equal(panel, undefined, 'no panel from a selection taken for a reference');
  });

  it('shows model drift when the current run evaluates the alias’s model (Compare Data with… from a run)', async () => {
    const [train, today] = runs;
    assert.ok(train && today);
    await other.logMetric(train, { key: 'accuracy', value: 0.91, timestamp: 1_700_000_000_000, step: 0 });
    for (const [i, value] of [0.9, 0.88, 0.84].entries()) await other.logMetric(today, { key: 'accuracy', value, timestamp: 1_700_000_000_000 + (i + 1) * 86_400_000, step: i });
    const panel = await vscode.commands.executeCommand<DriftPanel | undefined>('labbook.compareDataWith', { rootId: 'local', runId: today }, { kind: 'alias', model: MODEL, alias: 'champion' });
    assert.ok(panel);
    panels.push(panel);
    const view = await viewOf(panel, 'getReport');
    assert.deepEqual(drifted(view), ['age', 'city']);
    assert.ok(view.model, 'a model section');
    assert.equal(view.model.trainingRunId, train);
    const accuracy = view.model.metrics.find((m) => m.key === 'accuracy');
    assert.equal(accuracy?.training, 0.91);
    assert.deepEqual(accuracy?.points.map((p) => p.value), [0.9, 0.88, 0.84]);
  });

  it('answers a side that cannot be read with one clear error, not a crash', async () => {
    const panel = await vscode.commands.executeCommand<DriftPanel | undefined>('labbook.compareData', {
      store: null,
      reference: { kind: 'file', path: path.join(folder, 'no-such-file.csv') },
      current: { kind: 'file', path: path.join(folder, 'drift-today.csv') },
    });
    assert.ok(panel);
    panels.push(panel);
    const reply = await panel.dispatch({ kind: 'request', id: 3, method: 'getReport', params: null });
    assert.equal(reply?.ok, false);
    assert.match(reply?.ok === false ? reply.error.message : '', /no-such-file\.csv/);
  });
});
