// The Models view's model against a real SQLite store in a temp dir.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteTrackingStore } from '../../../src/core/store/sqlite/sqliteTrackingStore.ts';
import { archiveVersion, promote } from '../../../src/core/lifecycle/lifecycle.ts';
import { auditText } from '../../../src/host/trees/auditFormat.ts';
import { ModelsModel } from '../../../src/host/trees/modelsModel.ts';
import type { StoreRoot } from '../../../src/host/stores/storeRoot.ts';
import { modelsNodeId, type ModelsNode } from '../../../src/host/trees/treeNodes.ts';

function outline(nodes: readonly ModelsNode[]): string[] {
  return nodes.map((n) => {
    switch (n.kind) {
      case 'store':
        return `store ${n.root.id}`;
      case 'model':
        return `model ${n.model.name}`;
      case 'version':
        return `v${n.version.version}`;
      case 'history':
        return `history ${n.entries.length}`;
      case 'audit':
        return `${n.entry.action} ${n.entry.alias ?? ''}`.trim();
      case 'message':
        return `${n.error ? '!' : '-'} ${n.text}`;
    }
  });
}

describe('host/trees: the Models view model', () => {
  let dir: string;
  let store: SqliteTrackingStore;
  let root: StoreRoot;
  let runId: string;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-models-model-'));
    store = new SqliteTrackingStore(path.join(dir, 'tracking.db'));
    root = { id: 'local', label: 'Local', icon: 'database', open: () => Promise.resolve(store) };
    runId = (await store.createRun({ experimentId: await store.createExperiment('wine'), runName: 'r', startTime: 1 })).info.runId;
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('says when a store has no registered models', async () => {
    const model = new ModelsModel(() => [root]);
    assert.deepEqual(outline(await model.children()), ['store local']);
    const none = await model.children({ kind: 'store', root });
    assert.deepEqual(outline(none), ['- No registered models yet.']);
    assert.equal(modelsNodeId(none[0] as ModelsNode), 'models-message:local/none');
  });

  it('lists registered models, and each one’s versions newest first (numerically)', async () => {
    for (const name of ['churn', 'fraud detector']) {
      await store.createRegisteredModel(name);
      for (let i = 0; i < 10; i++) await store.createModelVersion(name, `runs:/${runId}/model`, runId);
    }
    await store.createRegisteredModel('empty');
    const model = new ModelsModel(() => [root]);
    const models = await model.children({ kind: 'store', root });
    assert.deepEqual(outline(models).sort(), ['model churn', 'model empty', 'model fraud detector']);
    const byName = (name: string) => models.find((n) => n.kind === 'model' && n.model.name === name);
    assert.deepEqual(outline(await model.children(byName('churn'))), ['v10', 'v9', 'v8', 'v7', 'v6', 'v5', 'v4', 'v3', 'v2', 'v1']);
    assert.equal((await model.children(byName('fraud detector'))).length, 10);
    assert.deepEqual(await model.children(byName('empty')), []);
    const versions = await model.children(byName('churn'));
    assert.deepEqual(await model.children(versions[0]), []);
  });

  it("lists the versions of a model whose name holds a quote", async () => {
    for (const name of ["ada's model", 'plain']) {
      await store.createRegisteredModel(name);
      await store.createModelVersion(name, `runs:/${runId}/model`, runId);
    }
    const model = new ModelsModel(() => [root]);
    const models = await model.children({ kind: 'store', root });
    for (const node of models) assert.deepEqual(outline(await model.children(node)), ['v1'], outline([node])[0]);
  });

  it('shows a failed read as one error row under each model that failed, with ids derived from the model', async () => {
    for (const name of ['churn', 'fraud']) await store.createRegisteredModel(name);
    const model = new ModelsModel(() => [root]);
    const models = await model.children({ kind: 'store', root });
    // The store goes away (its file closed) after the models were listed.
    await store.close();
    const rows = (await Promise.all(models.map((m) => model.children(m)))).map((r) => r[0]);
    for (const row of rows) assert.ok(row?.kind === 'message' && row.error && row.text.length > 0, JSON.stringify(row));
    assert.deepEqual(
      rows.map((row) => modelsNodeId(row as ModelsNode)).sort(),
      ['models-message:model:local:churn/error', 'models-message:model:local:fraud/error'],
    );
    const storeRows = await model.children({ kind: 'store', root });
    assert.equal(storeRows.length, 1);
    assert.equal(modelsNodeId(storeRows[0] as ModelsNode), 'models-message:models-store:local/error');
    store = new SqliteTrackingStore(path.join(dir, 'tracking.db'));
  });

  it('shows the audit trail as a History row first, and hides retired versions until asked', async () => {
    await store.createRegisteredModel('churn');
    for (let i = 0; i < 3; i++) await store.createModelVersion('churn', `runs:/${runId}/model`, runId);
    let showRetired = false;
    const model = new ModelsModel(() => [root], () => showRetired);
    let churn = (await model.children({ kind: 'store', root }))[0];
    assert.deepEqual(outline(await model.children(churn)), ['v3', 'v2', 'v1'], 'no history yet: no History row');
    await promote(store, { name: 'churn', version: '2', alias: 'champion', actor: 'ada' });
    await promote(store, { name: 'churn', version: '3', alias: 'champion', actor: 'bob' });
    await archiveVersion(store, { name: 'churn', version: '1', actor: 'ada', reason: 'leaks the label' });
    // The view re-reads from the store's node after a change: the model's tags hold the trail.
    churn = (await model.children({ kind: 'store', root }))[0];
    const children = await model.children(churn);
    assert.deepEqual(outline(children), ['history 3', 'v3', 'v2', '- 1 retired version hidden']);
    const history = await model.children(children[0]);
    assert.deepEqual(outline(history), ['archive', 'promote champion', 'promote champion'], 'newest first');
    const ids = new Set(history.map((n) => modelsNodeId(n)));
    assert.equal(ids.size, 3, 'each entry has its own id');
    showRetired = true;
    assert.deepEqual(outline(await model.children(churn)), ['history 3', 'v3', 'v2', 'v1']);
  });

  it('words audit entries for the tree: promotions, overrides with their reason and failed checks, archives', () => {
    const base = { name: 'churn', actor: 'ada', time: Date.UTC(2026, 11, 2, 14, 5), key: 'labbook.audit.1.a' } as const;
    const promoted = auditText({ ...base, action: 'promote', alias: 'champion', fromVersion: null, toVersion: '3' });
    assert.equal(promoted.label, '@champion → v3');
    assert.equal(promoted.description, 'ada · 2026-12-02 14:05 UTC');
    assert.ok(promoted.details.includes('From none to v3'));
    const forced = auditText({
      ...base, action: 'override', alias: 'champion', fromVersion: '3', toVersion: '4', reason: 'hotfix',
      gate: { passed: false, checks: [{ rule: 'metrics.rmse <= champion', passed: false, detail: 'rmse 0.55 > 0.40' }] },
    });
    assert.equal(forced.label, '@champion → v4 (override)');
    assert.equal(forced.icon, 'warning');
    assert.deepEqual(forced.details.slice(2), ['From v3 to v4', 'Reason: hotfix', 'Gate failed:', '✗ metrics.rmse <= champion: rmse 0.55 > 0.40']);
    assert.equal(auditText({ ...base, action: 'demote', alias: 'staging', fromVersion: '2', toVersion: null }).label, '@staging removed from v2');
    assert.equal(auditText({ ...base, action: 'archive', fromVersion: '1', toVersion: null }).label, 'v1 archived');
    assert.equal(auditText({ ...base, action: 'restore', fromVersion: '1', toVersion: null }).label, 'v1 restored');
  });
});
