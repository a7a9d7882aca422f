// Show Lineage in the real extension host: from a model version of the Models view, the panel's
// graph holds the version, the run it came from and what that run read (an MLflow dataset input and
// a data file); from the data file itself, the runs that read it. The graph is asked for through the
// panel's own request path (dispatch), as the page asks for it.
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { writeDataRecord } from '../../src/core/data/dataRecord.ts';
import type { SqliteTrackingStore } from '../../src/core/store/sqlite/sqliteTrackingStore.ts';
import type { LabbookApi } from '../../src/host/extension.ts';
import type { LineagePanel } from '../../src/host/panels/lineagePanel.ts';
import type { ModelsNode } from '../../src/host/trees/modelsTree.ts';
import type { LineageResult } from '../../src/protocol/lineage.ts';
import { workspaceStore } from './support.ts';

const MODEL = 'lineage-model';
const CONTENT = 'x,y\n1,2\n3,4\n';

async function graphOf(panel: LineagePanel): Promise<Extract<LineageResult, { kind: 'graph' }>> {
  const reply = await panel.dispatch({ kind: 'request', id: 1, method: 'getGraph', params: null });
  assert.ok(reply?.ok, `getGraph answered: ${JSON.stringify(reply)}`);
  const result = reply.result as LineageResult;
  assert.equal(result.kind, 'graph', JSON.stringify(result));
  return result;
}

