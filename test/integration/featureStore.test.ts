// The Feature Store view in the real host, on a Feast repository made by a real `feast apply` in
// the workspace: the view reads the registry through Feast (the interpreter from
// labbook.python.path), lists the project's entities, sources, feature views, on-demand views and
// services with their schema in the hovers, opens an object's definition where it is declared, reads
// again when `feast apply` changes the registry, plans edited definitions as a diff (Plan Feast
// Changes), names the fix when Feast is not installed, then applies the edited definitions and
// materializes a view, each as a tracked run; a training script's feature views become its inputs,
// and a view's users (runs, model versions, aliases) are found and shown as lineage.
import * as assert from 'node:assert/strict';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import * as vscode from 'vscode';
import type { FeatureStoreNode } from '../../src/host/feast/featureStoreModel.ts';
import type { FeatureStoreTreeProvider } from '../../src/host/feast/featureStoreTree.ts';
import type { LabbookApi } from '../../src/host/extension.ts';
import type { FeatureViewUsers } from '../../src/core/feast/featureViewUsers.ts';
import type { FeatureStatistics } from '../../src/host/feast/featureStatistics.ts';
import type { FeastSkewPanel } from '../../src/host/panels/feastSkewPanel.ts';
import type { SkewResult } from '../../src/protocol/feastSkew.ts';
import type { Run } from '../../src/core/store/types.ts';
import { activateLabbook, until, workspaceStore } from './support.ts';

const FIXTURE = path.join(process.env.LABBOOK_ROOT ?? '', 'test', 'fixtures', 'feast', 'churn_repo');

function feastPython(): string {
  const python = process.env.LABBOOK_FEAST_PYTHON;
  if (!python) throw new Error('LABBOOK_FEAST_PYTHON must name the Feast venv (scripts/test.mjs sets it)');
  return python;
}

/** A tree item's label as text (labels here are plain strings). */
const labelOf = (item: vscode.TreeItem): string => (typeof item.label === 'string' ? item.label : (item.label?.label ?? ''));

/** The tree's root children once no read is under way (a read shows "Reading…" first). */
async function settledRoots(tree: FeatureStoreTreeProvider): Promise<FeatureStoreNode[]> {
  return until('the Feature Store view to read the registry', async () => {
    const roots = await tree.getChildren();
    await tree.settled();
    return roots.some((n) => n.kind === 'loading') ? undefined : roots;
  }, 180_000);
}

