import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SqliteRuntime } from '../../core/sqlite/openDatabase.ts';
import { SqliteTrackingStore } from '../../core/store/sqlite/sqliteTrackingStore.ts';

/** Resolves `labbook.store.localPath` against the first workspace folder (null without one). */
export function localStorePath(): string | null {
  const folder = vscode.workspace.workspaceFolders?.[0];
  const configured = vscode.workspace.getConfiguration('labbook', folder).get<string>('store.localPath', '.labbook/tracking.db');
  if (path.isAbsolute(configured)) return configured;
  return folder && folder.uri.scheme === 'file' ? path.join(folder.uri.fsPath, configured) : null;
}

/**
 * The workspace's local tracking store, opened on first use (never at activation) and reopened
 * when `labbook.store.localPath` changes. Other windows and running scripts may write the same
 * file at the same time; the store is built for that.
 */
export class LocalStore implements vscode.Disposable {
  private readonly runtime: SqliteRuntime;
  private readonly log: vscode.LogOutputChannel;
  private store: SqliteTrackingStore | undefined;

  constructor(runtime: SqliteRuntime, log: vscode.LogOutputChannel) {
    this.runtime = runtime;
    this.log = log;
  }

  /** The open store, or undefined when no folder is open. Throws a user-facing error if it cannot open. */
  get(): SqliteTrackingStore | undefined {
    const file = localStorePath();
    if (this.store && this.store.file !== (file && path.resolve(file))) this.close();
    if (!file) return undefined;
    if (!this.store) {
      this.store = new SqliteTrackingStore(file, { runtime: this.runtime });
      this.log.info(`Opened the local tracking store ${file}`);
    }
    return this.store;
  }

  private close(): void {
    void this.store?.close();
    this.store = undefined;
  }

  dispose(): void {
    this.close();
  }
}
