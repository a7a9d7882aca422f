// Data checks in the real host: a failing check in .labbook/checks.yaml blocks a tracked launch
// (labbook.checks.beforeLaunch "block", the default) and leaves a diagnostic on the rule with the
// column and the observed value; "warn" lets the run launch; Run Data Checks and saving the file
// update the diagnostics.
import * as assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CheckRun } from '../../src/core/checks/index.ts';
import type { LabbookApi } from '../../src/host/extension.ts';
import { activateLabbook, until } from './support.ts';

const workspace = (): string => {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test opens a workspace folder');
  return folder.uri.fsPath;
};

describe('Labbook data checks before tracked launches', function () {
  this.timeout(240_000);
  let api: LabbookApi;
  let root: string;
  let checksFile: string;
  const diagnostics = () => vscode.languages.getDiagnostics(vscode.Uri.file(checksFile)).filter((d) => d.source === 'Labbook data checks');

  before(async () => {
    const python = process.env.LABBOOK_TEST_PYTHON;
    if (!python) throw new Error('LABBOOK_TEST_PYTHON must name the test venv (scripts/test.mjs sets it)');
    ({ api } = await activateLabbook());
    root = workspace();
    await vscode.workspace.getConfiguration('labbook.python').update('path', python, vscode.ConfigurationTarget.Workspace);
    mkdirSync(path.join(root, 'checked'), { recursive: true });
    writeFileSync(path.join(root, 'checked', 'people.csv'), 'id,age,sex\n1,34,f\n2,212,m\n3,51,f\n');
    writeFileSync(path.join(root, 'checked', 'train_checked.py'), 'print("trained on people.csv")\n');
    mkdirSync(path.join(root, '.labbook'), { recursive: true });
    checksFile = path.join(root, '.labbook', 'checks.yaml');
    writeFileSync(checksFile, 'datasets:\n  - path: checked/people.csv\n    columns:\n      age: { type: int, min: 0, max: 120 }\n      sex: { allowed: [f, m] }\n');
    await vscode.workspace.getConfiguration('labbook').update('dataPaths', ['checked/people.csv'], vscode.ConfigurationTarget.Workspace);
  });

  after(async () => {
    // The other suites launch in this folder: no checks file may stand in their way.
    rmSync(checksFile, { force: true });
    await vscode.workspace.getConfiguration('labbook.python').update('path', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.workspace.getConfiguration('labbook').update('dataPaths', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.workspace.getConfiguration('labbook.checks').update('beforeLaunch', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('blocks a tracked launch when a check fails, with a diagnostic on the rule naming the column and the observed value', async () => {
    const before = api.launches.runs().length;
    const result = await vscode.commands.executeCommand<{ runId: string } | undefined>('labbook.runPythonFile', vscode.Uri.file(path.join(root, 'checked', 'train_checked.py')));
    assert.equal(result, undefined, 'the launch was stopped');
    assert.equal(api.launches.runs().length, before, 'no run started');
    const marks = diagnostics();
    assert.equal(marks.length, 1, JSON.stringify(marks.map((d) => d.message)));
    const [mark] = marks;
    assert.equal(mark?.message, 'age: max 212 > 120');
    assert.equal(mark?.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(mark?.range.start.line, 3);
    assert.equal(mark?.range.start.character, '      age: { type: int, min: 0, '.length);
  });

  it('checks the data a launch reads from its own cwd (a recipe with "cwd"): relative data paths are the run’s', async () => {
    const before = api.launches.runs().length;
    // people.csv relative to checked/, where the run starts: the file the checks name, so it is blocked.
    const blocked = await api.launches.launch({ file: path.join(root, 'checked', 'train_checked.py'), cwd: path.join(root, 'checked'), dataPaths: ['people.csv'] });
    assert.equal(blocked, undefined, 'the launch was stopped');
    assert.equal(api.launches.runs().length, before, 'no run started');
    assert.deepEqual(diagnostics().map((d) => d.message), ['age: max 212 > 120']);
  });

  it('runs on demand and when the checks file is saved, clearing the diagnostic once the rule passes', async () => {
    const run = await vscode.commands.executeCommand<CheckRun | undefined>('labbook.runDataChecks', vscode.Uri.file(checksFile), { quiet: true });
    assert.ok(run);
    assert.deepEqual(run.results.filter((r) => r.status !== 'pass').map((r) => r.message), ['age: max 212 > 120']);
    const editor = await vscode.window.showTextDocument(vscode.Uri.file(checksFile));
    await editor.edit((e) => e.replace(new vscode.Range(3, 0, 3, 1000), '      age: { type: int, min: 0, max: 250 }'));
    await editor.document.save();
    await until('the saved checks to pass', () => Promise.resolve(diagnostics().length === 0 ? true : undefined));
    await editor.edit((e) => e.replace(new vscode.Range(3, 0, 3, 1000), '      age: { type: int, min: 0, max: 120 }'));
    await editor.document.save();
    await until('the saved checks to fail again', () => Promise.resolve(diagnostics().length === 1 ? true : undefined));
  });

  it('with "warn", reports the failed check and launches the run', async () => {
    await vscode.workspace.getConfiguration('labbook.checks').update('beforeLaunch', 'warn', vscode.ConfigurationTarget.Workspace);
    const result = await vscode.commands.executeCommand<{ runId: string } | undefined>('labbook.runPythonFile', vscode.Uri.file(path.join(root, 'checked', 'train_checked.py')));
    assert.ok(result, 'the run launched');
    await api.launches.get(result.runId)?.tracked.done;
    assert.equal(diagnostics().length, 1, 'the failure is still shown');
  });
});
