import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { NotebookDiffPanel } from '../../src/host/panels/notebookDiffPanel.ts';
import type { NotebookDiffData } from '../../src/protocol/notebookDiff.ts';
import { activateLabbook, firstRequest, workspaceStore } from './support.ts';

const TOGGLES = { ignoreExecutionCounts: true, ignoreVolatileMetadata: true, ignoreOutputOnlyChanges: true, ignoreWhitespace: true };

describe('Labbook notebook diff from git', () => {
  let repo: string;
  let fixtures: string;

  before(async () => {
    const { ext } = await activateLabbook();
    fixtures = path.join(ext.extensionPath, 'test', 'fixtures', 'notebooks');
    repo = mkdtempSync(path.join(tmpdir(), 'labbook-nbdiff-'));
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo });
    git('init', '-q', '-b', 'main');
    git('config', 'user.email', 'ada@example.com');
    git('config', 'user.name', 'Ada');
    copyFileSync(path.join(fixtures, 'workflow.ipynb'), path.join(repo, 'workflow.ipynb'));
    git('add', '.');
    git('commit', '-qm', 'the workflow');
    copyFileSync(path.join(fixtures, 'workflow-edited.ipynb'), path.join(repo, 'workflow.ipynb'));
  });
  after(() => rmSync(repo, { recursive: true, force: true }));

  it('opens a diff panel of the working tree against HEAD that answers with the cell-aligned diff', async () => {
    const uri = vscode.Uri.file(path.join(repo, 'workflow.ipynb'));
    const panel = await vscode.commands.executeCommand<NotebookDiffPanel>('labbook.diffNotebookWithHead', uri);
    assert.ok(panel, 'the command returns the panel');
    // The real webview loads, asks for the diff, and gets it.
    const rendered = await new Promise<{ method: string; ok: boolean }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the diff webview never asked for the diff')), 60_000);
      const sub = panel.onDidHandleRequest((e) => {
        clearTimeout(timer);
        sub.dispose();
        resolve(e);
      });
    });
    assert.deepEqual(rendered, { method: 'getDiff', ok: true });
    const reply = await panel.dispatch({ kind: 'request', id: 1, method: 'getDiff', params: { toggles: TOGGLES } });
    assert.ok(reply?.ok, JSON.stringify(reply));
    const data = reply.result as NotebookDiffData;
    assert.deepEqual(
      { modified: data.diff.stats.modified, added: data.diff.stats.added, removed: data.diff.stats.removed },
      { modified: 4, added: 1, removed: 1 },
    );
    assert.match(data.title, /workflow\.ipynb \(HEAD ↔ working tree\)/);
    assert.equal(data.base.cells.length, data.diff.base.cellCount);
    // Showing the same diff again reveals the same panel.
    assert.equal(await vscode.commands.executeCommand('labbook.diffNotebookWithHead', uri), panel);
    const bad = await panel.dispatch({ kind: 'request', id: 2, method: 'getDiff', params: { toggles: { ignoreWhitespace: 'yes' } } });
    assert.equal(bad?.ok, false);
    panel.dispose();
  });

  it('diffs against an older revision and against another file', async () => {
    const uri = vscode.Uri.file(path.join(repo, 'workflow.ipynb'));
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim();
    const byRevision = await vscode.commands.executeCommand<NotebookDiffPanel>('labbook.diffNotebookWithRevision', uri, head);
    const reply = await byRevision.dispatch({ kind: 'request', id: 1, method: 'getDiff', params: { toggles: TOGGLES } });
    assert.equal((reply?.ok && (reply.result as NotebookDiffData).diff.stats.modified) || 0, 4);
    byRevision.dispose();
    const withFile = await vscode.commands.executeCommand<NotebookDiffPanel>('labbook.diffNotebookWithFile', uri, vscode.Uri.file(path.join(fixtures, 'workflow-moved.ipynb')));
    const moved = await withFile.dispatch({ kind: 'request', id: 1, method: 'getDiff', params: { toggles: TOGGLES } });
    assert.ok(moved?.ok);
    assert.ok((moved.result as NotebookDiffData).diff.stats.hasChanges);
    withFile.dispose();
  });

  it('explains a file outside git instead of failing silently', async () => {
    const lonely = mkdtempSync(path.join(tmpdir(), 'labbook-nogit-'));
    try {
      copyFileSync(path.join(fixtures, 'workflow.ipynb'), path.join(lonely, 'nb.ipynb'));
      const panel = await vscode.commands.executeCommand<NotebookDiffPanel>('labbook.diffNotebookWithHead', vscode.Uri.file(path.join(lonely, 'nb.ipynb')));
      const reply = await panel.dispatch({ kind: 'request', id: 1, method: 'getDiff', params: { toggles: TOGGLES } });
      assert.equal(reply?.ok, false);
      assert.match(reply && !reply.ok ? reply.error.message : '', /not in a git repository/);
      panel.dispose();
    } finally {
      rmSync(lonely, { recursive: true, force: true });
    }
  });

  it('sends the next/previous change keys (F7, Shift+F7) to the focused diff panel, and nowhere without one', async () => {
    const uri = vscode.Uri.file(path.join(repo, 'workflow.ipynb'));
    const panel = await vscode.commands.executeCommand<NotebookDiffPanel>('labbook.diffNotebookWithHead', uri);
    await firstRequest(panel);
    assert.equal(panel.panel.active, true, 'the new diff panel has the focus');
    // The keybindings run these commands; each returns the panel it moved.
    assert.equal(await vscode.commands.executeCommand('labbook.nextNotebookDiffChange'), panel);
    assert.equal(await vscode.commands.executeCommand('labbook.previousNotebookDiffChange'), panel);
    panel.dispose();
    assert.equal(await vscode.commands.executeCommand('labbook.nextNotebookDiffChange'), undefined);
  });
});

