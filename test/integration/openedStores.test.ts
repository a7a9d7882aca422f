import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LabbookApi } from '../../src/host/extension.ts';
import type { ExplorerNode } from '../../src/host/trees/experimentsTree.ts';
import { activateLabbook } from './support.ts';

describe('Labbook existing stores opened read-only (an mlflow.db written by the real mlflow client)', function () {
  this.timeout(120_000);
  let api: LabbookApi;
  let dir: string;
  let db: string;

  before(async () => {
    ({ api } = await activateLabbook());
    const python = process.env.LABBOOK_TEST_PYTHON;
    assert.ok(python, 'LABBOOK_TEST_PYTHON names the test venv');
    dir = mkdtempSync(path.join(tmpdir(), 'labbook-opened-'));
    db = path.join(dir, 'mlflow.db');
    const script = [
      'import mlflow',
      `mlflow.set_tracking_uri(${JSON.stringify(`sqlite:///${db}`)})`,
      'mlflow.set_experiment("legacy")',
      'with mlflow.start_run(run_name="old-run"):',
      '    mlflow.log_param("depth", 3)',
      '    for step in range(5): mlflow.log_metric("acc", 0.5 + step / 10, step=step)',
    ].join('\n');
    execFileSync(python, ['-c', script], { cwd: dir, timeout: 90_000, env: { ...process.env, MLFLOW_DISABLE_TELEMETRY: 'true', GIT_PYTHON_REFRESH: 'quiet' } });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('adds the database as a read-only root with its experiments and runs, refuses edits clearly, and closes it', async () => {
    const id = await vscode.commands.executeCommand<string>('labbook.openExistingStore', 'mlflow-db', db);
    assert.ok(id, 'the store opened');
    const roots = await api.experiments.getChildren();
    const root = roots.find((n): n is Extract<ExplorerNode, { kind: 'store' }> => n.kind === 'store' && n.root.id === id);
    assert.ok(root, 'the store is a root');
    const item = api.experiments.getTreeItem(root);
    assert.equal(item.contextValue, 'labbook.store.opened');
    assert.match(String(item.description), /MLflow database · read-only/);
    const experiment = (await api.experiments.getChildren(root)).find((n) => n.kind === 'experiment' && n.experiment.name === 'legacy');
    assert.ok(experiment);
    const [run] = await api.experiments.getChildren(experiment);
    assert.ok(run?.kind === 'run');
    assert.equal(run.run.info.runName, 'old-run');
    assert.match(String(api.experiments.getTreeItem(run).description), /acc 0\.9/);
    // Read-only: a rename reports the refusal and changes nothing.
    assert.equal(await vscode.commands.executeCommand('labbook.renameRun', run, 'renamed'), false);
    assert.equal(await vscode.commands.executeCommand('labbook.closeStore', root), true);
    assert.ok(!(await api.experiments.getChildren()).some((n) => n.kind === 'store' && n.root.id === id));
  });

  it('explains a file that is not an MLflow database', async () => {
    const id = await vscode.commands.executeCommand('labbook.openExistingStore', 'mlflow-db', path.join(dir, 'missing.db'));
    assert.equal(id, undefined);
  });
});
