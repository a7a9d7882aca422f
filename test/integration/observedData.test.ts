// Observed data in the real host (issue 22): a script launched through the real command and launch
// service reads a data file nobody declared; Run Details' Data tab (asked through the real webview's
// panel) lists it as observed with its hash, and the compare panel of two runs that read different
// versions of the file shows the differing `data: <path>` row.
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SqliteTrackingStore } from '../../src/core/store/sqlite/sqliteTrackingStore.ts';
import type { LabbookApi } from '../../src/host/extension.ts';
import type { ComparePanel } from '../../src/host/panels/comparePanel.ts';
import type { RunDetailsPanel } from '../../src/host/panels/runDetailsPanel.ts';
import type { CompareModel } from '../../src/protocol/compare.ts';
import type { RunFingerprints } from '../../src/protocol/runDetails.ts';
import { firstRequest, workspaceStore } from './support.ts';


describe('Labbook observed data in the real host: the Data tab and the compare panel after tracked launches', function () {
  this.timeout(240_000);
  let api: LabbookApi;
  let other: SqliteTrackingStore;
  let root: string;
  const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

  /** Launches the script through the real command and waits until the run ended and its captures (the data record) are written. */
  const launchReader = async () => {
    const launched = await vscode.commands.executeCommand<{ runId: string } | undefined>('labbook.runPythonFile', vscode.Uri.file(path.join(root, 'read_observed.py')));
    assert.ok(launched, 'the script launched');
    const tracked = api.launches.get(launched.runId)?.tracked;
    if (tracked) await Promise.all([tracked.done, tracked.captured]);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const run = await other.getRun(launched.runId);
      const recorded = await other.readArtifact(launched.runId, 'labbook/data.json').then(() => true, () => false);
      if (run.info.status !== 'RUNNING' && recorded) {
        assert.equal(run.info.status, 'FINISHED', new TextDecoder().decode(await other.readArtifact(launched.runId, 'labbook/logs/output.log')));
        return launched.runId;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for run ${launched.runId} and its data record`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  before(async () => {
    const python = process.env.LABBOOK_TEST_PYTHON;
    if (!python) throw new Error('LABBOOK_TEST_PYTHON must name the test venv (scripts/test.mjs sets it)');
    ({ api, other } = await workspaceStore());
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the test opens a workspace folder');
    root = folder.uri.fsPath;
    await vscode.workspace.getConfiguration('labbook.python').update('path', python, vscode.ConfigurationTarget.Workspace);
    mkdirSync(path.join(root, 'observed'), { recursive: true });
    writeFileSync(path.join(root, 'read_observed.py'), "with open('observed/rows.csv') as f:\n    print('rows:', len(f.read().splitlines()))\n");
  });
  after(async () => {
    await vscode.workspace.getConfiguration('labbook.python').update('path', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await other?.close();
  });

  it('lists the file a launched script read in the Data tab (observed, relative path, hash) and marks the changed version in Compare', async () => {
    const first = 'a,b\n1,2\n';
    writeFileSync(path.join(root, 'observed', 'rows.csv'), first);
    const a = await launchReader();
    const second = 'a,b\n1,2\n3,4\n';
    writeFileSync(path.join(root, 'observed', 'rows.csv'), second);
    const b = await launchReader();

    const details = await vscode.commands.executeCommand<RunDetailsPanel>('labbook.openRunDetails', { rootId: 'local', runId: a });
    assert.ok(details, 'the command returns the panel');
    assert.deepEqual(await firstRequest(details), { method: 'getDetails', ok: true });
    const reply = await details.dispatch({ kind: 'request', id: 1, method: 'getFingerprints', params: null });
    assert.ok(reply?.ok, JSON.stringify(reply));
    const files = (reply.result as RunFingerprints).files;
    assert.ok(files, 'the run has a data record');
    const rows = files.inputs.filter((r) => r.path.includes('rows.csv'));
    assert.deepEqual(rows.map((r) => [r.path, r.kind, r.found, r.hash, r.size]), [['observed/rows.csv', 'file', 'observed', sha256(first), first.length]]);
    assert.ok(!files.inputs.some((r) => r.path.endsWith('.py')), `the script itself is not an input: ${files.inputs.map((r) => r.path).join(', ')}`);
    details.dispose();

    const compare = await vscode.commands.executeCommand<ComparePanel>('labbook.compareRuns', undefined, [{ rootId: 'local', runId: a }, { rootId: 'local', runId: b }]);
    assert.ok(compare, 'the command returns the panel');
    assert.deepEqual(await firstRequest(compare), { method: 'getComparison', ok: true });
    const compared = await compare.dispatch({ kind: 'request', id: 1, method: 'getComparison', params: { directions: {} } });
    assert.ok(compared?.ok, JSON.stringify(compared));
    const model = compared.result as CompareModel;
    const row = model.rows.find((r) => r.key === 'data: observed/rows.csv');
    assert.ok(row, `a data row: ${model.rows.map((r) => r.key).join(', ')}`);
    assert.equal(row.differs, true);
    const byRun = new Map(model.runs.map((r, i) => [r.runId, row.values?.[i]]));
    assert.deepEqual([byRun.get(a), byRun.get(b)], [sha256(first).slice(0, 32), sha256(second).slice(0, 32)]);
    compare.dispose();
  });
});
