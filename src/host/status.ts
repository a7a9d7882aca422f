import * as vscode from 'vscode';
import { sqliteVersion, type SqliteRuntime } from '../core/sqlite/openDatabase.ts';
import type { HomeStatus, StoreStatus } from '../protocol/home.ts';
import { localStorePath, type LocalStore } from './stores/localStore.ts';
import { errorMessage } from '../shared/errorMessage.ts';

/** Reads what the Home panel shows. Opens the local store on demand, never at activation. */
export async function readHomeStatus(context: vscode.ExtensionContext, sqlite: SqliteRuntime, local: LocalStore): Promise<HomeStatus> {
  let store: StoreStatus;
  try {
    const opened = local.get();
    const experiments = opened ? (await opened.searchExperiments({ maxResults: 1000 })).items.length : null;
    store = { kind: 'local', path: localStorePath(), sqliteVersion: sqliteVersion(sqlite), experiments, error: null };
  } catch (err) {
    store = { kind: 'local', path: localStorePath(), sqliteVersion: null, experiments: null, error: errorMessage(err) };
  }
  return {
    extensionVersion: (context.extension.packageJSON as { version?: string }).version ?? 'unknown',
    vscodeVersion: vscode.version,
    nodeVersion: process.versions.node,
    platform: `${process.platform}-${process.arch}`,
    workspaceFolder: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? null,
    trusted: vscode.workspace.isTrusted,
    store,
    checkedAt: new Date().toISOString(),
  };
}
