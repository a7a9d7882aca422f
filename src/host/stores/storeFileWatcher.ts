import * as path from 'node:path';
import * as vscode from 'vscode';
import { ChangePoller, filesSignature, folderSignature } from '../../core/fs/changePoller.ts';

/** What an opened store's files are: the database file, or the folder holding the store. */
export interface WatchedStoreFiles {
  readonly kind: 'mlflow-db' | 'mlruns' | 'tensorboard';
  readonly path: string;
}

/**
 * Watches the files of a store opened read-only while it is shown (a training job writing
 * TensorBoard events, MLflow writing `mlruns/` or `mlflow.db`), and calls `onChange` once a burst
 * of changes has settled for `debounceMs` (under constant writes, at least every `maxWaitMs`).
 * Stores usually live outside the workspace, so the pattern is relative to the store's own
 * folder (VS Code watches such a base even outside it). VS Code's watching there is best-effort
 * (it can miss a folder made just after the watch started), so a light look every `pollMs` at the
 * files' sizes and times (bounded: core/fs/changePoller.ts) catches what it missed.
 */
export function watchStoreFiles(store: WatchedStoreFiles, onChange: () => void, debounceMs = 500, maxWaitMs = 3000, pollMs = 10_000): vscode.Disposable {
  const base = store.kind === 'mlflow-db' ? path.dirname(store.path) : store.path;
  // The database's folder, not its name as a glob (names may hold glob characters); the handler
  // keeps the database and its -wal / -journal beside it.
  const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(base), store.kind === 'mlflow-db' ? '*' : '**/*'));
  const relevant = (uri: vscode.Uri) => store.kind !== 'mlflow-db' || path.basename(uri.fsPath).startsWith(path.basename(store.path));
  let timer: ReturnType<typeof setTimeout> | undefined;
  let burstStart = 0;
  const fire = () => {
    timer = undefined;
    // What the watcher reported, the next look takes as its starting point.
    poller.rebase();
    onChange();
  };
  const changed = (uri: vscode.Uri) => {
    if (relevant(uri)) settle();
  };
  const settle = () => {
    // Debounced, but a writer that never pauses (MLflow logging every step) is still followed:
    // a burst waits at most `maxWaitMs`.
    const now = Date.now();
    if (timer === undefined) burstStart = now;
    else if (now - burstStart >= maxWaitMs) return;
    clearTimeout(timer);
    timer = setTimeout(fire, Math.min(debounceMs, Math.max(0, burstStart + maxWaitMs - now)));
  };
  const subscriptions = [watcher.onDidChange(changed), watcher.onDidCreate(changed), watcher.onDidDelete(changed)];
  const db = store.path;
  const poller = new ChangePoller(() => (store.kind === 'mlflow-db' ? filesSignature([db, `${db}-wal`, `${db}-journal`]) : folderSignature(base)), settle, pollMs);
  return {
    dispose: () => {
      poller.dispose();
      clearTimeout(timer);
      for (const s of subscriptions) s.dispose();
      watcher.dispose();
    },
  };
}

