import * as path from 'node:path';
import * as vscode from 'vscode';
import { OUTPUT_POLICIES, type MergeOptions, type OutputPolicy } from '../../core/merge/model.ts';
import { isMergeSource, NOTEBOOK_MERGE_VIEW_TYPE, type MergeSource } from '../../protocol/notebookMerge.ts';
import { errorMessage } from '../../shared/errorMessage.ts';
import { pickWorkspaceFile } from '../commands/workspaceFiles.ts';
import { NotebookMergePanel, type MergePanelDeps } from '../panels/notebookMergePanel.ts';
import { unmergedNotebooks } from './conflictedNotebooks.ts';
import { ResolutionStore } from './mergeResult.ts';
import { loadMerge, NothingToMergeError } from './mergeSource.ts';

/** The merge settings (labbook.merge.*, resource scoped: the folder of `file` counts); a bad value falls back to the default. */
export function mergeSettings(file: string): Partial<MergeOptions> {
  const config = vscode.workspace.getConfiguration('labbook.merge', vscode.Uri.file(file));
  const outputs = config.get<string>('outputs');
  return {
    outputs: OUTPUT_POLICIES.includes(outputs as OutputPolicy) ? (outputs as OutputPolicy) : 'clear',
    autoResolveExecutionCounts: config.get<boolean>('autoResolveExecutionCounts') !== false,
    autoResolveVolatileMetadata: config.get<boolean>('autoResolveVolatileMetadata') !== false,
  };
}

/** The notebook a command acts on: its argument (Explorer, Source Control, editor title), else the active editor's. */
function targetNotebook(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  const fromScm = (arg as { resourceUri?: unknown } | undefined)?.resourceUri;
  if (fromScm instanceof vscode.Uri) return fromScm;
  const active = vscode.window.activeNotebookEditor?.notebook.uri ?? vscode.window.activeTextEditor?.document.uri;
  return active?.fsPath.endsWith('.ipynb') ? active : undefined;
}

/** From the palette: the workspace's unmerged notebooks to pick from, else any notebook. */
async function pickConflictedNotebook(): Promise<vscode.Uri | undefined> {
  // Git runs commands a repository configures: not asked in Restricted Mode (any notebook may still be picked).
  const folders = vscode.workspace.isTrusted ? (vscode.workspace.workspaceFolders ?? []) : [];
  const unmerged = [...new Set((await Promise.all(folders.map((f) => unmergedNotebooks(f.uri.fsPath)))).flat())];
  if (unmerged.length === 0) {
    const why = vscode.workspace.isTrusted ? 'no notebook is unmerged in git' : 'Restricted Mode: git is not asked';
    return pickWorkspaceFile('.ipynb', `Open Notebook Merge (${why}: pick one with recorded conflicts)`);
  }
  if (unmerged.length === 1) return vscode.Uri.file(unmerged[0] as string);
  const picked = await vscode.window.showQuickPick(
    unmerged.map((file) => ({ label: path.basename(file), description: vscode.workspace.asRelativePath(file), file })),
    { title: 'Open Notebook Merge', placeHolder: 'The conflicted notebook to merge', matchOnDescription: true },
  );
  return picked && vscode.Uri.file(picked.file);
}

async function pickFile(title: string): Promise<vscode.Uri | undefined> {
  return (await vscode.window.showOpenDialog({ title, canSelectMany: false, filters: { Notebooks: ['ipynb'] } }))?.[0];
}

/**
 * Opens the panel on `source` when there is something to merge; otherwise says why (nothing to
 * merge, a notebook that cannot be read) and opens nothing.
 */
async function openMerge(source: MergeSource, deps: MergePanelDeps): Promise<NotebookMergePanel | undefined> {
  try {
    await loadMerge(source, deps.options(source.kind === 'file' ? source.file : source.output), { git: vscode.workspace.isTrusted });
  } catch (err) {
    if (err instanceof NothingToMergeError) void vscode.window.showInformationMessage(err.message);
    else void vscode.window.showErrorMessage(`Could not merge the notebook: ${errorMessage(err)}`);
    return undefined;
  }
  return NotebookMergePanel.show(source, deps);
}

/** Open Notebook Merge, Merge Notebooks…, the conflict navigation keys, the panel serializer and the settings. */
export function registerNotebookMergeCommands(extensionUri: vscode.Uri, log: vscode.LogOutputChannel, state: vscode.Memento): vscode.Disposable[] {
  const deps: MergePanelDeps = { extensionUri, log, resolutions: new ResolutionStore(state), options: mergeSettings };
  return [
    vscode.window.registerWebviewPanelSerializer(NOTEBOOK_MERGE_VIEW_TYPE, {
      deserializeWebviewPanel: (panel, saved: unknown) => {
        const source = (saved as { source?: unknown } | undefined)?.source;
        if (isMergeSource(source)) NotebookMergePanel.revive(panel, source, deps);
        else panel.dispose();
        return Promise.resolve();
      },
    }),
    { dispose: () => NotebookMergePanel.disposeAll() },
    // F7 / Shift+F7 pressed in the webview reach the workbench (package.json keybindings), then the focused panel.
    ...(['next', 'previous'] as const).map((direction) =>
      vscode.commands.registerCommand(`labbook.${direction}NotebookMergeConflict`, async () => {
        const panel = NotebookMergePanel.active();
        if (panel) await panel.goToConflict(direction);
        return panel;
      }),
    ),
    vscode.commands.registerCommand('labbook.openNotebookMerge', async (arg?: unknown) => {
      const uri = targetNotebook(arg) ?? (await pickConflictedNotebook());
      if (!uri) return undefined;
      if (uri.scheme !== 'file' || !uri.fsPath.endsWith('.ipynb')) {
        void vscode.window.showErrorMessage('Labbook merges notebooks (.ipynb files on disk): pick a conflicted notebook.');
        return undefined;
      }
      return openMerge({ kind: 'file', file: uri.fsPath }, deps);
    }),
    vscode.commands.registerCommand('labbook.mergeNotebooks', async (base?: vscode.Uri, local?: vscode.Uri, remote?: vscode.Uri, output?: vscode.Uri) => {
      const b = base ?? (await pickFile('Merge Notebooks: the common ancestor (base)'));
      const l = b && (local ?? (await pickFile('Merge Notebooks: your version (local)')));
      const r = l && (remote ?? (await pickFile('Merge Notebooks: their version (remote)')));
      const o = r && (output ?? (await vscode.window.showSaveDialog({ title: 'Merge Notebooks: write the result to', defaultUri: l, filters: { Notebooks: ['ipynb'] } })));
      if (!b || !l || !r || !o) return undefined;
      return openMerge({ kind: 'files', base: b.fsPath, local: l.fsPath, remote: r.fsPath, output: o.fsPath }, deps);
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('labbook.merge')) NotebookMergePanel.settingsChanged();
    }),
  ];
}
