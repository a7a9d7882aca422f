import * as path from 'node:path';
import * as vscode from 'vscode';
import { sqliteVersion, type SqliteRuntime } from '../core/sqlite/openDatabase.ts';
import type { HomeStatus, StoreStatus } from '../protocol/home.ts';

/** Resolves `labbook.store.localPath` against the first workspace folder. */
export function localStorePath(): string | null {
  const folder = vscode.workspace.workspaceFolders?.[0];
  const configured = vscode.workspace.getConfiguration('labbook', folder).get<string>('store.localPath', '.labbook/tracking.db');
  if (path.isAbsolute(configured)) return configured;
  return folder && folder.uri.scheme === 'file' ? path.join(folder.uri.fsPath, configured) : null;
}

/** Reads what the Home panel shows. Loads the SQLite engine on demand, never at activation. */
export function readHomeStatus(context: vscode.ExtensionContext, sqlite: SqliteRuntime): HomeStatus {
  let store: StoreStatus;
  try {
    store = { kind: 'local', path: localStorePath(), sqliteVersion: sqliteVersion(sqlite), error: null };
  } catch (err) {
    store = { kind: 'local', path: localStorePath(), sqliteVersion: null, error: err instanceof Error ? err.message : String(err) };
  }
  return {
    extensionVersion: String((context.extension.packageJSON as { version?: unknown }).version ?? 'unknown'),
    vscodeVersion: vscode.version,
    nodeVersion: process.versions.node,
    platform: `${process.platform}-${process.arch}`,
    workspaceFolder: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? null,
    trusted: vscode.workspace.isTrusted,
    store,
    checkedAt: new Date().toISOString(),
  };
}
