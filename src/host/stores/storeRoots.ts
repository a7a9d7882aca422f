import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SqliteRuntime } from '../../core/sqlite/openDatabase.ts';
import { MlflowDbStore } from '../../core/store/mlflowDbStore.ts';
import { MlrunsStore } from '../../core/store/mlrunsStore.ts';
import type { ReadOnlyStore } from '../../core/store/readOnlyStore.ts';
import { TensorBoardStore } from '../../core/store/tensorBoardStore.ts';
import type { TrackingStore } from '../../core/store/trackingStore.ts';
import type { StoreRoot } from '../trees/treeNodes.ts';
import { localStorePath, type LocalStore } from './localStore.ts';
import { describeOutbox, type RemoteOutboxes } from './remoteOutboxes.ts';
import type { RemoteServers } from './remoteServers.ts';
import { watchStoreFiles } from './storeFileWatcher.ts';

/** An existing store opened read-only from disk: MLflow's database or file store, or TensorBoard logs. */
export interface OpenedStoreEntry {
  readonly kind: 'mlflow-db' | 'mlruns' | 'tensorboard';
  readonly path: string;
}

const OPENED_KEY = 'labbook.openedStores';
const KIND_LABEL: Record<OpenedStoreEntry['kind'], string> = { 'mlflow-db': 'MLflow database', mlruns: 'MLflow file store', tensorboard: 'TensorBoard logs' };

/** How long the skipped-entry warnings of one read settle before the views redraw. */
const WARNINGS_SETTLE_MS = 200;

/**
 * The roots of the Experiments view: the workspace's local store (when a folder is open), each
 * configured MLflow server, and stores opened read-only. Remote stores are opened once and reused
 * until the settings change. A store opened read-only is watched while it is shown (its files
 * changed: it re-reads them), re-read on `reloadOpened()` (Refresh), and the entries it skipped as
 * damaged are logged once and shown on its node.
 */
export class StoreRoots implements vscode.Disposable {
  private readonly local: LocalStore;
  private readonly remotes: RemoteServers;
  private readonly opened = new Map<string, Promise<TrackingStore>>();
  private readonly files = new Map<string, { store: ReadOnlyStore; watch: vscode.Disposable }>();
  private readonly state: vscode.Memento;
  private readonly runtime: SqliteRuntime;
  private readonly log: vscode.LogOutputChannel;
  private readonly logged = new Set<string>();
  private readonly settling = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly changed = new vscode.EventEmitter<string>();
  /** Fires with a root id when a store opened read-only changed on disk or skipped damaged entries. */
  readonly onDidChange = this.changed.event;
  /** Set once the outboxes exist (they need the remote servers first). */
  outboxes: RemoteOutboxes | undefined;

  constructor(local: LocalStore, remotes: RemoteServers, state: vscode.Memento, runtime: SqliteRuntime, log: vscode.LogOutputChannel) {
    this.local = local;
    this.remotes = remotes;
    this.state = state;
    this.runtime = runtime;
    this.log = log;
  }

  /** Stores opened from disk in this workspace, kept across sessions. */
  openedStores(): OpenedStoreEntry[] {
    return this.state.get<OpenedStoreEntry[]>(OPENED_KEY, []).filter((e) => typeof e?.path === 'string' && e.kind in KIND_LABEL);
  }

  /** Opens an existing store read-only and adds it as a root; throws a clear error when it cannot be read. */
  async addOpened(entry: OpenedStoreEntry): Promise<string> {
    const id = openedId(entry);
    const store = this.openFile(entry);
    try {
      await store.searchExperiments({ maxResults: 1 });
    } catch (err) {
      await store.close();
      throw err;
    }
    this.track(id, entry, store);
    const others = this.openedStores().filter((e) => openedId(e) !== id);
    await this.state.update(OPENED_KEY, [...others, entry]);
    return id;
  }

  async removeOpened(id: string): Promise<boolean> {
    const list = this.openedStores();
    if (!list.some((e) => openedId(e) === id)) return false;
    await this.state.update(OPENED_KEY, list.filter((e) => openedId(e) !== id));
    await this.untrack(id);
    return true;
  }

