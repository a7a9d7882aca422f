import * as vscode from 'vscode';
import { fileHistory } from '../../core/git/gitFiles.ts';
import { isDiffSource, NOTEBOOK_DIFF_VIEW_TYPE, type DiffSource } from '../../protocol/notebookDiff.ts';
import type { FileInfo } from '../../core/store/types.ts';
import type { ReadableStore } from '../../core/store/trackingStore.ts';
import { NotebookDiffPanel, type StoreResolver } from '../panels/notebookDiffPanel.ts';
import type { ExplorerNode, RunNode } from '../trees/experimentsTree.ts';
import { pickWorkspaceFile } from './workspaceFiles.ts';
import { errorMessage } from '../../shared/errorMessage.ts';

/** The notebook a command acts on: its argument (explorer, SCM, editor title), else the active editor's. */
function targetNotebook(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  const fromScm = (arg as { resourceUri?: unknown } | undefined)?.resourceUri;
  if (fromScm instanceof vscode.Uri) return fromScm;
  return vscode.window.activeNotebookEditor?.notebook.uri ?? vscode.window.activeTextEditor?.document.uri;
}

async function requireNotebook(arg: unknown): Promise<vscode.Uri | undefined> {
  // From the palette or a walkthrough button no notebook may be active: offer the workspace's.
  const uri = targetNotebook(arg) ?? (await pickWorkspaceFile('.ipynb', 'Diff Notebook'));
  if (!uri || uri.scheme !== 'file' || !uri.fsPath.endsWith('.ipynb')) {
    void vscode.window.showErrorMessage('Labbook diffs notebooks (.ipynb files on disk): open or select one first.');
    return undefined;
  }
  return uri;
}

/** The `.ipynb` artifacts of a run (searched two folders deep, bounded). */
async function notebookArtifacts(store: ReadableStore, runId: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    let entries: readonly FileInfo[];
    try {
      entries = await store.listArtifacts(runId, dir);
    } catch {
      return;
    }
    for (const entry of entries.slice(0, 500)) {
      if (entry.isDir && depth < 2) await walk(entry.path, depth + 1);
      else if (!entry.isDir && entry.path.endsWith('.ipynb')) found.push(entry.path);
    }
  };
  await walk('', 0);
  return found;
}

/** Diff with HEAD, with a revision, with another file, between two runs; and the panel serializer. */
export function registerNotebookDiffCommands(extensionUri: vscode.Uri, log: vscode.LogOutputChannel, stores: StoreResolver): vscode.Disposable[] {
  const show = (source: DiffSource) => NotebookDiffPanel.show(source, stores, extensionUri, log);
  return [
    vscode.window.registerWebviewPanelSerializer(NOTEBOOK_DIFF_VIEW_TYPE, {
      deserializeWebviewPanel: (panel, state: unknown) => {
        const source = (state as { source?: unknown } | undefined)?.source;
        if (isDiffSource(source)) NotebookDiffPanel.revive(panel, source, stores, extensionUri, log);
        else panel.dispose();
        return Promise.resolve();
      },
    }),
    { dispose: () => NotebookDiffPanel.disposeAll() },
    // Keys pressed in a webview reach the workbench, so VS Code's diff keys (package.json
    // keybindings) come here and go on to the focused panel; returns that panel, if any.
    ...(['next', 'previous'] as const).map((direction) =>
      vscode.commands.registerCommand(`labbook.${direction}NotebookDiffChange`, async () => {
        const panel = NotebookDiffPanel.active();
        if (panel) await panel.goToChange(direction);
        return panel;
      }),
    ),
    vscode.commands.registerCommand('labbook.diffNotebookWithHead', async (arg?: unknown) => {
      const uri = await requireNotebook(arg);
      return uri ? show({ kind: 'git', file: uri.fsPath, revision: 'HEAD' }) : undefined;
    }),
    vscode.commands.registerCommand('labbook.diffNotebookWithRevision', async (arg?: unknown, revision?: string) => {
      const uri = await requireNotebook(arg);
      if (!uri) return undefined;
      let chosen = revision;
      if (!chosen) {
        let commits;
        try {
          commits = await fileHistory(uri.fsPath);
        } catch (err) {
          void vscode.window.showErrorMessage(errorMessage(err));
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
      const uri = await requireNotebook(arg);
      if (!uri) return undefined;
      const picked = other ?? (await vscode.window.showOpenDialog({ title: 'Diff Notebook with…', canSelectMany: false, filters: { Notebooks: ['ipynb'] } }))?.[0];
      return picked ? show({ kind: 'files', base: picked.fsPath, remote: uri.fsPath }) : undefined;
    }),
    vscode.commands.registerCommand('labbook.diffRunNotebooks', async (node?: RunNode, selected?: readonly ExplorerNode[], notebookPath?: string) => {
      const runs = (selected?.length ? selected : node ? [node] : []).filter((n): n is RunNode => n.kind === 'run');
      if (runs.length !== 2 || runs[0]?.root.id !== runs[1]?.root.id) {
        void vscode.window.showErrorMessage('Select two runs of the same store to diff their notebooks.');
        return undefined;
      }
      const [base, remote] = [...runs].sort((a, b) => a.run.info.startTime - b.run.info.startTime) as [RunNode, RunNode];
      const store = await stores(base.root.id);
      if (!store) return undefined;
      let chosen = notebookPath;
      if (!chosen) {
        const [inBase, inRemote] = await Promise.all([notebookArtifacts(store, base.run.info.runId), notebookArtifacts(store, remote.run.info.runId)]);
        const common = inBase.filter((p) => inRemote.includes(p));
        if (common.length === 0) {
          void vscode.window.showErrorMessage(`The runs '${base.run.info.runName}' and '${remote.run.info.runName}' have no notebook artifact at the same path.`);
          return undefined;
        }
        chosen = common.length === 1 ? common[0] : (await vscode.window.showQuickPick(common, { title: 'Diff Notebooks of Two Runs', placeHolder: 'The notebook artifact to compare' }));
      }
      if (!chosen) return undefined;
      return show({ kind: 'runs', store: base.root.id, baseRun: base.run.info.runId, remoteRun: remote.run.info.runId, path: chosen });
    }),
  ];
}
