import * as vscode from 'vscode';
import { fileHistory } from '../../core/git/gitFiles.ts';
import { isDiffSource, NOTEBOOK_DIFF_VIEW_TYPE, type DiffSource } from '../../protocol/notebookDiff.ts';
import { NotebookDiffPanel } from '../panels/notebookDiffPanel.ts';

/** The notebook a command acts on: its argument (explorer, SCM, editor title), else the active editor's. */
function targetNotebook(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  const fromScm = (arg as { resourceUri?: unknown } | undefined)?.resourceUri;
  if (fromScm instanceof vscode.Uri) return fromScm;
  return vscode.window.activeNotebookEditor?.notebook.uri ?? vscode.window.activeTextEditor?.document.uri;
}

function requireNotebook(arg: unknown): vscode.Uri | undefined {
  const uri = targetNotebook(arg);
  if (!uri || uri.scheme !== 'file' || !uri.fsPath.endsWith('.ipynb')) {
    void vscode.window.showErrorMessage('Labbook diffs notebooks (.ipynb files on disk): open or select one first.');
    return undefined;
  }
  return uri;
}

/** Diff with HEAD, with a revision, with another file; and the panel serializer. */
export function registerNotebookDiffCommands(extensionUri: vscode.Uri, log: vscode.LogOutputChannel): vscode.Disposable[] {
  const show = (source: DiffSource) => NotebookDiffPanel.show(source, extensionUri, log);
  return [
    vscode.window.registerWebviewPanelSerializer(NOTEBOOK_DIFF_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state: unknown) => {
        const source = (state as { source?: unknown } | undefined)?.source;
        if (isDiffSource(source)) NotebookDiffPanel.revive(panel, source, extensionUri, log);
        else panel.dispose();
      },
    }),
    { dispose: () => NotebookDiffPanel.disposeAll() },
    vscode.commands.registerCommand('labbook.diffNotebookWithHead', (arg?: unknown) => {
      const uri = requireNotebook(arg);
      return uri ? show({ kind: 'git', file: uri.fsPath, revision: 'HEAD' }) : undefined;
    }),
    vscode.commands.registerCommand('labbook.diffNotebookWithRevision', async (arg?: unknown, revision?: string) => {
      const uri = requireNotebook(arg);
      if (!uri) return undefined;
      let chosen = revision;
      if (!chosen) {
        let commits;
        try {
          commits = await fileHistory(uri.fsPath);
        } catch (err) {
          void vscode.window.showErrorMessage((err as Error).message);
          return undefined;
        }
        const picked = await vscode.window.showQuickPick(
          commits.map((c) => ({ label: c.message.split('\n')[0] ?? c.hash, description: `${c.hash.slice(0, 8)} · ${c.author} · ${c.date.slice(0, 10)}`, hash: c.hash })),
          { title: 'Diff Notebook with Revision', placeHolder: 'The commit to compare the working tree with', matchOnDescription: true },
        );
        chosen = picked?.hash;
      }
      return chosen ? show({ kind: 'git', file: uri.fsPath, revision: chosen }) : undefined;
    }),
    vscode.commands.registerCommand('labbook.diffNotebookWithFile', async (arg?: unknown, other?: vscode.Uri) => {
      const uri = requireNotebook(arg);
      if (!uri) return undefined;
      const picked = other ?? (await vscode.window.showOpenDialog({ title: 'Diff Notebook with…', canSelectMany: false, filters: { Notebooks: ['ipynb'] } }))?.[0];
      return picked ? show({ kind: 'files', base: picked.fsPath, remote: uri.fsPath }) : undefined;
    }),
  ];
}
