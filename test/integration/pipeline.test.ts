import * as assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PipelinePanel } from '../../src/host/panels/pipelinePanel.ts';
import type { SmokeResult } from '../../src/host/pipeline/smokeTest.ts';
import type { PipelinePlanView, WriteSummary } from '../../src/protocol/pipeline.ts';
import { activateLabbook } from './support.ts';

const workspace = (): string => {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test opens a workspace folder');
  return folder.uri.fsPath;
};

/** A notebook of code cells (nbformat 4.5, with ids). */
function notebookJson(sources: string[], tags: Record<number, string[]> = {}): string {
  const cells = sources.map((source, i) => ({
    cell_type: 'code',
    execution_count: null,
    id: `cell-${i}`,
    metadata: tags[i] ? { tags: tags[i] } : {},
    outputs: [],
    source: source.split(/(?<=\n)/),
  }));
  return `${JSON.stringify({ cells, metadata: { kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' } }, nbformat: 4, nbformat_minor: 5 }, null, 1)}\n`;
}

describe('Labbook pipeline export and smoke tests (real Python)', function () {
  this.timeout(240_000);
  let root: string;
  let dir: string;
  let panel: PipelinePanel | undefined;
  let requestId = 100;

  const call = async <T>(method: string, params: unknown): Promise<T> => {
    assert.ok(panel);
    const reply = await panel.dispatch({ kind: 'request', id: ++requestId, method, params });
    assert.ok(reply?.ok, `${method} failed: ${JSON.stringify(reply)}`);
    return reply.result as T;
  };

  before(async () => {
    const python = process.env.LABBOOK_TEST_PYTHON;
    if (!python) throw new Error('LABBOOK_TEST_PYTHON must name the test venv (scripts/test.mjs sets it)');
    await activateLabbook();
    root = workspace();
    dir = path.join(root, 'pipeline-it');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    copyFileSync(path.join(process.env.LABBOOK_ROOT ?? '', 'test', 'fixtures', 'pipeline', 'classification.ipynb'), path.join(dir, 'classification.ipynb'));
    await vscode.workspace.getConfiguration('labbook.python').update('path', python, vscode.ConfigurationTarget.Workspace);
  });

  after(async () => {
    panel?.dispose();
    await vscode.workspace.getConfiguration('labbook.python').update('path', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens the export preview, whose webview asks for the plan of the notebook', async () => {
    const uri = vscode.Uri.file(path.join(dir, 'classification.ipynb'));
    panel = await vscode.commands.executeCommand<PipelinePanel>('labbook.exportNotebookToPipeline', uri, { outDir: 'pipeline-it/pkg' });
    assert.ok(panel, 'the command returns the panel');
    // The real webview loads, asks for the plan, and gets it.
    const handled = await new Promise<{ method: string; ok: boolean }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the pipeline webview never asked for the plan')), 60_000);
      const sub = panel?.onDidHandleRequest((e) => {
        clearTimeout(timer);
        sub?.dispose();
        resolve(e);
      });
    });
    assert.deepEqual(handled, { method: 'getPlan', ok: true });
    const plan = await call<PipelinePlanView>('getPlan', { outDir: '' });
    assert.equal(plan.outDir, 'pipeline-it/pkg');
    assert.equal(plan.outDirAbsolute, path.join(root, 'pipeline-it', 'pkg'));
    assert.equal(plan.mode, 'markers');
    assert.deepEqual(plan.steps.map((s) => s.name), ['make_data', 'features', 'split', 'train', 'evaluate']);
    assert.ok(plan.files.every((f) => f.action === 'create'));
    // Showing the same notebook again reveals the same panel.
    assert.equal(await vscode.commands.executeCommand('labbook.exportNotebookToPipeline', uri), panel);
    const bad = await panel.dispatch({ kind: 'request', id: ++requestId, method: 'writePackage', params: { outDir: 'x' } });
    assert.equal(bad?.ok, false);
  });

  it('writes the package, after which every file is unchanged', async () => {
    const summary = await call<WriteSummary>('writePackage', { outDir: 'pipeline-it/pkg', force: false });
    const pkg = path.join(root, 'pipeline-it', 'pkg');
    assert.equal(summary.outDirAbsolute, pkg);
    for (const file of ['steps/make_data.py', 'steps/evaluate.py', 'pipeline.py', 'flow.py', 'params.yaml', 'requirements.txt', 'tests/test_smoke.py', 'README.md']) {
      assert.ok(existsSync(path.join(pkg, file)), `${file} was written`);
      assert.ok(summary.written.includes(file), `${file} is reported written`);
    }
    const again = await call<PipelinePlanView>('getPlan', { outDir: 'pipeline-it/pkg' });
    assert.ok(again.files.length > 0 && again.files.every((f) => f.action === 'unchanged'), JSON.stringify(again.files));
    // A hand edit is a conflict, kept unless forced.
    writeFileSync(path.join(pkg, 'pipeline.py'), '# mine\n');
    const edited = await call<PipelinePlanView>('getPlan', { outDir: 'pipeline-it/pkg' });
    assert.equal(edited.files.find((f) => f.path === 'pipeline.py')?.action, 'conflict');
    assert.equal(edited.conflicts.length, 1);
    const kept = await call<WriteSummary>('writePackage', { outDir: 'pipeline-it/pkg', force: false });
    assert.deepEqual(kept.kept, ['pipeline.py']);
    assert.equal(readFileSync(path.join(pkg, 'pipeline.py'), 'utf8'), '# mine\n');
  });

  it('renames a step by retagging its first cell, on disk, and the plan shows the new name', async () => {
    const file = path.join(dir, 'classification.ipynb');
    const plan = await call<PipelinePlanView>('renameStep', { outDir: 'pipeline-it/pkg', step: 'train', name: 'fit_model' });
    assert.deepEqual(plan.steps.map((s) => s.name), ['make_data', 'features', 'split', 'fit_model', 'evaluate']);
    assert.equal(plan.mode, 'tags');
    assert.ok(plan.edges.some((e) => e.from === 'fit_model' && e.to === 'evaluate'));
    const json = JSON.parse(readFileSync(file, 'utf8')) as { cells: { metadata: { tags?: string[] }; source: string[] }[] };
    assert.deepEqual(json.cells[6]?.metadata.tags, ['step:fit_model']);
    // The other steps keep their names (tagged from their markers); parameters keep their tag.
    assert.deepEqual(json.cells[2]?.metadata.tags, ['step:make_data']);
    assert.deepEqual(json.cells[1]?.metadata.tags, ['parameters']);
    assert.match(json.cells[6]?.source.join('') ?? '', /^# %% \[step\] train\n/);
    // Merge it back into `split`, then split it off again at the same cell.
    const merged = await call<PipelinePlanView>('mergeStep', { outDir: 'pipeline-it/pkg', step: 'fit_model' });
    assert.deepEqual(merged.steps.map((s) => s.name), ['make_data', 'features', 'split', 'evaluate']);
    assert.deepEqual(merged.steps[2]?.cells.map((c) => c.index), [5, 6]);
    // With the notebook open in VS Code the tags go in through a notebook edit, then a save.
    const doc = await vscode.workspace.openNotebookDocument(vscode.Uri.file(file));
    const split = await call<PipelinePlanView>('splitAt', { outDir: 'pipeline-it/pkg', cellIndex: 6, name: 'train' });
    assert.deepEqual(split.steps.map((s) => s.name), ['make_data', 'features', 'split', 'train', 'evaluate']);
    assert.equal(doc.isDirty, false);
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { cells: { id?: string; metadata: { tags?: string[] } }[] };
    assert.deepEqual(saved.cells[6]?.metadata.tags, ['step:train']);
    assert.equal(saved.cells[6]?.id, 'cell-06');
    assert.deepEqual(saved.cells[1]?.metadata.tags, ['parameters']);
    const refused = await panel?.dispatch({ kind: 'request', id: ++requestId, method: 'renameStep', params: { outDir: '', step: 'train', name: 'not a name' } });
    assert.equal(refused?.ok, false);
    assert.match(refused && !refused.ok ? refused.error.message : '', /Python identifier/);
  });

  it('answers a corrupt notebook with a readable error instead of a plan', async () => {
    const file = path.join(dir, 'corrupt.ipynb');
    writeFileSync(file, '{"cells": [ {"cell_type": "code", ');
    const corrupt = await vscode.commands.executeCommand<PipelinePanel>('labbook.exportNotebookToPipeline', vscode.Uri.file(file));
    try {
      const reply = await corrupt.dispatch({ kind: 'request', id: 1, method: 'getPlan', params: { outDir: '' } });
      assert.equal(reply?.ok, false);
      assert.match(reply && !reply.ok ? reply.error.message : '', /corrupt\.ipynb/);
    } finally {
      corrupt.dispose();
    }
  });

  it('smoke-tests a failing notebook: the failing cell gets a diagnostic', async () => {
    const file = path.join(dir, 'fails.ipynb');
    writeFileSync(file, notebookJson(['x = 1\n', 'y = x + 1\nprint(undefined_name)\n', 'z = 3\n']));
    const result = await vscode.commands.executeCommand<SmokeResult>('labbook.smokeTestNotebook', vscode.Uri.file(file));
    assert.ok(result, 'the smoke test ran');
    assert.equal(result.ok, false);
    assert.equal(result.failedCell?.index, 1);
    assert.equal(result.failedCell?.ename, 'NameError');
    const doc = vscode.workspace.notebookDocuments.find((d) => d.uri.fsPath === file);
    assert.ok(doc, 'the notebook document is open');
    const cellUri = doc.cellAt(1).document.uri;
    const diagnostics = vscode.languages.getDiagnostics(cellUri);
    assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics));
    assert.match(diagnostics[0]?.message ?? '', /^NameError: name 'undefined_name' is not defined/);
    assert.equal(diagnostics[0]?.severity, vscode.DiagnosticSeverity.Error);
    // The traceback names line 2 of the cell.
    assert.equal(diagnostics[0]?.range.start.line, 1);
    assert.equal(vscode.languages.getDiagnostics(doc.cellAt(0).document.uri).length, 0);

    // Fixed: the run passes and the diagnostic goes.
    writeFileSync(file, notebookJson(['x = 1\n', 'y = x + 1\nprint(y)\n', 'z = 3\n']));
    const fixed = await vscode.commands.executeCommand<SmokeResult>('labbook.smokeTestNotebook', vscode.Uri.file(file));
    assert.equal(fixed?.ok, true, JSON.stringify(fixed));
    assert.equal(vscode.languages.getDiagnostics(cellUri).length, 0);
  });

  it('smoke-tests a passing notebook with parameter overrides', async () => {
    const file = path.join(dir, 'params.ipynb');
    writeFileSync(file, notebookJson(['n_rows = 1000\n', 'assert n_rows == 20, n_rows\n'], { 0: ['parameters'] }));
    const result = await vscode.commands.executeCommand<SmokeResult>('labbook.smokeTestNotebook', vscode.Uri.file(file), { parameters: { n_rows: 20 } });
    assert.equal(result?.ok, true, JSON.stringify(result));
    const doc = await vscode.workspace.openNotebookDocument(vscode.Uri.file(file));
    assert.equal(doc.getCells().flatMap((c) => vscode.languages.getDiagnostics(c.document.uri)).length, 0);
    // Without the override the assertion fails, in cell 2.
    const failing = await vscode.commands.executeCommand<SmokeResult>('labbook.smokeTestNotebook', vscode.Uri.file(file));
    assert.equal(failing?.failedCell?.index, 1);
    assert.equal(failing?.failedCell?.ename, 'AssertionError');
  });

  it('runs the smoke test as a tracked run and still finds the failing cell', async function () {
    const { api } = await activateLabbook();
    if (!api.launches) this.skip();
    const file = path.join(dir, 'tracked.ipynb');
    writeFileSync(file, notebookJson(['a = 1\n', 'raise ValueError("boom")\n']));
    const result = await vscode.commands.executeCommand<SmokeResult>('labbook.smokeTestNotebook', vscode.Uri.file(file), { tracked: true });
    assert.ok(result?.runId, JSON.stringify(result));
    assert.equal(result.ok, false);
    assert.equal(result.failedCell?.index, 1);
    assert.equal(result.failedCell?.ename, 'ValueError');
    const doc = await vscode.workspace.openNotebookDocument(vscode.Uri.file(file));
    assert.match(vscode.languages.getDiagnostics(doc.cellAt(1).document.uri)[0]?.message ?? '', /^ValueError: boom/);
  });
});
