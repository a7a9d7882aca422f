import * as vscode from 'vscode';
import type { RemoteOutboxes } from '../stores/remoteOutboxes.ts';
import type { StoreChanges } from '../stores/storeChanges.ts';
import { remoteUrlOf } from '../stores/storeRoot.ts';
import type { OpenedStoreEntry, StoreRoots } from '../stores/storeRoots.ts';
import type { ExplorerNode } from '../trees/experimentsTree.ts';
import { errorMessage } from '../../shared/errorMessage.ts';

const KINDS: { label: string; detail: string; store: OpenedStoreEntry['kind']; folder: boolean }[] = [
  { label: 'MLflow database', detail: 'An mlflow.db file (MLflow\'s SQLite backend store)', store: 'mlflow-db', folder: false },
  { label: 'MLflow file store', detail: 'An mlruns/ folder', store: 'mlruns', folder: true },
  { label: 'TensorBoard logs', detail: 'A folder of event files (runs are its subfolders)', store: 'tensorboard', folder: true },
];

/**
 * Open an existing store read-only as a root of the Experiments view, and close it again; upload
 * what waits in an MLflow server's outbox now; Refresh in either view. What they change reaches
 * the views and panels through the store-change hub (the roots and the outboxes publish).
 */
export function registerStoreCommands(roots: StoreRoots, outboxes: RemoteOutboxes, changes: StoreChanges): vscode.Disposable[] {
  // Refresh, in either view: stores opened read-only read their files again, remote connections
  // are dropped, and every view and panel reads again.
  const refresh = () => {
    roots.reloadOpened();
    changes.publish({ kind: 'all' });
  };
  return [
    vscode.commands.registerCommand('labbook.refreshExperiments', refresh),
    vscode.commands.registerCommand('labbook.refreshModels', refresh),
    vscode.commands.registerCommand('labbook.uploadQueuedWrites', async (node?: ExplorerNode) => {
      const url = node?.kind === 'store' ? remoteUrlOf(node.root.id) : undefined;
      if (!url) return undefined;
      try {
        const shipped = await outboxes.flush(url);
        const left = outboxes.state(url);
        void vscode.window.showInformationMessage(
          `Uploaded ${shipped} queued write${shipped === 1 ? '' : 's'} to ${url}${left?.pending ? `; ${left.pending} still waiting (${left.lastError ?? 'the server did not answer'})` : ''}.`,
        );
        return shipped;
      } catch (err) {
        void vscode.window.showErrorMessage(`Labbook could not upload to ${url}: ${errorMessage(err)}`);
        return undefined;
      }
    }),
    vscode.commands.registerCommand('labbook.openExistingStore', async (kind?: OpenedStoreEntry['kind'], file?: string) => {
      const chosen = kind ? KINDS.find((k) => k.store === kind) : await vscode.window.showQuickPick(KINDS, { title: 'Open an Existing Store (read-only)' });
      if (!chosen) return undefined;
      let target = file;
      if (!target) {
        const picked = await vscode.window.showOpenDialog({
          title: `Open ${chosen.label}`,
          canSelectFiles: !chosen.folder,
          canSelectFolders: chosen.folder,
          canSelectMany: false,
          ...(chosen.folder ? {} : { filters: { 'SQLite database': ['db', 'sqlite', 'sqlite3'], 'All files': ['*'] } }),
          defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
        });
        target = picked?.[0]?.fsPath;
      }
      if (!target) return undefined;
      try {
        return await roots.addOpened({ kind: chosen.store, path: target });
      } catch (err) {
        void vscode.window.showErrorMessage(`Labbook could not open ${target} as ${chosen.label.toLowerCase()}: ${errorMessage(err)}`);
        return undefined;
      }
    }),
    vscode.commands.registerCommand('labbook.closeStore', async (node?: ExplorerNode) => {
      if (node?.kind !== 'store') return false;
      return roots.removeOpened(node.root.id);
    }),
  ];
}
