import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { SqliteTrackingStore } from '../../src/core/store/sqlite/sqliteTrackingStore.ts';
import type { LabbookApi } from '../../src/host/extension.ts';
import type { ModelsNode } from '../../src/host/trees/modelsTree.ts';
import { workspaceStore } from './support.ts';

describe('Labbook Models view over the local store', () => {
  let api: LabbookApi;
  let other: SqliteTrackingStore;

  before(async () => {
    ({ api, other } = await workspaceStore());
    const run = await other.createRun({ experimentId: '0', runName: 'trainer' });
    await other.createRegisteredModel('churn-model', { description: 'predicts churn', tags: [{ key: 'team', value: 'growth' }] });
    await other.createModelVersion('churn-model', `runs:/${run.info.runId}/model`, run.info.runId);
    await other.createModelVersion('churn-model', `runs:/${run.info.runId}/model`, run.info.runId);
  });
  after(async () => {
    await other?.deleteRegisteredModel('churn-model');
    await other?.close();
  });

  const versions = async (): Promise<Extract<ModelsNode, { kind: 'version' }>[]> => {
    const [root] = await api.models.getChildren();
    assert.ok(root);
    const model = (await api.models.getChildren(root)).find((n) => n.kind === 'model' && n.model.name === 'churn-model');
    assert.ok(model, 'the registered model is listed');
    return (await api.models.getChildren(model)).filter((n): n is Extract<ModelsNode, { kind: 'version' }> => n.kind === 'version');
  };

  it('lists registered models and their versions, newest first, with the source run', async () => {
    const list = await versions();
    assert.deepEqual(list.map((n) => n.version.version), ['2', '1']);
    const item = api.models.getTreeItem(list[0] as ModelsNode);
    assert.equal(item.label, 'Version 2');
    assert.match((item.tooltip as vscode.MarkdownString).value, /Source: `runs:\/[0-9a-f]{32}\/model`/);
  });

  it('sets and removes an alias from the view', async () => {
    const [latest] = await versions();
    assert.equal(await vscode.commands.executeCommand('labbook.setModelAlias', latest, 'champion'), true);
    assert.equal((await other.getModelVersionByAlias('churn-model', 'champion')).version, '2');
    const [aliased] = await versions();
    assert.deepEqual(aliased?.version.aliases, ['champion']);
    assert.equal(api.models.getTreeItem(aliased as ModelsNode).contextValue, 'labbook.modelVersion.aliased');
    assert.equal(await vscode.commands.executeCommand('labbook.removeModelAlias', aliased, 'champion'), true);
    await assert.rejects(other.getModelVersionByAlias('churn-model', 'champion'));
    assert.equal(await vscode.commands.executeCommand('labbook.setModelAlias', latest, 'latest'), false, "'latest' is reserved");
  });

  it('opens the source run of a version in the Run Details panel', async () => {
    const [latest] = await versions();
    const panel = await vscode.commands.executeCommand<{ panel: vscode.WebviewPanel; dispose(): void } | undefined>('labbook.openModelSourceRun', latest);
    assert.ok(panel, 'a details panel opened');
    // The title names the run once the panel has read it (bounded wait).
    for (let i = 0; i < 100 && panel.panel.title !== 'Run: trainer'; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(panel.panel.title, 'Run: trainer');
    panel.dispose();
  });
});
