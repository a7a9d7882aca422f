// One store-change hub: whichever view or command changes a store, both views hear of it at once
// (before, Refresh in one view left the other as it was, and a run action redrew only its own view).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { SqliteTrackingStore } from '../../src/core/store/sqlite/sqliteTrackingStore.ts';
import type { LabbookApi } from '../../src/host/extension.ts';
import type { RunNode } from '../../src/host/trees/experimentsTree.ts';
import { workspaceStore } from './support.ts';

describe('Labbook store changes reach the Experiments view and the Models view alike', () => {
  let api: LabbookApi;
  let other: SqliteTrackingStore;
  const redrawn = { experiments: 0, models: 0 };
  const subscriptions: vscode.Disposable[] = [];

  before(async () => {
    ({ api, other } = await workspaceStore());
    subscriptions.push(
      api.experiments.onDidChangeTreeData(() => redrawn.experiments++),
      api.models.onDidChangeTreeData(() => redrawn.models++),
    );
  });
  after(async () => {
    for (const s of subscriptions) s.dispose();
    await other?.close();
  });
  beforeEach(() => {
    redrawn.experiments = 0;
    redrawn.models = 0;
  });

  it('redraws both views on Refresh in either one', async () => {
    await vscode.commands.executeCommand('labbook.refreshModels');
    assert.deepEqual({ experiments: redrawn.experiments > 0, models: redrawn.models > 0 }, { experiments: true, models: true }, 'after Refresh in the Models view');
    redrawn.experiments = 0;
    redrawn.models = 0;
    await vscode.commands.executeCommand('labbook.refreshExperiments');
    assert.deepEqual({ experiments: redrawn.experiments > 0, models: redrawn.models > 0 }, { experiments: true, models: true }, 'after Refresh in the Experiments view');
  });

  it('redraws both views when a run action writes the store, and the Experiments view shows the write', async () => {
    const experimentId = await other.createExperiment('hub');
    const created = await other.createRun({ experimentId, runName: 'before', startTime: 1_700_000_000_000 });
    await vscode.commands.executeCommand('labbook.refreshExperiments');
    const [local] = await api.experiments.getChildren();
    const experiment = (await api.experiments.getChildren(local)).find((n) => n.kind === 'experiment' && n.experiment.name === 'hub');
    assert.ok(experiment, 'the experiment is listed');
    const run = (await api.experiments.getChildren(experiment)).find((n): n is RunNode => n.kind === 'run' && n.run.info.runId === created.info.runId);
    assert.ok(run, 'the run is listed');
    redrawn.experiments = 0;
    redrawn.models = 0;

    assert.equal(await vscode.commands.executeCommand('labbook.renameRun', run, 'after'), true);
    // Published when the command returns: no waiting for the store's watcher.
    assert.deepEqual({ experiments: redrawn.experiments > 0, models: redrawn.models > 0 }, { experiments: true, models: true });
    const names = (await api.experiments.getChildren(experiment)).flatMap((n) => (n.kind === 'run' && n.run.info.runId === created.info.runId ? [n.run.info.runName] : []));
    assert.deepEqual(names, ['after']);
  });
});
