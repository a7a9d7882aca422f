import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SqliteTrackingStore } from '../../src/core/store/sqlite/sqliteTrackingStore.ts';
import type { LabbookApi } from '../../src/host/extension.ts';
import type { ComparePanel } from '../../src/host/panels/comparePanel.ts';
import type { RunDetailsPanel } from '../../src/host/panels/runDetailsPanel.ts';
import type { RunDetailsResult } from '../../src/protocol/runDetails.ts';
import { firstRequest, until, workspaceStore } from './support.ts';

// A script launched twice with tracking (real Python): once logging accuracy 0.91, once failing
// after logging 0.5. The lens on its first line says so, and its parts open what they name.
const SCRIPT = `import sys
print(f"labbook: metric accuracy={sys.argv[1]}")
print("lens script output")
sys.exit(int(sys.argv[2]) if len(sys.argv) > 2 else 0)
`;

describe('Labbook runs lens on a launched script (real Python)', function () {
  this.timeout(240_000);
  let api: LabbookApi;
  let other: SqliteTrackingStore;
  let file: string;
  const runIds: string[] = [];

  const launch = async (args: string) => {
    const result = await vscode.commands.executeCommand<{ runId: string } | undefined>('labbook.runWithArguments', vscode.Uri.file(file), args);
    assert.ok(result, 'the script was launched');
    const tracked = api.launches.get(result.runId)?.tracked;
    if (tracked) await Promise.all([tracked.done, tracked.captured]);
    await until(`run ${result.runId} to end`, async () => ((await other.getRun(result.runId)).info.status === 'RUNNING' ? undefined : true));
    runIds.push(result.runId);
  };
  const lenses = () => vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', vscode.Uri.file(file), 10);
  const runsLens = async () => (await lenses()).filter((l) => l.command?.command.startsWith('labbook.'));

  before(async () => {
    const python = process.env.LABBOOK_TEST_PYTHON;
    if (!python) throw new Error('LABBOOK_TEST_PYTHON must name the test venv (scripts/test.mjs sets it)');
    ({ api, other } = await workspaceStore());
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the test opens a workspace folder');
    file = path.join(folder.uri.fsPath, 'lens_train.py');
    writeFileSync(file, SCRIPT);
    await vscode.workspace.getConfiguration('labbook.python').update('path', python, vscode.ConfigurationTarget.Workspace);
    await vscode.workspace.getConfiguration('labbook.codeLens').update('metric', 'accuracy', vscode.ConfigurationTarget.Workspace);
    await vscode.window.showTextDocument(vscode.Uri.file(file));
  });

  after(async () => {
    await vscode.workspace.getConfiguration('labbook.python').update('path', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.workspace.getConfiguration('labbook.codeLens').update('metric', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.workspace.getConfiguration('labbook.codeLens').update('enabled', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await other.close();
  });

  it('shows no lens on a script without runs', async () => {
    // Asked twice: the first answer may hold parts still to resolve; they resolve to nothing.
    await lenses();
    const shown = await until('the lens of a file without runs to go', async () => ((await runsLens()).length === 0 ? true : undefined), 20_000);
    assert.equal(shown, true);
  });

  it('counts two launches, names the best and the failed last run, and offers Compare and Run with Tracking', async () => {
    await launch('0.91');
    await launch('0.5 3');
    const titles = await until('the lens to count both runs', async () => {
      const found = (await runsLens()).map((l) => l.command?.title ?? '');
      return found[0] === '2 runs' ? found : undefined;
    });
    assert.equal(titles.length, 5, titles.join(' · '));
    assert.match(titles[1] ?? '', /^best accuracy 0\.91 \(run "lens_train-\d+", just now\)$/);
    assert.equal(titles[2], 'last: FAILED just now');
    assert.deepEqual(titles.slice(3), ['Compare', 'Run with Tracking']);
  });

  it('opens the best run’s details, the last run’s log and a comparison of both', async () => {
    const shown = await runsLens();
    const best = shown[1]?.command;
    assert.ok(best, 'the best part has a command');
    const panel = await vscode.commands.executeCommand<RunDetailsPanel>(best.command, ...((best.arguments ?? []) as unknown[]));
    assert.ok(panel, 'the best part opened Run Details');
    assert.deepEqual(await firstRequest(panel), { method: 'getDetails', ok: true });
    const reply = await panel.dispatch({ kind: 'request', id: 1, method: 'getDetails', params: null });
    assert.ok(reply?.ok, JSON.stringify(reply));
    const details = reply.result as RunDetailsResult;
    assert.ok(details.kind === 'details');
    assert.equal(details.details.overview.runId, runIds[0]);
    panel.dispose();

    const last = shown[2]?.command;
    assert.ok(last, 'the last part has a command');
    await vscode.commands.executeCommand(last.command, ...((last.arguments ?? []) as unknown[]));
    const log = await until('the log editor', () => {
      const doc = vscode.window.activeTextEditor?.document;
      return Promise.resolve(doc?.uri.path.endsWith('labbook/logs/output.log') ? doc : undefined);
    });
    assert.ok(log.uri.path.includes(runIds[1] ?? '-'), log.uri.toString());
    assert.match(log.getText(), /lens script output/);

    const compare = shown[3]?.command;
    assert.ok(compare, 'the compare part has a command');
    const comparePanel = await vscode.commands.executeCommand<ComparePanel>(compare.command, ...((compare.arguments ?? []) as unknown[]));
    assert.ok(comparePanel, 'Compare opened the panel');
    assert.deepEqual(await firstRequest(comparePanel), { method: 'getComparison', ok: true });
    comparePanel.dispose();
  });

  it('is off with labbook.codeLens.enabled', async () => {
    await vscode.workspace.getConfiguration('labbook.codeLens').update('enabled', false, vscode.ConfigurationTarget.Workspace);
    assert.equal((await runsLens()).length, 0);
    await vscode.workspace.getConfiguration('labbook.codeLens').update('enabled', undefined, vscode.ConfigurationTarget.Workspace);
    assert.equal((await until('the lens back', async () => ((await runsLens()).length === 5 ? true : undefined), 20_000)), true);
  });
});