describe('Labbook Feature Store view on a Feast repository', function () {
  this.timeout(600_000);
  let api: LabbookApi;
  let repo: string;

  before(async () => {
    const python = feastPython();
    ({ api } = await activateLabbook());
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder);
    repo = path.join(folder.uri.fsPath, 'feature_repo');
    cpSync(FIXTURE, repo, { recursive: true });
    const env = { ...process.env, FEAST_USAGE: 'False' };
    execFileSync(python, ['make_data.py'], { cwd: repo, env, timeout: 120_000 });
    execFileSync(path.join(path.dirname(python), 'feast'), ['apply'], { cwd: repo, env, timeout: 300_000 });
    await vscode.workspace.getConfiguration('labbook.python').update('path', python, vscode.ConfigurationTarget.Workspace);
  });

  after(async () => {
    await vscode.workspace.getConfiguration('labbook.python').update('path', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    rmSync(repo, { recursive: true, force: true });
  });

  it('lists the project and its objects, read through Feast, with the schema and tags in the hovers', async () => {
    const tree = api.featureStore;
    tree.reload();
    const roots = await settledRoots(tree);
    const project = roots.find((n): n is Extract<FeatureStoreNode, { kind: 'project' }> => n.kind === 'project' && n.project.name === 'churn');
    assert.ok(project, `the churn project is listed: ${JSON.stringify(roots.map((n) => n.kind === 'failure' ? n.failure.message : n.kind))}`);
    const projectItem = tree.getTreeItem(project);
    assert.match(String(projectItem.description), /Feast 0\.\d+.* · local · file registry/);
    const groups = await tree.getChildren(project);
    assert.deepEqual(groups.map((g) => tree.getTreeItem(g).label), ['Entities', 'Data Sources', 'Feature Views', 'On-Demand Feature Views', 'Feature Services']);
    const viewsGroup = groups[2];
    assert.ok(viewsGroup);
    const [view] = await tree.getChildren(viewsGroup);
    assert.ok(view);
    const item = tree.getTreeItem(view);
    assert.equal(item.label, 'customer_orders');
    assert.equal(item.description, '3 features · customer · ttl 1d · online');
    const tooltip = (item.tooltip as vscode.MarkdownString).value;
    assert.match(tooltip, /\| spend\\_7d \| Float32 \| Spend over 7 days \|/);
    assert.match(tooltip, /tier: gold/);
    assert.equal((item.iconPath as vscode.ThemeIcon).id, 'table');
    const features = await tree.getChildren(view);
    assert.deepEqual(features.map((f) => `${labelOf(tree.getTreeItem(f))} ${String(tree.getTreeItem(f).description)}`), ['orders_7d Int64', 'spend_7d Float32', 'city String']);
    const servicesGroup = groups[4];
    assert.ok(servicesGroup);
    const [service] = await tree.getChildren(servicesGroup);
    assert.ok(service);
    assert.equal(tree.getTreeItem(service).description, '3 features from 2 views');
  });

  it('shows the quick listing before Feast\'s own read, which then confirms it', async () => {
    const tree = api.featureStore;
    await settledRoots(tree);
    tree.reload();
    // Feast's own read takes seconds (its import); the quick listing is in the view long before.
    const early = await until('the quick listing while Feast reads', async () => {
      const roots = await tree.getChildren();
      return tree.confirming(repo) && roots.some((n) => n.kind === 'project') ? roots : undefined;
    }, 60_000);
    const quick = early.find((n) => n.kind === 'project');
    await tree.settled();
    assert.equal(tree.confirming(repo), false);
    const after = (await tree.getChildren()).find((n) => n.kind === 'project');
    assert.ok(quick?.kind === 'project' && after?.kind === 'project');
    assert.deepEqual(after.registry, quick.registry, "Feast's own read gives what the quick listing showed");
  });

  it('opens an object\'s definition at its line in the repository', async () => {
    const tree = api.featureStore;
    const roots = await settledRoots(tree);
    const project = roots.find((n) => n.kind === 'project');
    assert.ok(project);
    const groups = await tree.getChildren(project);
    const services = groups.find((g) => g.kind === 'group' && g.group === 'featureService');
    assert.ok(services);
    const [service] = await tree.getChildren(services);
    assert.ok(service);
    const command = tree.getTreeItem(service).command;
    assert.equal(command?.command, 'labbook.openFeastDefinition');
    await vscode.commands.executeCommand(command.command, ...((command.arguments ?? []) as unknown[]));
    const editor = await until('the definition to open', () => Promise.resolve(vscode.window.activeTextEditor?.document.uri.fsPath === path.join(repo, 'features.py') ? vscode.window.activeTextEditor : undefined), 30_000);
    const expected = readFileSync(path.join(repo, 'features.py'), 'utf8').split('\n').findIndex((line) => line.startsWith('churn_features = FeatureService('));
    assert.equal(editor.selection.active.line, expected);
  });

  it('plans the edited definitions with Feast and shows the changes as a diff, changing nothing', async () => {
    const tree = api.featureStore;
    const roots = await settledRoots(tree);
    const project = roots.find((n) => n.kind === 'project');
    assert.ok(project);
    const features = path.join(repo, 'features.py');
    const source = readFileSync(features, 'utf8');
    writeFileSync(features, source.replace('ttl=timedelta(days=1)', 'ttl=timedelta(days=2)'));
    try {
      const uri = await vscode.commands.executeCommand<vscode.Uri | undefined>('labbook.planFeastRepo', project);
      assert.ok(uri, 'a plan was shown');
      const editor = await until('the plan to show', () => Promise.resolve(vscode.window.activeTextEditor?.document.uri.toString() === uri.toString() ? vscode.window.activeTextEditor : undefined), 30_000);
      const text = editor.document.getText();
      assert.match(text, /^# Feast plan for the project churn/);
      assert.match(text, /# 0 to create, 1 to change, 0 to remove\./);
      assert.match(text, /^~ feature view customer_orders\n {4}ttl: seconds: 86400 → seconds: 172800$/m);
      assert.equal(editor.document.languageId, 'diff');
      // Nothing was applied: the registry still has the 1-day TTL.
      tree.reload();
      const again = await settledRoots(tree);
      const views = (await tree.getChildren(again.find((n) => n.kind === 'project'))).find((g) => g.kind === 'group' && g.group === 'featureView');
      assert.ok(views);
      const [view] = await tree.getChildren(views);
      assert.ok(view);
      assert.match(String(tree.getTreeItem(view).description), /ttl 1d/);
    } finally {
      writeFileSync(features, source);
    }
  });

  it('reads the registry again when `feast apply` changes it', async () => {
    const tree = api.featureStore;
    await settledRoots(tree);
    const features = path.join(repo, 'features.py');
    writeFileSync(features, `${readFileSync(features, 'utf8')}\nchurn_lite = FeatureService(name="churn_lite", features=[customer_orders[["orders_7d"]]])\n`);
    execFileSync(path.join(path.dirname(feastPython()), 'feast'), ['apply'], { cwd: repo, env: { ...process.env, FEAST_USAGE: 'False' }, timeout: 300_000 });
    // No refresh asked: the registry file's watcher reads again.
    await until('the new feature service to show', async () => {
      const roots = await tree.getChildren();
      await tree.settled();
      const project = roots.find((n) => n.kind === 'project');
      if (!project) return undefined;
      const services = (await tree.getChildren(project)).find((g) => g.kind === 'group' && g.group === 'featureService');
      if (!services) return undefined;
      const names = (await tree.getChildren(services)).map((n) => labelOf(tree.getTreeItem(n)));
      return names.includes('churn_lite') ? names : undefined;
    }, 180_000);
  });

  it('says Feast is not installed in the selected interpreter, with the pip line, and reads again after Refresh', async () => {
    const tree = api.featureStore;
    const plain = process.env.LABBOOK_TEST_PYTHON;
    assert.ok(plain, 'LABBOOK_TEST_PYTHON names a venv without Feast');
    await vscode.workspace.getConfiguration('labbook.python').update('path', plain, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('labbook.refreshFeatureStore');
    const roots = await settledRoots(tree);
    const failure = roots.find((n): n is Extract<FeatureStoreNode, { kind: 'failure' }> => n.kind === 'failure');
    assert.ok(failure, JSON.stringify(roots.map((n) => n.kind)));
    assert.equal(failure.failure.kind, 'missing');
    assert.equal(failure.failure.install, `"${plain}" -m pip install feast`);
    const item = tree.getTreeItem(failure);
    assert.equal(item.label, 'Feast is not installed');
    assert.equal(item.command?.command, 'labbook.showFeastFailure');
    await vscode.workspace.getConfiguration('labbook.python').update('path', feastPython(), vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('labbook.refreshFeatureStore');
    const again = await settledRoots(tree);
    assert.ok(again.some((n) => n.kind === 'project'), 'read again with Feast');
  });

  it('applies edited definitions and materializes a view, each as a tracked run the view then reflects', async () => {
    const tree = api.featureStore;
    const project = (await settledRoots(tree)).find((n) => n.kind === 'project');
    assert.ok(project);
    const { other } = await workspaceStore();
    const features = path.join(repo, 'features.py');
    writeFileSync(features, readFileSync(features, 'utf8').replace('ttl=timedelta(days=1)', 'ttl=timedelta(days=2)'));
    try {
      /** The run's end, read from the store as another window would. */
      const ended = (runId: string) =>
        until(`the Feast run ${runId} to end`, async () => {
          const run = await other.getRun(runId);
          return run.info.status === 'RUNNING' ? undefined : run;
        }, 300_000);
      const tagOf = (run: Run, key: string) => run.data.tags.find((t) => t.key === key)?.value;

      const applied = await vscode.commands.executeCommand<{ runId: string } | undefined>('labbook.applyFeastRepo', project, { confirm: false });
      assert.ok(applied, 'Apply launched a run');
      const applyRun = await ended(applied.runId);
      assert.equal(applyRun.info.status, 'FINISHED');
      assert.equal(applyRun.info.runName, 'feast apply churn');
      assert.equal(tagOf(applyRun, 'labbook.feast.operation'), 'apply');
      assert.equal(applyRun.data.params.find((p) => p.key === 'feast.project')?.value, 'churn');
      assert.match(tagOf(applyRun, 'feast.feature_views') ?? '', /customer_orders/);
      // The view reads the applied registry: the new TTL.
      await until('the applied TTL to show', async () => {
        const roots = await tree.getChildren();
        await tree.settled();
        const views = (await tree.getChildren(roots.find((n) => n.kind === 'project'))).find((g) => g.kind === 'group' && g.group === 'featureView');
        const [view] = views ? await tree.getChildren(views) : [];
        return view && /ttl 2d/.test(String(tree.getTreeItem(view).description)) ? true : undefined;
      }, 180_000);

      const materialized = await vscode.commands.executeCommand<{ runId: string } | undefined>('labbook.materializeFeastRepo', project, { endDate: 'now', featureViews: ['customer_orders'] });
      assert.ok(materialized, 'Materialize launched a run');
      const materializeRun = await ended(materialized.runId);
      assert.equal(materializeRun.info.status, 'FINISHED');
      assert.equal(tagOf(materializeRun, 'labbook.feast.operation'), 'materialize-incremental');
      assert.equal(tagOf(materializeRun, 'feast.materialized_views'), 'customer_orders');
      assert.match(tagOf(materializeRun, 'feast.materialized.customer_orders') ?? '', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z\/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);

      // A view that is not online is refused before anything runs.
      assert.equal(await vscode.commands.executeCommand('labbook.materializeFeastRepo', project, { endDate: 'now', featureViews: ['store_traffic'] }), undefined);
    } finally {
      await other.close();
    }
  });

  it('checks a feature service for training–serving skew in a panel: Feast asked both ways, the report drawn', async () => {
    const tree = api.featureStore;
    const project = (await settledRoots(tree)).find((n) => n.kind === 'project');
    assert.ok(project);
    const services = (await tree.getChildren(project)).find((g) => g.kind === 'group' && g.group === 'featureService');
    assert.ok(services);
    const service = (await tree.getChildren(services)).find((n) => n.kind === 'object' && n.object.name === 'churn_features');
    assert.ok(service);
    const entities = path.join(repo, 'entities.csv');
    writeFileSync(entities, `customer_id,basket_value\n${Array.from({ length: 20 }, (_, i) => `${i},${i + 1}`).join('\n')}\n`);
    const panel = await vscode.commands.executeCommand<FeastSkewPanel | undefined>('labbook.checkFeastSkew', service, { entities });
    assert.ok(panel, 'the skew panel opened');
    try {
      assert.equal(panel.panel.title, 'Skew: churn_features');
      const reply = await panel.dispatch({ kind: 'request', id: 1, method: 'check', params: null });
      assert.ok(reply?.ok, JSON.stringify(reply));
      const result = reply.result as SkewResult;
      assert.equal(result.kind, 'report', JSON.stringify(result));
      if (result.kind !== 'report') return;
      assert.equal(result.report.service, 'churn_features');
      assert.equal(result.report.sampled, 20);
      assert.deepEqual(result.report.features.map((f) => f.name), ['customer_orders__orders_7d', 'customer_orders__spend_7d', 'basket_share__basket_share']);
      // customer_orders was materialized up to now by the test before: its values agree.
      assert.equal(result.report.features[0]?.mismatches, 0, JSON.stringify(result.report.features[0]));
      // Without an entities file (the dialog cancelled) nothing opens.
      assert.equal(await vscode.commands.executeCommand('labbook.checkFeastSkew', service, { entities: '' }), undefined);
    } finally {
      panel.panel.dispose();
      rmSync(entities, { force: true });
    }
  });

  it('shows a feature view\'s statistics over two periods of its source in the drift panel', async () => {
    const tree = api.featureStore;
    const project = (await settledRoots(tree)).find((n) => n.kind === 'project');
    assert.ok(project);
    const views = (await tree.getChildren(project)).find((g) => g.kind === 'group' && g.group === 'featureView');
    assert.ok(views);
    const orders = (await tree.getChildren(views)).find((n) => n.kind === 'object' && n.object.name === 'customer_orders');
    assert.ok(orders);
    const shown = await vscode.commands.executeCommand<FeatureStatistics | undefined>('labbook.feastViewStatistics', orders, { period: 'halves' });
    assert.ok(shown, 'the statistics were shown');
    assert.equal(shown.windows.reference.rows + shown.windows.current.rows, 20, 'every event of data/orders.parquet is in one period');
    assert.deepEqual(shown.windows.missing, []);
    const panel = shown.panel as { panel: vscode.WebviewPanel; dispatch(message: unknown): Promise<{ ok: boolean; result?: unknown } | undefined> } | undefined;
    assert.ok(panel, 'the drift panel opened');
    try {
      const reply = await panel.dispatch({ kind: 'request', id: 1, method: 'getReport', params: null });
      assert.ok(reply?.ok, JSON.stringify(reply));
      const columns = (reply.result as { report?: { columns: { column: string }[] } }).report?.columns.map((c) => c.column).sort();
      assert.deepEqual(columns, ['city', 'orders_7d', 'spend_7d']);
    } finally {
      panel.panel.dispose();
    }
  });

  it('records the feature views a training script retrieves as its inputs, and finds the model versions that used a view', async () => {
    const tree = api.featureStore;
    const project = (await settledRoots(tree)).find((n) => n.kind === 'project');
    assert.ok(project);
    const { other } = await workspaceStore();
    const script = path.join(repo, 'train_features.py');
    writeFileSync(script, [
      'import os',
      'import pandas as pd',
      'from feast import FeatureStore',
      '',
      '# The run starts in the workspace folder: the repository is this file\'s folder.',
      'store = FeatureStore(repo_path=os.path.dirname(os.path.abspath(__file__)))',
      'entity_df = pd.DataFrame({"customer_id": [1, 2, 3], "basket_value": [10.0, 20.0, 30.0], "event_timestamp": [pd.Timestamp.now(tz="UTC")] * 3})',
      'train = store.get_historical_features(entity_df=entity_df, features=store.get_feature_service("churn_features")).to_df()',
      'print(f"labbook: metric rows={len(train)}")',
      '',
    ].join('\n'));
    try {
      const launched = await vscode.commands.executeCommand<{ runId: string } | undefined>('labbook.runPythonFile', vscode.Uri.file(script));
      assert.ok(launched, 'the script launched');
      // The inputs are logged once the run has ended.
      const run = await until('the run\'s Feast inputs', async () => {
        const read = await other.getRun(launched.runId);
        return read.info.status !== 'RUNNING' && read.data.tags.some((t) => t.key === 'labbook.feast.found') ? read : undefined;
      }, 300_000);
      const output = async () => new TextDecoder().decode(await other.readArtifact(launched.runId, 'labbook/logs/output.log').catch(() => new Uint8Array()));
      assert.equal(run.info.status, 'FINISHED', await output());
      assert.equal(run.data.metrics.find((m) => m.key === 'rows')?.value, 3);
      const feast = (run.inputs?.datasetInputs ?? []).filter((d) => d.dataset.sourceType === 'feast');
      assert.deepEqual(feast.map((d) => d.dataset.name).sort(), ['basket_share', 'customer_orders']);
      assert.equal(run.data.tags.find((t) => t.key === 'labbook.feast.found')?.value, 'code');
      assert.equal(run.data.tags.find((t) => t.key === 'labbook.feast.feature_views')?.value, 'basket_share,customer_orders');
      const orders = feast.find((d) => d.dataset.name === 'customer_orders');
      assert.deepEqual((JSON.parse(orders?.dataset.source ?? '{}') as { features?: string[] }).features, ['orders_7d', 'spend_7d']);

      // A model registered from the run: the feature view's users name it.
      await other.createRegisteredModel('feast-churn-model');
      await other.createModelVersion('feast-churn-model', `runs:/${launched.runId}/model`, launched.runId);
      await other.setRegisteredModelAlias('feast-churn-model', 'champion', '1');
      const views = (await tree.getChildren(project)).find((g) => g.kind === 'group' && g.group === 'featureView');
      assert.ok(views);
      const ordersNode = (await tree.getChildren(views)).find((n) => n.kind === 'object' && n.object.name === 'customer_orders');
      assert.ok(ordersNode);
      const users = await vscode.commands.executeCommand<FeatureViewUsers | undefined>('labbook.feastViewUsers', ordersNode, { quiet: true });
      assert.ok(users);
      assert.ok(users.runs.some((r) => r.runId === launched.runId), 'the run is among the view\'s users');
      assert.deepEqual(users.modelVersions.map((v) => `${v.name} v${v.version} @${v.aliases.join('@')}`), ['feast-churn-model v1 @champion']);
      assert.equal(users.digests[0], orders?.dataset.digest);
      // The lineage view from the feature view: view → run → model version (the alias is a hop further, one expansion away).
      const panel = await vscode.commands.executeCommand<{ dispatch(message: unknown): Promise<{ ok: boolean; result?: unknown } | undefined>; panel: vscode.WebviewPanel } | undefined>(
        'labbook.showLineage',
        { rootId: 'local', ref: { kind: 'dataset', digest: users.digests[0], name: 'customer_orders' } },
      );
      assert.ok(panel, 'a Lineage panel opened');
      try {
        const reply = await panel.dispatch({ kind: 'request', id: 1, method: 'getGraph', params: null });
        assert.ok(reply?.ok, JSON.stringify(reply));
        const ids = (reply.result as { graph: { nodes: { id: string }[] } }).graph.nodes.map((n) => n.id);
        for (const id of [`dataset:${users.digests[0]}:customer_orders`, `run:${launched.runId}`, 'modelVersion:feast-churn-model/1']) assert.ok(ids.includes(id), `${id} in ${ids.join(', ')}`);
      } finally {
        panel.panel.dispose();
      }
      // Said by the run itself (a computed feature list the code reader cannot follow): the explicit tag.
      const tagged = path.join(repo, 'train_tagged.py');
      writeFileSync(tagged, 'views = ["customer_profile"]\nprint("labbook: tag labbook.feast.features=" + ",".join(v + ":city" for v in views))\n');
      const second = await vscode.commands.executeCommand<{ runId: string } | undefined>('labbook.runPythonFile', vscode.Uri.file(tagged));
      assert.ok(second, 'the tagged script launched');
      const taggedRun = await until('the tagged run\'s Feast inputs', async () => {
        const read = await other.getRun(second.runId);
        return read.info.status !== 'RUNNING' && read.data.tags.some((t) => t.key === 'labbook.feast.found') ? read : undefined;
      }, 120_000);
      assert.equal(taggedRun.data.tags.find((t) => t.key === 'labbook.feast.found')?.value, 'tags');
      assert.deepEqual((taggedRun.inputs?.datasetInputs ?? []).filter((d) => d.dataset.sourceType === 'feast').map((d) => d.dataset.name), ['customer_profile']);
    } finally {
      // The workspace's store is shared with the other suites: leave no registered model behind.
      await other.deleteRegisteredModel('feast-churn-model').catch(() => undefined);
      await other.close();
      rmSync(script, { force: true });
      rmSync(path.join(repo, 'train_tagged.py'), { force: true });
    }
  });
});
