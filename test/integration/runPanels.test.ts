import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { SqliteTrackingStore } from '../../src/core/store/sqlite/sqliteTrackingStore.ts';
import type { LabbookApi } from '../../src/host/extension.ts';
import type { ComparePanel } from '../../src/host/panels/comparePanel.ts';
import type { RunDetailsPanel } from '../../src/host/panels/runDetailsPanel.ts';
import type { ExplorerNode, RunNode } from '../../src/host/trees/experimentsTree.ts';
import type { CompareModel } from '../../src/protocol/compare.ts';
import type { RunDetailsResult } from '../../src/protocol/runDetails.ts';
import { firstRequest, workspaceStore } from './support.ts';


describe('Labbook run panels: details and comparison', () => {
  let api: LabbookApi;
  let other: SqliteTrackingStore;
  let runs: RunNode[];

  before(async () => {
    ({ api, other } = await workspaceStore());
    const experimentId = await other.createExperiment('panels');
    for (const [i, name] of ['<img src=x onerror=alert(1)>', 'rf', 'gbm'].entries()) {
      const run = await other.createRun({ experimentId, runName: name, startTime: 1_700_000_000_000 + i });
      const points = Array.from({ length: 50 }, (_, step) => ({ key: 'loss', value: 1 / (step + 1) + i, timestamp: 1_700_000_000_000 + step, step }));
      await other.logBatch(run.info.runId, { metrics: points, params: [{ key: 'model', value: name === 'gbm' ? 'gbm' : 'rf' }, { key: 'seed', value: '1' }] });
      await other.updateRun(run.info.runId, { status: 'FINISHED', endTime: 1_700_000_060_000 });
    }
    await vscode.commands.executeCommand('labbook.refreshExperiments');
    const [local] = await api.experiments.getChildren();
    const experiment = (await api.experiments.getChildren(local)).find((n) => n.kind === 'experiment' && n.experiment.name === 'panels');
    runs = (await api.experiments.getChildren(experiment)).filter((n: ExplorerNode): n is RunNode => n.kind === 'run');
    assert.equal(runs.length, 3);
  });
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await other?.close();
  });

  it('opens a run\'s details from the Experiments view; the real webview asks and gets the run, and a note edit reaches the store', async () => {
    const run = runs.find((r) => r.run.info.runName === 'rf');
    assert.ok(run);
    const panel = await vscode.commands.executeCommand<RunDetailsPanel>('labbook.openRunDetails', run);
    assert.ok(panel, 'the command returns the panel');
    assert.deepEqual(await firstRequest(panel), { method: 'getDetails', ok: true });
    const reply = await panel.dispatch({ kind: 'request', id: 1, method: 'getDetails', params: null });
    assert.ok(reply?.ok, JSON.stringify(reply));
    const result = reply.result as RunDetailsResult;
    assert.equal(result.kind, 'details');
    assert.ok(result.kind === 'details');
    assert.equal(result.details.overview.runName, 'rf');
    assert.deepEqual(result.details.params.map((p) => `${p.key}=${p.value}`).sort(), ['model=rf', 'seed=1']);
    assert.equal(result.details.metrics.find((m) => m.key === 'loss')?.latest, 1 + 1 / 50);
    assert.ok(result.details.metrics.find((m) => m.key === 'loss')?.sparkline, 'a sparkline for the history');
    const edited = await panel.dispatch({ kind: 'request', id: 2, method: 'setNote', params: { content: 'the baseline' } });
    assert.ok(edited?.ok, JSON.stringify(edited));
    const stored = await other.getRun(run.run.info.runId);
    assert.equal(stored.data.tags.find((t) => t.key === 'mlflow.note.content')?.value, 'the baseline');
    // Opening the same run again reveals the same panel.
    assert.equal(await vscode.commands.executeCommand('labbook.openRunDetails', { rootId: 'local', runId: run.run.info.runId }), panel);
    panel.dispose();
  });

  it('compares the selected runs; the real webview asks and gets the table, with the hostile name kept as data', async () => {
    const panel = await vscode.commands.executeCommand<ComparePanel>('labbook.compareRuns', runs[0], runs);
    assert.ok(panel, 'the command returns the panel');
    assert.deepEqual(await firstRequest(panel), { method: 'getComparison', ok: true });
    const reply = await panel.dispatch({ kind: 'request', id: 1, method: 'getComparison', params: { directions: {} } });
    assert.ok(reply?.ok, JSON.stringify(reply));
    const model = reply.result as CompareModel;
    assert.deepEqual(model.runs.map((r) => r.name).sort(), ['<img src=x onerror=alert(1)>', 'gbm', 'rf'].sort());
    const modelRow = model.rows.find((r) => r.id === 'param:model');
    assert.equal(modelRow?.differs, true);
    assert.equal(model.rows.find((r) => r.id === 'param:seed')?.differs, false);
    assert.deepEqual(model.sharedMetrics, ['loss']);
    const series = await panel.dispatch({ kind: 'request', id: 2, method: 'getSeries', params: { keys: ['loss'], buckets: 100 } });
    assert.ok(series?.ok, JSON.stringify(series));
    const columns = (series.result as { series: { last: unknown }[] }).series;
    assert.equal(columns.length, 3);
    // Float64Array columns: VS Code's postMessage sends them as binary, not as JSON.
    assert.ok(columns.every((s) => s.last instanceof Float64Array && s.last.length === 50));
    panel.dispose();
  });

  it('opens a comparison with groups through the command; the real webview asks for the first chart with the comparison, before the tab is opened', async () => {
    const ids = runs.map((r) => r.run.info.runId);
    const options = { groups: [{ label: 'rf', runIds: runs.filter((r) => r.run.info.runName !== 'gbm').map((r) => r.run.info.runId) }] };
    assert.equal(options.groups[0]?.runIds.length, 2);
    const panel = await vscode.commands.executeCommand<ComparePanel>('labbook.compareRuns', undefined, runs, options);
    assert.ok(panel);
    const handled: { method: string; ok: boolean }[] = [];
    const sub = panel.onDidHandleRequest((e) => handled.push(e));
    try {
      const deadline = Date.now() + 60_000;
      while (!handled.some((h) => h.method === 'getFirstChart') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      // Asked together as the page starts; either may be answered first.
      assert.deepEqual(
        handled.slice(0, 2).sort((x, y) => x.method.localeCompare(y.method)),
        [{ method: 'getComparison', ok: true }, { method: 'getFirstChart', ok: true }],
      );
    } finally {
      sub.dispose();
    }
    assert.deepEqual(panel.source.groups, options.groups);
    const reply = await panel.dispatch({ kind: 'request', id: 9, method: 'getGroupSeries', params: { keys: ['loss'], buckets: 100, xAxis: 'step' } });
    assert.ok(reply?.ok, JSON.stringify(reply));
    const [group] = (reply.result as { groups: { label: string; runs: Float64Array; mean: Float64Array }[] }).groups;
    assert.ok(group);
    assert.equal(group.label, 'rf');
    assert.ok(group.runs instanceof Float64Array && group.runs.every((n) => n === 2));
    assert.equal(group.mean.length, 50);
    panel.dispose();
    // A group naming a run that is not compared is refused with a message, no panel.
    assert.equal(await vscode.commands.executeCommand('labbook.compareRuns', undefined, runs, { groups: [{ label: 'x', runIds: [...ids.slice(0, 1), 'f'.repeat(32)] }] }), undefined);
  });

  it('asks for two or more runs before comparing', async () => {
    assert.equal(await vscode.commands.executeCommand('labbook.compareRuns', runs[0], [runs[0]]), undefined);
  });
});
