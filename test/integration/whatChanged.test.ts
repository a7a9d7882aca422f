// What Changed in the real extension host: "Compare with Version…" and "Compare with @champion" on
// a version node of the Models view open the panel, whose real webview asks for the comparison;
// the panel's own request path (dispatch) gives the diff the page received, and Open Diff opens
// VS Code's diff editor on the two runs' code snapshots.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { SqliteTrackingStore } from '../../src/core/store/sqlite/sqliteTrackingStore.ts';
import type { LabbookApi } from '../../src/host/extension.ts';
import type { ModelsNode } from '../../src/host/trees/modelsTree.ts';
import type { WhatChanged } from '../../src/protocol/whatChanged.ts';
import { firstRequest, workspaceStore } from './support.ts';

const MODEL = 'what-changed-model';

interface PanelHandle {
  readonly panel: vscode.WebviewPanel;
  readonly source: { readonly base: unknown; readonly remote: unknown };
  readonly onDidHandleRequest: vscode.Event<{ method: string; ok: boolean }>;
  dispatch(raw: unknown): Promise<{ ok: boolean; result?: unknown; error?: { message: string } } | undefined>;
  dispose(): void;
}

describe('Labbook What Changed between model versions', () => {
  let api: LabbookApi;
  let other: SqliteTrackingStore;
  let experimentId: string;
  const runs: string[] = [];

  before(async () => {
    ({ api, other } = await workspaceStore());
    experimentId = await other.createExperiment(`what-changed-${Date.now()}`);
    const text = (s: string) => new TextEncoder().encode(s);
    for (const [i, lr, rmse, numpy] of [[1, '0.1', 0.5, '1.26.4'], [2, '0.05', 0.4, '2.0.1']] as const) {
      const runId = (await other.createRun({ experimentId, runName: `wc-train-${i}`, startTime: 1000 * i })).info.runId;
      await other.logBatch(runId, {
        params: [{ key: 'lr', value: lr }],
        metrics: [{ key: 'rmse', value: rmse, timestamp: 1, step: 0 }],
        tags: [{ key: 'labbook.source.snapshot', value: 'labbook/code/train.py' }, { key: 'mlflow.source.git.commit', value: String(i).repeat(40) }],
      });
      await other.writeArtifact(runId, 'labbook/code/train.py', text(`lr = ${lr}\n`));
      await other.writeArtifact(runId, 'labbook/environment/requirements.txt', text(`numpy==${numpy}\n`));
      runs.push(runId);
    }
    await other.createRegisteredModel(MODEL);
    for (const runId of runs) await other.createModelVersion(MODEL, `runs:/${runId}/model`, runId);
    await other.setRegisteredModelAlias(MODEL, 'champion', '1');
  });
  after(async () => {
    await other?.deleteRegisteredModel(MODEL);
    await other?.deleteExperiment(experimentId);
    await other?.close();
  });

  const version = async (v: string): Promise<Extract<ModelsNode, { kind: 'version' }>> => {
    const [root] = await api.models.getChildren();
    assert.ok(root);
    const model = (await api.models.getChildren(root)).find((n) => n.kind === 'model' && n.model.name === MODEL);
    assert.ok(model, 'the registered model is listed');
    const found = (await api.models.getChildren(model)).find((n): n is Extract<ModelsNode, { kind: 'version' }> => n.kind === 'version' && n.version.version === v);
    assert.ok(found, `version ${v} is listed`);
    return found;
  };

  it('Compare with Version… opens the panel; its webview receives the params, metric delta and package changes', async () => {
    const panel = await vscode.commands.executeCommand<PanelHandle | undefined>('labbook.compareModelVersionWith', await version('2'), '1');
    assert.ok(panel, 'a What Changed panel opened');
    try {
      const first = await firstRequest(panel);
      assert.deepEqual(first, { method: 'getDiff', ok: true }, "the page's own request was answered");
      const reply = await panel.dispatch({ kind: 'request', id: 1, method: 'getDiff', params: null });
      assert.ok(reply?.ok, reply?.error?.message);
      const diff = reply.result as WhatChanged;
      assert.equal(diff.base.label, `${MODEL} v1 (@champion)`);
      assert.equal(diff.remote.label, `${MODEL} v2`);
      assert.deepEqual(diff.params.rows.map((p) => [p.key, p.base, p.remote, p.change]), [['lr', '0.1', '0.05', 'changed']]);
      const [rmse] = diff.metrics.rows;
      assert.equal(rmse?.verdict, 'better');
      assert.ok(Math.abs((rmse?.deltaPercent ?? 0) + 20) < 1e-9);
      assert.deepEqual(diff.environment.packages, [{ name: 'numpy', base: '1.26.4', remote: '2.0.1', change: 'upgraded' }]);
      assert.equal(diff.code.range, '1111111..2222222');
      assert.equal(diff.code.snapshotDiffers, true);
      assert.match(panel.panel.title, /What Changed: what-changed-model v1/);

      // Open Diff: VS Code's diff editor on the two snapshots, served by the artifact file system.
      const open = await panel.dispatch({ kind: 'request', id: 2, method: 'openDiff', params: { file: 'snapshot' } });
      assert.ok(open?.ok, open?.error?.message);
      let input: unknown;
      for (let i = 0; i < 100 && !(input instanceof vscode.TabInputTextDiff); i++) {
        input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
        if (!(input instanceof vscode.TabInputTextDiff)) await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(input instanceof vscode.TabInputTextDiff, 'a diff editor is active');
      assert.equal(input.original.scheme, 'labbook-artifact');
      assert.match(input.modified.path, /labbook\/code\/train\.py$/);
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    } finally {
      panel.dispose();
    }
  });

  it('What Changed between two selected runs takes the older as the baseline', async () => {
    const [older, newer] = runs as [string, string];
    const panel = await vscode.commands.executeCommand<PanelHandle | undefined>('labbook.whatChangedRuns', undefined, [{ rootId: 'local', runId: newer }, { rootId: 'local', runId: older }]);
    assert.ok(panel, 'a What Changed panel opened');
    try {
      assert.deepEqual(panel.source.remote, { kind: 'run', runId: newer });
      const reply = await panel.dispatch({ kind: 'request', id: 1, method: 'getDiff', params: null });
      assert.ok(reply?.ok, reply?.error?.message);
      assert.deepEqual((reply.result as WhatChanged).params.rows.map((p) => p.change), ['changed']);
    } finally {
      panel.dispose();
    }
  });

  it('asks its page to compare again when the store changes', async () => {
    const panel = await vscode.commands.executeCommand<PanelHandle | undefined>('labbook.compareModelVersionWith', await version('2'), '1');
    assert.ok(panel, 'a What Changed panel opened');
    try {
      assert.deepEqual(await firstRequest(panel), { method: 'getDiff', ok: true });
      const again = firstRequest(panel);
      await other.logMetric(runs[1] as string, { key: 'late_metric', value: 1, timestamp: 5, step: 0 });
      await vscode.commands.executeCommand('labbook.refreshExperiments');
      assert.deepEqual(await again, { method: 'getDiff', ok: true }, 'the page read the comparison again');
      const reply = await panel.dispatch({ kind: 'request', id: 1, method: 'getDiff', params: null });
      assert.ok(reply?.ok, reply?.error?.message);
      assert.ok((reply.result as WhatChanged).metrics.rows.some((m) => m.key === 'late_metric' && m.change === 'added'));
    } finally {
      panel.dispose();
    }
  });

  it('What Changed between runs turns bad arguments into a message, not a rejected command', async () => {
    assert.equal(await vscode.commands.executeCommand('labbook.whatChangedRuns', undefined, ['not a run', 42]), undefined);
  });

  it('Compare with @champion takes the champion as the baseline', async () => {
    const panel = await vscode.commands.executeCommand<PanelHandle | undefined>('labbook.compareModelVersionWithAlias', await version('2'));
    assert.ok(panel, 'a What Changed panel opened');
    try {
      assert.deepEqual(panel.source.base, { kind: 'version', name: MODEL, version: '1' });
      assert.deepEqual(panel.source.remote, { kind: 'version', name: MODEL, version: '2' });
    } finally {
      panel.dispose();
    }
  });
});
