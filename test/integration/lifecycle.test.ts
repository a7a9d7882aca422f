import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { SqliteTrackingStore } from '../../src/core/store/sqlite/sqliteTrackingStore.ts';
import type { PromoteResult } from '../../src/core/lifecycle/lifecycle.ts';
import type { LabbookApi } from '../../src/host/extension.ts';
import type { ModelsNode } from '../../src/host/trees/modelsTree.ts';
import { workspaceStore } from './support.ts';

const MODEL = 'lifecycle-model';

describe('Labbook model lifecycle in the Models view', () => {
  let api: LabbookApi;
  let other: SqliteTrackingStore;

  before(async () => {
    ({ api, other } = await workspaceStore());
    await other.createRegisteredModel(MODEL);
    // v1 (rmse 0.40) becomes the champion; v2 (rmse 0.55) is worse; v3 is archived.
    for (const rmse of [0.4, 0.55, 0.7]) {
      const run = await other.createRun({ experimentId: '0', runName: `train-${rmse}` });
      await other.logMetric(run.info.runId, { key: 'rmse', value: rmse, timestamp: Date.now(), step: 0 });
      await other.createModelVersion(MODEL, `runs:/${run.info.runId}/model`, run.info.runId);
    }
  });
  after(async () => {
    await vscode.commands.executeCommand('labbook.hideRetiredVersions');
    await other?.deleteRegisteredModel(MODEL);
    await other?.close();
  });

  const children = async (): Promise<ModelsNode[]> => {
    const [root] = await api.models.getChildren();
    assert.ok(root);
    const model = (await api.models.getChildren(root)).find((n) => n.kind === 'model' && n.model.name === MODEL);
    assert.ok(model, 'the registered model is listed');
    return api.models.getChildren(model);
  };
  const version = async (v: string) => {
    const node = (await children()).find((n) => n.kind === 'version' && n.version.version === v);
    assert.ok(node, `version ${v} is listed`);
    return node;
  };

  it('promotes through a gate, refuses a worse version, records an override with its reason in the History', async () => {
    const rules = ['metrics.rmse <= champion * 1.00'];
    const first = await vscode.commands.executeCommand<PromoteResult>('labbook.promoteModelVersion', await version('1'), { alias: 'champion', rules });
    assert.equal(first?.promoted, true, 'no champion yet: the gate passes');
    assert.equal((await other.getModelVersionByAlias(MODEL, 'champion')).version, '1');

    const refused = await vscode.commands.executeCommand<PromoteResult>('labbook.promoteModelVersion', await version('2'), { alias: 'champion', rules });
    assert.equal(refused?.promoted, false, 'rmse 0.55 > 0.40: refused');
    assert.equal(refused?.gate?.checks[0]?.passed, false);
    assert.equal((await other.getModelVersionByAlias(MODEL, 'champion')).version, '1', 'a refused promotion moves nothing');

    const forced = await vscode.commands.executeCommand<PromoteResult>('labbook.promoteModelVersion', await version('2'), { alias: 'champion', rules, overrideReason: 'hotfix for the holiday traffic' });
    assert.equal(forced?.promoted, true);
    assert.equal((await other.getModelVersionByAlias(MODEL, 'champion')).version, '2');

    const history = (await children()).find((n) => n.kind === 'history');
    assert.ok(history && history.kind === 'history', 'the model shows its History');
    const entries = await api.models.getChildren(history);
    const items = entries.map((n) => api.models.getTreeItem(n));
    assert.equal(items.length, 2, 'the promotion and the override; the refusal wrote nothing');
    assert.equal(items[0]?.label, '@champion → v2 (override)');
    // The tooltip is Markdown with every value escaped; read it as text.
    const tooltip = (items[0]?.tooltip as vscode.MarkdownString).value.replace(/\\(.)/g, '$1');
    assert.match(tooltip, /Reason: hotfix for the holiday traffic/);
    assert.match(tooltip, /From v1 to v2/);
    assert.match(tooltip, /✗ metrics\.rmse <= champion \* 1\.00/);
    assert.equal(items[1]?.label, '@champion → v1');
    // Kept as registered-model tags, so any MLflow client sees the same history.
    const tags = (await other.getRegisteredModel(MODEL)).tags.filter((t) => t.key.startsWith('labbook.audit.'));
    assert.equal(tags.length, 2);
  });

  it('archives a version: hidden by default, listed as retired when asked', async () => {
    assert.ok(await vscode.commands.executeCommand('labbook.archiveModelVersion', await version('3'), 'superseded'));
    let listed = await children();
    assert.ok(!listed.some((n) => n.kind === 'version' && n.version.version === '3'), 'retired versions are hidden');
    assert.ok(listed.some((n) => n.kind === 'message' && /1 retired version hidden/.test(n.text)));
    await vscode.commands.executeCommand('labbook.showRetiredVersions');
    listed = await children();
    const retired = listed.find((n) => n.kind === 'version' && n.version.version === '3');
    assert.ok(retired, 'listed once asked for');
    const item = api.models.getTreeItem(retired);
    assert.equal(item.contextValue, 'labbook.modelVersion.retired');
    assert.match(String(item.description), /retired/);
    const history = listed.find((n) => n.kind === 'history');
    assert.ok(history);
    const [latest] = await api.models.getChildren(history);
    assert.ok(latest);
    assert.equal(api.models.getTreeItem(latest).label, 'v3 archived');
    // Restored: active again, listed with the others, the restore in the History.
    await vscode.commands.executeCommand('labbook.hideRetiredVersions');
    assert.ok(await vscode.commands.executeCommand('labbook.restoreModelVersion', retired, 'archived by mistake'));
    listed = await children();
    assert.ok(listed.some((n) => n.kind === 'version' && n.version.version === '3'), 'a restored version is listed again');
    const after = listed.find((n) => n.kind === 'history');
    assert.ok(after);
    const [restored] = await api.models.getChildren(after);
    assert.ok(restored);
    assert.equal(api.models.getTreeItem(restored).label, 'v3 restored');
  });
});
