import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { SqliteTrackingStore } from '../../src/core/store/sqlite/sqliteTrackingStore.ts';
import type { LabbookApi } from '../../src/host/extension.ts';
import type { ExplorerNode } from '../../src/host/trees/experimentsTree.ts';
import { workspaceStore } from './support.ts';

/** Waits for the tree to announce a change (bounded). */
function changed(api: LabbookApi, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`the Experiments view did not change within ${ms} ms`));
    }, ms);
    const sub = api.experiments.onDidChangeTreeData(() => {
      clearTimeout(timer);
      sub.dispose();
      resolve();
    });
  });
}

describe('Labbook Experiments view over the local store', () => {
  let api: LabbookApi;
  let other: SqliteTrackingStore;
  let experimentId: string;

  const children = async (node?: ExplorerNode) => api.experiments.getChildren(node);
  const runsOf = async () => {
    const [local] = await children();
    assert.ok(local);
    const experiment = (await children(local)).find((n) => n.kind === 'experiment' && n.experiment.name === 'churn');
    assert.ok(experiment, 'the seeded experiment is shown');
    return children(experiment);
  };
  const names = (nodes: ExplorerNode[]) => nodes.flatMap((n) => (n.kind === 'run' ? [n.run.info.runName] : []));

  before(async () => {
    ({ api, other } = await workspaceStore());
    experimentId = await other.createExperiment('churn');
    for (let i = 0; i < 25; i++) {
      const run = await other.createRun({ experimentId, runName: `run-${String(i).padStart(2, '0')}`, startTime: 1_700_000_000_000 + i * 1000 });
      await other.logBatch(run.info.runId, {
        metrics: [{ key: 'rmse', value: 1 - i / 100, timestamp: 1, step: 0 }],
        params: [{ key: 'model', value: i % 2 ? 'rf' : 'gbm' }],
      });
      if (i !== 24) await other.updateRun(run.info.runId, { status: i === 3 ? 'FAILED' : 'FINISHED', endTime: 1_700_000_000_000 + i * 1000 + 65_000 });
    }
    await vscode.workspace.getConfiguration('labbook.explorer').update('pageSize', 10, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('labbook.refreshExperiments');
  });

  after(async () => {
    await vscode.commands.executeCommand('labbook.groupRuns', null);
    await vscode.commands.executeCommand('labbook.clearRunFilter');
    await vscode.commands.executeCommand('labbook.sortRuns', []);
    await vscode.workspace.getConfiguration('labbook.explorer').update('pageSize', undefined, vscode.ConfigurationTarget.Workspace);
    await other?.close();
  });

  it('shows the local store, its experiments, and a first page of runs with status, metrics and details', async () => {
    const roots = await children();
    assert.deepEqual(roots.map((n) => n.kind === 'store' && n.root.label), ['Local']);
    const experiments = await children(roots[0]);
    assert.deepEqual(experiments.map((n) => n.kind === 'experiment' && n.experiment.name), ['Default', 'churn']);
    const runs = await runsOf();
    assert.equal(runs.length, 11, 'a page of 10 runs and "Load more…"');
    assert.equal(runs.at(-1)?.kind, 'more');
    const newest = runs[0];
    assert.ok(newest?.kind === 'run');
    assert.equal(newest.run.info.runName, 'run-24');
    const item = api.experiments.getTreeItem(newest);
    assert.equal((item.iconPath as vscode.ThemeIcon).id, 'sync~spin', 'a running run spins');
    assert.match(String(item.description), /rmse 0\.76/);
    assert.equal(item.contextValue, 'labbook.run.running');
    const finished = api.experiments.getTreeItem(runs[1] as ExplorerNode);
    assert.equal((finished.iconPath as vscode.ThemeIcon).id, 'pass');
    assert.match(String(finished.description), /1 min 5 s/);
    assert.match((finished.tooltip as vscode.MarkdownString).value, /\| model \| rf \|/);
  });

  it('loads more runs a page at a time', async () => {
    const first = await runsOf();
    const more = first.at(-1);
    assert.ok(more?.kind === 'more');
    await vscode.commands.executeCommand('labbook.loadMoreRuns', more);
    const second = await runsOf();
    assert.equal(names(second).length, 20);
    assert.deepEqual(names(second).slice(0, 10), names(first));
  });

  it('filters with MLflow syntax, refuses a bad filter clearly, and sorts', async () => {
    await vscode.commands.executeCommand('labbook.filterRuns', "params.model = 'rf' and metrics.rmse < 0.9");
    const filtered = names(await runsOf());
    assert.deepEqual(filtered, ['run-23', 'run-21', 'run-19', 'run-17', 'run-15', 'run-13', 'run-11']);
    await vscode.commands.executeCommand('labbook.filterRuns', 'metrics.rmse <<< 1');
    assert.equal(api.experiments.query.filter, "params.model = 'rf' and metrics.rmse < 0.9", 'a bad filter leaves the last good one');
    await vscode.commands.executeCommand('labbook.sortRuns', ['metrics.rmse DESC']);
    assert.deepEqual(names(await runsOf()).slice(0, 2), ['run-11', 'run-13']);
    await vscode.commands.executeCommand('labbook.clearRunFilter');
    await vscode.commands.executeCommand('labbook.sortRuns', []);
    assert.equal(names(await runsOf())[0], 'run-24');
  });

  it('shows only the runs with a chosen status', async () => {
    await vscode.commands.executeCommand('labbook.showRunsWithStatus', 'FAILED');
    assert.deepEqual(names(await runsOf()), ['run-03']);
    await vscode.commands.executeCommand('labbook.showRunsWithStatus', 'RUNNING');
    assert.deepEqual(names(await runsOf()), ['run-24']);
    await vscode.commands.executeCommand('labbook.showRunsWithStatus', 'ALL');
    assert.equal(names(await runsOf()).length, 10);
  });

  it('groups runs by a param, by a tag and by parent run, and ungroups', async () => {
    await vscode.commands.executeCommand('labbook.groupRuns', { kind: 'param', key: 'model' });
    const groups = (await runsOf()).filter((n) => n.kind === 'group');
    assert.deepEqual(groups.map((n) => n.kind === 'group' && n.entry.label), ['model = gbm', 'model = rf']);
    assert.equal((await runsOf()).at(-1)?.kind, 'more', '"Load more…" stays below the groups');
    const gbm = api.experiments.getTreeItem(groups[0] as ExplorerNode);
    assert.equal(gbm.description, '5 runs', 'the first page of 10 holds 5 gbm runs');
    assert.deepEqual(names(await children(groups[1])), ['run-23', 'run-21', 'run-19', 'run-17', 'run-15']);
    const parent = names(await children(groups[0]))[0];
    assert.equal(parent, 'run-24');

    const [p, c] = (await children(groups[0])).filter((n) => n.kind === 'run');
    assert.ok(p?.kind === 'run' && c?.kind === 'run');
    await other.setTag(c.run.info.runId, { key: 'mlflow.parentRunId', value: p.run.info.runId });
    await vscode.commands.executeCommand('labbook.groupRuns', { kind: 'parent' });
    await vscode.commands.executeCommand('labbook.refreshExperiments');
    const top = await runsOf();
    const parentNode = top.find((n) => n.kind === 'run' && n.run.info.runId === p.run.info.runId);
    assert.ok(parentNode, 'the parent run is at the top level');
    assert.equal(api.experiments.getTreeItem(parentNode).collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);
    assert.deepEqual(names(await children(parentNode)), [c.run.info.runName]);
    assert.ok(!names(top).includes(c.run.info.runName), 'the child is nested, not repeated');

    await vscode.commands.executeCommand('labbook.groupRuns', null);
    assert.equal(api.experiments.query.groupBy, undefined);
    assert.equal(names(await runsOf()).length, 10);
  });

  it('pins runs on top, even when the filter would hide them, and unpins them', async () => {
    const last = (await runsOf()).filter((n) => n.kind === 'run').at(-1);
    assert.ok(last?.kind === 'run');
    await vscode.commands.executeCommand('labbook.pinRun', last);
    const pinned = await runsOf();
    assert.equal(names(pinned)[0], last.run.info.runName);
    const item = api.experiments.getTreeItem(pinned[0] as ExplorerNode);
    assert.match(String(item.contextValue), /\.pinned$/);
    assert.match(String(item.description), /^pinned/);
    await vscode.commands.executeCommand('labbook.filterRuns', "attributes.status = 'FAILED'");
    assert.deepEqual(names(await runsOf()), [last.run.info.runName, 'run-03']);
    await vscode.commands.executeCommand('labbook.unpinRun', last);
    assert.deepEqual(names(await runsOf()), ['run-03']);
    await vscode.commands.executeCommand('labbook.clearRunFilter');
  });

  it('shows a run logged by another process without a manual refresh', async () => {
    await runsOf();
    const update = changed(api, 10_000);
    await other.createRun({ experimentId, runName: 'from-another-process', startTime: 1_800_000_000_000 });
    await update;
    assert.equal(names(await runsOf())[0], 'from-another-process');
  });
});

describe('Labbook run actions from the Experiments view', () => {
  let api: LabbookApi;
  let other: SqliteTrackingStore;
  let experimentId: string;

  before(async () => {
    ({ api, other } = await workspaceStore());
    experimentId = await other.createExperiment('actions');
    for (const name of ['keep', 'a', 'b']) await other.createRun({ experimentId, runName: name });
    await vscode.commands.executeCommand('labbook.refreshExperiments');
  });
  after(() => other?.close());

  const runNodes = async () => {
    const [local] = await api.experiments.getChildren();
    const experiment = (await api.experiments.getChildren(local)).find((n) => n.kind === 'experiment' && n.experiment.name === 'actions');
    return (await api.experiments.getChildren(experiment)).filter((n) => n.kind === 'run');
  };
  const byName = async (name: string) => {
    const node = (await runNodes()).find((n) => n.kind === 'run' && n.run.info.runName === name);
    assert.ok(node, `run ${name} is shown`);
    return node;
  };

  it('renames a run, tags several, and keeps a note', async () => {
    const keep = await byName('keep');
    assert.equal(await vscode.commands.executeCommand('labbook.renameRun', keep, 'kept'), true);
    const [a, b] = [await byName('a'), await byName('b')];
    assert.equal(await vscode.commands.executeCommand('labbook.addRunTag', a, [a, b], 'stage=review'), true);
    const kept = await byName('kept');
    assert.equal(await vscode.commands.executeCommand('labbook.editRunNote', kept, 'the good one'), true);
    assert.ok(kept.kind === 'run');
    const stored = await other.getRun(kept.run.info.runId);
    assert.equal(stored.info.runName, 'kept');
    assert.ok(stored.data.tags.some((t) => t.key === 'mlflow.note.content' && t.value === 'the good one'));
    for (const node of [a, b]) {
      assert.ok(node.kind === 'run');
      assert.ok((await other.getRun(node.run.info.runId)).data.tags.some((t) => t.key === 'stage' && t.value === 'review'));
    }
  });

  it('deletes the selected runs and restores them', async () => {
    const [a, b] = [await byName('a'), await byName('b')];
    assert.equal(await vscode.commands.executeCommand('labbook.deleteRuns', a, [a, b], true), true);
    assert.deepEqual((await runNodes()).map((n) => n.kind === 'run' && n.run.info.runName), ['kept']);
    assert.equal(await vscode.commands.executeCommand('labbook.restoreRuns', [a, b]), true);
    assert.equal((await runNodes()).length, 3);
  });

  it('opens artifacts and the code snapshot in VS Code editors, read-only, and registers a model from an artifact folder', async () => {
    const kept = await byName('kept');
    assert.ok(kept.kind === 'run');
    const id = kept.run.info.runId;
    await other.writeArtifact(id, 'labbook/code/train.py', new TextEncoder().encode('print("snapshot")\n'));
    await other.setTag(id, { key: 'labbook.source.snapshot', value: 'labbook/code/train.py' });
    await other.writeArtifact(id, 'model/MLmodel', new TextEncoder().encode('flavors: {}\n'));
    await other.writeArtifact(id, 'reports/summary.txt', new TextEncoder().encode('accuracy 0.93\n'));
    await vscode.commands.executeCommand('labbook.refreshExperiments');
    const fresh = await byName('kept');

    assert.equal(await vscode.commands.executeCommand('labbook.openRunArtifacts', fresh, undefined, 'reports/summary.txt'), true);
    const opened = vscode.window.activeTextEditor?.document;
    assert.equal(opened?.uri.scheme, 'labbook-artifact');
    assert.equal(opened?.getText(), 'accuracy 0.93\n');
    const entries = await vscode.workspace.fs.readDirectory(opened.uri.with({ path: opened.uri.path.replace(/\/reports\/summary\.txt$/, '') }));
    assert.deepEqual(entries.map(([name]) => name).sort(), ['labbook', 'model', 'reports']);
    await assert.rejects(Promise.resolve(vscode.workspace.fs.writeFile(opened.uri, new Uint8Array([1]))), 'artifacts are read-only');

    assert.equal(await vscode.commands.executeCommand('labbook.revealRunSnapshot', fresh), true);
    assert.equal(vscode.window.activeTextEditor?.document.getText(), 'print("snapshot")\n');

    const version = await vscode.commands.executeCommand<string>('labbook.registerModel', fresh, undefined, { artifactPath: 'model', name: 'churn-classifier' });
    assert.equal(version, '1');
    const registered = await other.getModelVersion('churn-classifier', '1');
    assert.equal(registered.source, `runs:/${id}/model`);
    assert.equal(registered.runId, id);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
