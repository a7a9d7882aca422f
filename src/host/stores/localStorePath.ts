// Where the workspace's local store lives: small and import-light, so the activation entry can ask
// whether the store exists (for the runs lens and the parameter hovers) without loading the store.
import * as path from 'node:path';
import * as vscode from 'vscode';

/** Resolves `labbook.store.localPath` against the first workspace folder (null without one). */
export function localStorePath(): string | null {
  const folder = vscode.workspace.workspaceFolders?.[0];
  const configured = vscode.workspace.getConfiguration('labbook', folder).get<string>('store.localPath', '.labbook/tracking.db');
  if (path.isAbsolute(configured)) return configured;
  return folder && folder.uri.scheme === 'file' ? path.join(folder.uri.fsPath, configured) : null;
}