describe('Labbook notebook diff between two runs', () => {
  it('diffs the notebook artifact two selected runs share', async () => {
    const { api, other } = await workspaceStore();
    try {
      const { ext } = await activateLabbook();
      const fixtures = path.join(ext.extensionPath, 'test', 'fixtures', 'notebooks');
      const experimentId = await other.createExperiment('notebook-runs');
      const first = await other.createRun({ experimentId, runName: 'before', startTime: 1_700_000_000_000 });
      const second = await other.createRun({ experimentId, runName: 'after', startTime: 1_700_000_100_000 });
      await other.writeArtifact(first.info.runId, 'notebooks/analysis.ipynb', readFileSync(path.join(fixtures, 'workflow.ipynb')));
      await other.writeArtifact(second.info.runId, 'notebooks/analysis.ipynb', readFileSync(path.join(fixtures, 'workflow-edited.ipynb')));
      await vscode.commands.executeCommand('labbook.refreshExperiments');
      const [local] = await api.experiments.getChildren();
      const experiment = (await api.experiments.getChildren(local)).find((n) => n.kind === 'experiment' && n.experiment.name === 'notebook-runs');
      const runs = await api.experiments.getChildren(experiment);
      assert.equal(runs.length, 2);
      const panel = await vscode.commands.executeCommand<NotebookDiffPanel>('labbook.diffRunNotebooks', runs[0], runs);
      assert.ok(panel, 'a panel opened for the shared notebook');
      assert.deepEqual(panel.source, { kind: 'runs', store: 'local', baseRun: first.info.runId, remoteRun: second.info.runId, path: 'notebooks/analysis.ipynb' });
      const reply = await panel.dispatch({ kind: 'request', id: 1, method: 'getDiff', params: { toggles: TOGGLES } });
      assert.ok(reply?.ok, JSON.stringify(reply));
      const data = reply.result as NotebookDiffData;
      assert.equal(data.diff.stats.modified, 4);
      assert.match(data.title, /analysis\.ipynb \(before ↔ after\)/);
      panel.dispose();
      assert.equal(await vscode.commands.executeCommand('labbook.diffRunNotebooks', runs[0], [runs[0]]), undefined, 'one run is not enough');
    } finally {
      await other.close();
    }
  });
});
