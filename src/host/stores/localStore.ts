import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SqliteRuntime } from '../../core/sqlite/openDatabase.ts';
import { SqliteTrackingStore } from '../../core/store/sqlite/sqliteTrackingStore.ts';
import type { StoreChanges } from './storeChanges.ts';
import { localStorePath } from './localStorePath.ts';
import { LOCAL_ROOT_ID } from './storeRoot.ts';

export { localStorePath };

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

  /** The store if it is already open; never opens it. */
  peek(): SqliteTrackingStore | undefined {
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

/**
 * Tells the store-change hub when the local store changed, debounced: writes through this window's
 * connection at once (the store's write event), writes by other windows and processes (scripts
 * logging through `labbook serve` or the endpoint) by reading the store's change counter (one row)
 * once a second.
 */
export class LocalStoreWatcher implements vscode.Disposable {
  private readonly changes: StoreChanges;
  private readonly local: LocalStore;
  private readonly debounceMs: number;
  private readonly timer: ReturnType<typeof setInterval>;
  private debounce: ReturnType<typeof setTimeout> | undefined;
  private unsubscribe: (() => void) | undefined;
  private watched: SqliteTrackingStore | undefined;
  private seq = -1;

  constructor(local: LocalStore, changes: StoreChanges, debounceMs = 300) {
    this.local = local;
    this.changes = changes;
    this.debounceMs = debounceMs;
    this.timer = setInterval(() => this.check(), 1000);
    this.timer.unref?.();
  }

  private check(): void {
    const store = this.local.peek();
    if (!store) return;
    const seq = store.changeSeq();
    if (store !== this.watched) {
      // A store opened since the last look: what happened before it was watched is unknown, so
      // count it as a change.
      this.unsubscribe?.();
      this.watched = store;
      this.seq = seq;
      this.unsubscribe = store.onDidWrite(() => this.changed());
      this.changed();
      return;
    }
    if (seq !== this.seq) {
      this.seq = seq;
      this.changed();
    }
  }

  private changed(): void {
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => this.changes.publish({ kind: 'data', rootId: LOCAL_ROOT_ID }), this.debounceMs);
  }

  dispose(): void {
    clearInterval(this.timer);
    clearTimeout(this.debounce);
    this.unsubscribe?.();
  }
}
