import * as path from 'node:path';
import * as vscode from 'vscode';
import { readFileAtRevision, repositoryRoot } from '../../core/git/gitFiles.ts';
import { COMPARE_VIEW_TYPE } from '../../protocol/compare.ts';
import { RUN_DETAILS_VIEW_TYPE } from '../../protocol/runDetails.ts';
import { ComparePanel, type CompareOpenOptions, type ComparePanelCallbacks } from '../panels/comparePanel.ts';
import { NotebookDiffPanel, type StoreResolver } from '../panels/notebookDiffPanel.ts';
import { RunDetailsPanel, type RunDetailsDeps } from '../panels/runDetailsPanel.ts';
import type { StoreChangeEvent } from '../stores/storeChanges.ts';
import { openArtifact } from './artifactCommands.ts';
import type { ExplorerNode, RunNode } from '../trees/experimentsTree.ts';
import { errorMessage } from '../../shared/errorMessage.ts';

/** `labbook-git:/<file>?<commit>`: a file as it was at a commit, read-only. */
export const GIT_REVISION_SCHEME = 'labbook-git';

class GitRevisionDocuments implements vscode.TextDocumentContentProvider {
  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    return readFileAtRevision(uri.fsPath, uri.query);
  }
}

/** A run named by a tree node or by `{ rootId, runId }` (notifications, panels, tests). */
type RunArg = RunNode | { readonly rootId: string; readonly runId: string };

function refOf(arg: RunArg): { store: string; runId: string } {
  return 'kind' in arg ? { store: arg.root.id, runId: arg.run.info.runId } : { store: arg.rootId, runId: arg.runId };
}

/**
 * Open Details (one run) and Compare Selected (2…N runs): the two run panels, their restore after
 * a window reload, and what they ask of the rest of the extension (open a file at a commit,
 * open an artifact, diff two runs' notebooks).
 */
export function registerPanelCommands(options: {
  readonly extensionUri: vscode.Uri;
  readonly log: vscode.LogOutputChannel;
  readonly stores: StoreResolver;
  readonly view: vscode.TreeView<ExplorerNode>;
  readonly onDidChangeStore: StoreChangeEvent;
}): vscode.Disposable[] {
  const { extensionUri, log, stores, view } = options;
  const openAtCommit = async (repoRelativePath: string, commit: string) => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) throw new Error('Open the repository the run was launched from to see its code at that commit.');
    const root = await repositoryRoot(folder.uri.fsPath);
    const file = path.join(root, ...repoRelativePath.split('/'));
    const uri = vscode.Uri.file(file).with({ scheme: GIT_REVISION_SCHEME, query: commit });
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { preview: true });
  };
  const detailsDeps: RunDetailsDeps = {
    stores,
    extensionUri,
    log,
    onDidChange: options.onDidChangeStore,
    actions: {
      openAtCommit,
      openArtifact: async (target) => openArtifact(target.ref.store, target.ref.runId, target.path),
    },
  };
  const compareCallbacks: ComparePanelCallbacks = {
    openNotebookDiff: (a, b, artifactPath) => NotebookDiffPanel.show({ kind: 'runs', store: a.store, baseRun: a.runId, remoteRun: b.runId, path: artifactPath }, stores, extensionUri, log),
    onDidChangeStore: options.onDidChangeStore,
  };
  return [
    vscode.workspace.registerTextDocumentContentProvider(GIT_REVISION_SCHEME, new GitRevisionDocuments()),
    vscode.window.registerWebviewPanelSerializer(RUN_DETAILS_VIEW_TYPE, {
      deserializeWebviewPanel: (panel, state) => {
        RunDetailsPanel.revive(panel, state, detailsDeps);
        return Promise.resolve();
      },
    }),
    vscode.window.registerWebviewPanelSerializer(COMPARE_VIEW_TYPE, ComparePanel.serializer(extensionUri, log, stores, compareCallbacks)),
    { dispose: () => RunDetailsPanel.disposeAll() },
    { dispose: () => ComparePanel.disposeAll() },
    vscode.commands.registerCommand('labbook.openRunDetails', (arg?: RunArg) => {
      const target = arg ?? view.selection.find((n): n is RunNode => n.kind === 'run');
      if (!target) return undefined;
      return RunDetailsPanel.show(refOf(target), detailsDeps);
    }),
    // `options.groups`: runs the charts may draw as a mean line with a band (the Runs Table's groups).
    vscode.commands.registerCommand('labbook.compareRuns', (node?: RunArg, selected?: readonly (ExplorerNode | RunArg)[], compareOptions?: CompareOpenOptions) => {
      const picked = (selected?.length ? selected : node ? [node] : view.selection).filter((n): n is RunArg => !('kind' in n) || n.kind === 'run');
      const runs = picked.map(refOf);
      if (runs.length < 2) {
        void vscode.window.showInformationMessage('Select two or more runs (Ctrl/Cmd+click) to compare them.');
        return undefined;
      }
      if (new Set(runs.map((r) => r.store)).size > 1) {
        void vscode.window.showErrorMessage('Compare runs of one tracking store at a time.');
        return undefined;
      }
      try {
        return ComparePanel.show(extensionUri, log, stores, runs, compareCallbacks, compareOptions);
      } catch (err) {
        void vscode.window.showErrorMessage(`Labbook could not compare the runs: ${errorMessage(err)}`);
        return undefined;
      }
    }),
  ];
}
