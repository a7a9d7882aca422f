import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SqliteTrackingStore } from '../../src/core/store/sqlite/sqliteTrackingStore.ts';
import type { LabbookApi } from '../../src/host/extension.ts';
import type { ComparePanel } from '../../src/host/panels/comparePanel.ts';
import type { RunsTablePanel } from '../../src/host/panels/runsTablePanel.ts';
import type { ExperimentNode, ExplorerNode } from '../../src/host/trees/experimentsTree.ts';
import type { RowPage, TableSchema, ViewResult } from '../../src/protocol/runsTable.ts';
import { firstRequest, workspaceStore } from './support.ts';


function compareTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('labbook.compare'));
}

/** Resolves once there are `count` compare tabs (tabs appear a moment after their panel is created). */
function compareTabCount(count: number, ms = 30_000): Promise<number> {
  if (compareTabs().length === count) return Promise.resolve(count);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`expected ${count} compare tabs within ${ms} ms, have ${compareTabs().length}`));
    }, ms);
    const sub = vscode.window.tabGroups.onDidChangeTabs(() => {
      if (compareTabs().length !== count) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(count);
    });
  });
}

describe('Labbook Runs Table in the real extension host', () => {
  let api: LabbookApi;
  let other: SqliteTrackingStore;
  let experiment: ExperimentNode;
  let id = 0;

  before(async () => {
    ({ api, other } = await workspaceStore());
    const experimentId = await other.createExperiment('runs-table');
    for (let i = 0; i < 12; i++) {
      const run = await other.createRun({ experimentId, runName: i === 0 ? '<img src=x onerror=alert(1)>' : `trial-${i}`, startTime: 1_700_000_000_000 + i });
      await other.logBatch(run.info.runId, {
        params: [{ key: 'model', value: ['rf', 'gbm', 'linear'][i % 3] ?? 'rf' }, { key: 'seed', value: String(i % 2) }],
        metrics: [{ key: 'score', value: i / 12, timestamp: 1, step: 0 }],
      });
      await other.updateRun(run.info.runId, { status: 'FINISHED', endTime: 1_700_000_060_000 });
    }
    await vscode.commands.executeCommand('labbook.refreshExperiments');
    const [local] = await api.experiments.getChildren();
    const found = (await api.experiments.getChildren(local)).find((n: ExplorerNode) => n.kind === 'experiment' && n.experiment.name === 'runs-table');
    assert.ok(found?.kind === 'experiment');
    experiment = found;
  });
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await other?.close();
  });

  const ask = async <T>(panel: RunsTablePanel, method: string, params: unknown): Promise<T> => {
    const reply = await panel.dispatch({ kind: 'request', id: ++id, method, params });
    assert.ok(reply?.ok, `${method}: ${JSON.stringify(reply)}`);
    return reply.result as T;
  };

  it('opens from the experiment node; the real webview asks for the schema; filter, select three rows, Compare', async () => {
    const panel = await vscode.commands.executeCommand<RunsTablePanel>('labbook.openRunsTable', experiment);
    assert.ok(panel, 'the command returns the panel');
    assert.deepEqual(await firstRequest(panel), { method: 'getSchema', ok: true });
    assert.equal(await vscode.commands.executeCommand('labbook.openRunsTable', experiment), panel, 'opening it again reveals the same table');

    const schema = await ask<TableSchema>(panel, 'getSchema', null);
    assert.equal(schema.store, 'local');
    assert.equal(schema.total, 12);
    assert.ok(schema.columns.some((c) => c.id === 'params.model') && schema.columns.some((c) => c.id === 'metrics.score'));

    const bad = await ask<ViewResult>(panel, 'setView', { view: { ...schema.view, filter: "params.model = rf" } });
    assert.match(bad.error ?? '', /quoted string/);
    const malformed = await panel.dispatch({ kind: 'request', id: ++id, method: 'setView', params: { view: { ...schema.view, sort: [{ columnId: 'metrics.score' }] } } });
    assert.equal(malformed?.ok, false);
    assert.ok(malformed && !malformed.ok && malformed.error.code === 'badParams' && malformed.error.message.includes('view.sort[0].descending'), JSON.stringify(malformed));

    const filtered = await ask<ViewResult>(panel, 'setView', { view: { ...schema.view, filter: "params.model = 'rf'", sort: [{ columnId: 'metrics.score', descending: true }] } });
    assert.deepEqual(filtered, { total: 4, hiddenByPreset: [] });
    const page = await ask<RowPage>(panel, 'getRows', { offset: 0, limit: 50, columnIds: ['attributes.run_name', 'metrics.score'] });
    assert.deepEqual(page.rows.map((r) => r.cells['attributes.run_name']), ['trial-9', 'trial-6', 'trial-3', '<img src=x onerror=alert(1)>']);

    const selected = page.rows.slice(0, 3).map((r) => r.runId);
    assert.equal(compareTabs().length, 0);
    await ask(panel, 'compareRuns', { runIds: selected, grouped: false });
    assert.equal(await compareTabCount(1), 1, 'the compare panel opened');
    const compare = await vscode.commands.executeCommand<ComparePanel>('labbook.compareRuns', undefined, selected.map((runId) => ({ rootId: 'local', runId })));
    assert.deepEqual([...(compare?.source.runIds ?? [])].sort(), [...selected].sort(), 'the compare panel shows exactly the three selected runs');
    assert.equal(compareTabs().length, 1, 'and it was the one the table opened');
    compare?.dispose();
    await compareTabCount(0);
  });

  it('compares grouped runs as groups, keeps the view for the experiment, and exports the visible table', async () => {
    const panel = await vscode.commands.executeCommand<RunsTablePanel>('labbook.openRunsTable', { rootId: 'local', experimentIds: [experiment.experiment.experimentId] });
    assert.ok(panel);
    const schema = await ask<TableSchema>(panel, 'getSchema', null);
    assert.equal(schema.view.filter, "params.model = 'rf'", 'the view set before is kept');
    await ask<ViewResult>(panel, 'setView', { view: { ...schema.view, filter: '', groupBy: ['params.seed'] } });
    const groups = await ask<{ key: unknown[]; count: number }[]>(panel, 'getGroups', {});
    assert.deepEqual(groups.map((g) => [g.key, g.count]), [[['0'], 6], [['1'], 6]]);
    const rows = await ask<RowPage>(panel, 'getRows', { offset: 0, limit: 4, columnIds: ['params.seed'] });
    const runIds = rows.rows.map((r) => r.runId);
    await ask(panel, 'compareRuns', { runIds, grouped: true });
    assert.equal(await compareTabCount(1), 1, 'the grouped comparison opened');
    // The same runs and groups reveal that panel: its groups are the table's, one per seed.
    const groupsOf = new Map<string, string[]>();
    for (const row of rows.rows) {
      const label = `seed=${String(row.cells['params.seed'])}`;
      groupsOf.set(label, [...(groupsOf.get(label) ?? []), row.runId]);
    }
    const expected = [...groupsOf].map(([label, ids]) => ({ label, runIds: ids }));
    const refs = runIds.map((runId) => ({ rootId: 'local', runId }));
    const compare = await vscode.commands.executeCommand<ComparePanel>('labbook.compareRuns', undefined, refs, { groups: expected });
    assert.deepEqual(compare?.source.groups, expected);
    assert.equal(compareTabs().length, 1, 'no second comparison: the table opened this one');

    const out = path.join(mkdtempSync(path.join(tmpdir(), 'labbook-runs-table-')), 'runs.csv');
    await panel.exportTo(vscode.Uri.file(out));
    const lines = readFileSync(out, 'utf8').trimEnd().split('\r\n');
    assert.equal(lines.length, 13);
    assert.match(lines[0] ?? '', /^run_id,attributes\.run_name,attributes\.status/);
    panel.dispose();
  });

  it('acts on selected rows through the tree\'s commands: pin, delete (soft, restorable); refuses runs of other experiments', async () => {
    const panel = await vscode.commands.executeCommand<RunsTablePanel>('labbook.openRunsTable', experiment);
    assert.ok(panel);
    const schema = await ask<TableSchema>(panel, 'getSchema', null);
    await ask<ViewResult>(panel, 'setView', { view: { ...schema.view, filter: '', groupBy: [] } });
    const [first, second] = (await ask<RowPage>(panel, 'getRows', { offset: 0, limit: 2, columnIds: [] })).rows.map((r) => r.runId);
    assert.ok(first && second);
    await ask(panel, 'pinRuns', { runIds: [first], pinned: true });
    assert.ok(api.experiments.pinned.some((p) => p.runId === first && p.rootId === 'local'), 'pinned in the tree');
    await ask(panel, 'pinRuns', { runIds: [first], pinned: false });
    assert.ok(!api.experiments.pinned.some((p) => p.runId === first));
    await ask(panel, 'deleteRuns', { runIds: [second] });
    assert.equal((await other.getRun(second)).info.lifecycleStage, 'deleted', 'soft-deleted in the store');
    const after = await ask<TableSchema>(panel, 'getSchema', null);
    assert.equal(after.total, 11);
    await vscode.commands.executeCommand('labbook.restoreRuns', [{ kind: 'run', root: experiment.root, run: await other.getRun(second) }]);
    assert.equal((await other.getRun(second)).info.lifecycleStage, 'active', 'Undo restores it');
    const elsewhere = await other.createRun({ experimentId: '0', runName: 'elsewhere' });
    const refused = await panel.dispatch({ kind: 'request', id: ++id, method: 'deleteRuns', params: { runIds: [elsewhere.info.runId] } });
    assert.ok(refused && !refused.ok && /not in this table's experiments/.test(refused.error.message), JSON.stringify(refused));
    assert.equal((await other.getRun(elsewhere.info.runId)).info.lifecycleStage, 'active');
    panel.dispose();
  });

  it('opens one table over several selected experiments', async () => {
    const second = await other.createExperiment('runs-table-b');
    for (let i = 0; i < 3; i++) await other.createRun({ experimentId: second, runName: `b-${i}` });
    await vscode.commands.executeCommand('labbook.refreshExperiments');
    const [local] = await api.experiments.getChildren();
    const nodes = (await api.experiments.getChildren(local)).filter((n: ExplorerNode): n is ExperimentNode => n.kind === 'experiment' && n.experiment.name.startsWith('runs-table'));
    assert.equal(nodes.length, 2);
    const panel = await vscode.commands.executeCommand<RunsTablePanel>('labbook.openRunsTable', nodes[0], nodes);
    assert.ok(panel);
    assert.deepEqual([...panel.source.experimentIds].sort(), nodes.map((n) => n.experiment.experimentId).sort());
    const schema = await ask<TableSchema>(panel, 'getSchema', null);
    assert.deepEqual(schema.experiments.map((e) => e.name).sort(), ['runs-table', 'runs-table-b']);
    const all = await ask<ViewResult>(panel, 'setView', { view: { ...schema.view, filter: '' } });
    assert.equal(all.total, 12 + 3);
    panel.dispose();
  });
});