  /** Refresh: every store opened read-only reads its files again on the next look. */
  reloadOpened(): void {
    for (const { store } of this.files.values()) store.refresh();
  }

  /** Keeps `store` as the root's, watched while shown, its warnings logged and redrawn. */
  private track(id: string, entry: OpenedStoreEntry, store: ReadOnlyStore): ReadOnlyStore {
    void this.untrack(id);
    const unsubscribe = store.onWarning((message) => this.warned(id, entry, message));
    // What a first read (Open Existing Store tries one) already skipped.
    for (const message of store.warnings) this.warned(id, entry, message);
    const watcher = watchStoreFiles(entry, () => {
      store.refresh();
      this.changed.fire(id);
    });
    const watch = {
      dispose: () => {
        unsubscribe();
        watcher.dispose();
      },
    };
    this.files.set(id, { store, watch });
    return store;
  }

  private async untrack(id: string): Promise<void> {
    const tracked = this.files.get(id);
    if (!tracked) return;
    this.files.delete(id);
    clearTimeout(this.settling.get(id));
    this.settling.delete(id);
    tracked.watch.dispose();
    await tracked.store.close();
  }

  /** A damaged entry skipped: in the log once per session, on the node once the read settles. */
  private warned(id: string, entry: OpenedStoreEntry, message: string): void {
    const key = `${id}\u0000${message}`;
    if (!this.logged.has(key)) {
      this.logged.add(key);
      this.log.warn(`${KIND_LABEL[entry.kind]} ${entry.path}: ${message}`);
    }
    clearTimeout(this.settling.get(id));
    this.settling.set(
      id,
      setTimeout(() => {
        this.settling.delete(id);
        this.changed.fire(id);
      }, WARNINGS_SETTLE_MS),
    );
  }

  private openFile(entry: OpenedStoreEntry): ReadOnlyStore {
    switch (entry.kind) {
      case 'mlflow-db':
        return new MlflowDbStore(entry.path, this.runtime);
      case 'mlruns':
        return new MlrunsStore(entry.path);
      case 'tensorboard':
        return new TensorBoardStore(entry.path);
    }
  }

  list(): StoreRoot[] {
    const roots: StoreRoot[] = [];
    const file = localStorePath();
    if (file) {
      const folder = vscode.workspace.workspaceFolders?.[0];
      roots.push({
        id: 'local',
        label: 'Local',
        description: folder ? path.relative(folder.uri.fsPath, file) || file : file,
        icon: 'database',
        open: async () => this.local.get(),
      });
    }
    for (const server of this.remotes.list()) {
      roots.push({
        id: `remote:${server.url}`,
        label: server.name ?? server.url.replace(/^https?:\/\//, ''),
        description: `${server.name ? server.url : 'MLflow server'}${describeOutbox(this.outboxes?.state(server.url))}`,
        icon: 'cloud',
        open: () => {
          let store = this.opened.get(server.url);
          if (!store) {
            store = this.remotes.open(server.url);
            // A failed open is not cached: the next expand tries again.
            store.catch(() => this.opened.delete(server.url));
            this.opened.set(server.url, store);
          }
          return store;
        },
      });
    }
    for (const entry of this.openedStores()) {
      const id = openedId(entry);
      roots.push({
        id,
        label: path.basename(entry.path),
        description: `${KIND_LABEL[entry.kind]} · read-only`,
        icon: 'archive',
        open: async () => this.files.get(id)?.store ?? this.track(id, entry, this.openFile(entry)),
        warnings: () => this.files.get(id)?.store.warnings ?? [],
      });
    }
    return roots;
  }

  /** Drops cached remote connections (after the server list or credentials changed). */
  forgetRemotes(): void {
    this.opened.clear();
  }

  dispose(): void {
    this.opened.clear();
    for (const id of [...this.files.keys()]) void this.untrack(id);
    this.changed.dispose();
  }
}

export function openedId(entry: OpenedStoreEntry): string {
  return `opened:${entry.kind}:${entry.path}`;
}