describe('Labbook Lineage view', () => {
  let api: LabbookApi;
  let other: SqliteTrackingStore;
  let runId: string;
  let dataFile: string;
  let laterRun: string | undefined;
  const panels: LineagePanel[] = [];

  before(async () => {
    ({ api, other } = await workspaceStore());
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(folder, 'the test workspace has a folder');
    dataFile = path.join(folder, 'lineage-train.csv');
    writeFileSync(dataFile, CONTENT);
    runId = (await other.createRun({ experimentId: '0', runName: 'lineage-trainer' })).info.runId;
    await other.logInputs(runId, [{ tags: [], dataset: { name: 'houses', digest: 'h0uses01', sourceType: 'local', source: '{"uri": "houses.csv"}' } }]);
    const sha256 = createHash('sha256').update(CONTENT).digest('hex');
    await writeDataRecord(other, runId, { version: 1, cwd: folder, outputs: [], notes: [], inputs: [{ path: 'lineage-train.csv', kind: 'file', found: ['observed'], sha256 }] });
    await other.createRegisteredModel(MODEL);
    await other.createModelVersion(MODEL, `runs:/${runId}/model`, runId);
  });
  after(async () => {
    for (const panel of panels) panel.dispose();
    await other?.deleteRegisteredModel(MODEL);
    await other?.deleteRun(runId);
    if (laterRun) await other?.deleteRun(laterRun);
    await other?.close();
    if (dataFile) rmSync(dataFile, { force: true });
  });

  it('opens from a model version with the version, its run and what the run read', async () => {
    const [root] = await api.models.getChildren();
    assert.ok(root);
    const model = (await api.models.getChildren(root)).find((n) => n.kind === 'model' && n.model.name === MODEL);
    assert.ok(model, 'the registered model is listed');
    const version = (await api.models.getChildren(model)).find((n): n is Extract<ModelsNode, { kind: 'version' }> => n.kind === 'version');
    assert.ok(version);
    const panel = await vscode.commands.executeCommand<LineagePanel | undefined>('labbook.showLineage', version);
    assert.ok(panel, 'a Lineage panel opened');
    panels.push(panel);
    const result = await graphOf(panel);
    const ids = result.graph.nodes.map((n) => n.id);
    assert.equal(result.graph.focus, `modelVersion:${MODEL}/1`);
    for (const id of [`modelVersion:${MODEL}/1`, `run:${runId}`, 'dataset:h0uses01:houses']) assert.ok(ids.includes(id), `${id} in ${ids.join(', ')}`);
    assert.ok(result.graph.nodes.some((n) => n.kind === 'data' && n.absolutePath === dataFile), 'the data file the run read');
    assert.equal(panel.panel.title, `Lineage: ${MODEL} v1`);
    // The same focus again reveals the open panel.
    assert.equal(await vscode.commands.executeCommand('labbook.showLineage', version), panel);
    // Opening the run node (as a double-click or Enter in the page asks) opens its Run Details.
    const opened = await panel.dispatch({ kind: 'request', id: 2, method: 'open', params: { nodeId: `run:${runId}` } });
    assert.ok(opened?.ok, JSON.stringify(opened));
    const hasDetails = () => vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.label === 'Run: lineage-trainer'));
    for (let i = 0; i < 100 && !hasDetails(); i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(hasDetails(), 'the Run Details panel of the run opened');
    // Show Lineage from the Run Details title bar (no argument: the active Run Details panel's run).
    const fromDetails = await vscode.commands.executeCommand<LineagePanel | undefined>('labbook.showLineage');
    assert.ok(fromDetails, 'a Lineage panel opened from Run Details');
    panels.push(fromDetails);
    assert.equal((await graphOf(fromDetails)).graph.focus, `run:${runId}`);
    const refused = await panel.dispatch({ kind: 'request', id: 3, method: 'open', params: { nodeId: 'run:not-in-this-graph' } });
    assert.equal(refused?.ok, false, 'a node the graph does not hold is refused');
  });

  it('opens from a registered model at its alias', async () => {
    await other.setRegisteredModelAlias(MODEL, 'champion', '1');
    const [root] = await api.models.getChildren();
    assert.ok(root);
    const model = (await api.models.getChildren(root)).find((n) => n.kind === 'model' && n.model.name === MODEL);
    assert.ok(model && model.kind === 'model' && model.model.aliases.length === 1, 'the model, with its one alias');
    const panel = await vscode.commands.executeCommand<LineagePanel | undefined>('labbook.showLineage', model);
    assert.ok(panel, 'a Lineage panel opened');
    panels.push(panel);
    const result = await graphOf(panel);
    assert.equal(result.graph.focus, `alias:${MODEL}@champion`);
    assert.ok(result.graph.nodes.some((n) => n.id === `modelVersion:${MODEL}/1`), 'the version it points to');
  });

  it('answers overlapping reads one after another, and re-centres on a node (Show Lineage from Here)', async () => {
    const panel = await vscode.commands.executeCommand<LineagePanel | undefined>('labbook.showLineage', { rootId: 'local', ref: { kind: 'run', runId } });
    assert.ok(panel, 'a Lineage panel opened');
    panels.push(panel);
    await panel.dispatch({ kind: 'request', id: 1, method: 'setHops', params: { hops: 0 } });
    // A reload (as after a store change) and an expansion asked for at once: the expansion is in
    // the graph answered last, and that graph is numbered last (its stale marks are the ones sent).
    const [reloaded, expanded] = await Promise.all([
      panel.dispatch({ kind: 'request', id: 2, method: 'refresh', params: null }),
      panel.dispatch({ kind: 'request', id: 3, method: 'expand', params: { nodeId: `run:${runId}`, side: 'both', hops: 1 } }),
    ]);
    assert.ok(reloaded?.ok && expanded?.ok, JSON.stringify([reloaded, expanded]));
    const first = reloaded.result as LineageResult;
    const last = expanded.result as LineageResult;
    assert.ok(first.kind === 'graph' && last.kind === 'graph');
    assert.ok(last.seq > first.seq, 'graphs are numbered in the order they are built');
    assert.ok(last.graph.nodes.some((n) => n.id === `modelVersion:${MODEL}/1`), 'the expansion is in the last graph');
    assert.ok((await graphOf(panel)).graph.nodes.some((n) => n.id === `modelVersion:${MODEL}/1`), 'and kept');

    const recentred = await panel.dispatch({ kind: 'request', id: 4, method: 'showLineageFrom', params: { nodeId: 'dataset:h0uses01:houses' } });
    assert.ok(recentred?.ok, JSON.stringify(recentred));
    const hasPanel = () => vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.label === 'Lineage: houses'));
    for (let i = 0; i < 100 && !hasPanel(); i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(hasPanel(), 'a Lineage panel focused on the dataset opened');
    for (const g of vscode.window.tabGroups.all) for (const t of g.tabs) if (t.label === 'Lineage: houses') await vscode.window.tabGroups.close(t);
    const refused = await panel.dispatch({ kind: 'request', id: 5, method: 'showLineageFrom', params: { nodeId: 'run:not-in-this-graph' } });
    assert.equal(refused?.ok, false, 'a node the graph does not hold is refused');
  });

  it('opens from a data file with the runs that read it', async () => {
    const panel = await vscode.commands.executeCommand<LineagePanel | undefined>('labbook.showLineage', { rootId: 'local', uri: vscode.Uri.file(dataFile) });
    assert.ok(panel, 'a Lineage panel opened');
    panels.push(panel);
    const result = await graphOf(panel);
    const focus = result.graph.nodes.find((n) => n.id === result.graph.focus);
    assert.equal(focus?.kind, 'data');
    assert.ok(result.graph.nodes.some((n) => n.id === `run:${runId}`), 'the run that read the file');
    assert.ok(result.graph.edges.some((e) => e.kind === 'used-by' && e.from === result.graph.focus && e.to === `run:${runId}`));
    assert.equal(panel.panel.title, 'Lineage: lineage-train.csv');

    // Another run reads the file (logged by another connection): the panel reads the store again.
    const later = (await other.createRun({ experimentId: '0', runName: 'lineage-later' })).info.runId;
    laterRun = later;
    const sha256 = createHash('sha256').update(CONTENT).digest('hex');
    await writeDataRecord(other, later, { version: 1, cwd: path.dirname(dataFile), outputs: [], notes: [], inputs: [{ path: 'lineage-train.csv', kind: 'file', found: ['observed'], sha256 }] });
    let seen = false;
    for (let i = 0; i < 100 && !seen; i++) {
      await new Promise((r) => setTimeout(r, 200));
      seen = (await graphOf(panel)).graph.nodes.some((n) => n.id === `run:${later}`);
    }
    assert.ok(seen, 'the new run shows after the store changed');
  });
});
