import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SqliteRuntime } from '../../core/sqlite/openDatabase.ts';
import { MlflowDbStore } from '../../core/store/mlflowFiles/mlflowDbStore.ts';
import { MlrunsStore } from '../../core/store/mlflowFiles/mlrunsStore.ts';
import type { ReadOnlyStore } from '../../core/store/readOnlyStore.ts';
import { TensorBoardStore } from '../../core/store/tensorboard/tensorBoardStore.ts';
import type { ReadableStore } from '../../core/store/trackingStore.ts';
import type { StoreChanges } from './storeChanges.ts';
import { LOCAL_ROOT_ID, remoteRootId, type StoreRoot } from './storeRoot.ts';
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
 * The roots of the Experiments and Models views: the workspace's local store (when a folder is
 * open), each configured MLflow server, and stores opened read-only. Remote stores are opened once
 * and reused until every store counts as changed (settings, Refresh). A store opened read-only is
 * watched while it is shown (its files changed: it re-reads them), re-read on `reloadOpened()`
 * (Refresh), and the entries it skipped as damaged are logged once and shown on its node. What
 * changes here is published to the store-change hub: a store opened or closed, the settings or
 * workspace folders the list depends on (every store), an opened store's files or warnings (that
 * store).
 */
export class StoreRoots implements vscode.Disposable {
  private readonly local: LocalStore;
  private readonly remotes: RemoteServers;
  private readonly outboxes: RemoteOutboxes;
  private readonly changes: StoreChanges;
  private readonly subscriptions: vscode.Disposable[];
  private readonly opened = new Map<string, Promise<ReadableStore>>();
  private readonly files = new Map<string, { store: ReadOnlyStore; watch: vscode.Disposable }>();
  private readonly state: vscode.Memento;
  private readonly runtime: SqliteRuntime;
  private readonly log: vscode.LogOutputChannel;
  private readonly logged = new Set<string>();
  private readonly settling = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(
    local: LocalStore,
    remotes: RemoteServers,
    outboxes: RemoteOutboxes,
    changes: StoreChanges,
    state: vscode.Memento,
    runtime: SqliteRuntime,
    log: vscode.LogOutputChannel,
  ) {
    this.local = local;
    this.remotes = remotes;
    this.outboxes = outboxes;
    this.changes = changes;
    this.state = state;
    this.runtime = runtime;
    this.log = log;
    this.subscriptions = [
      // Subscribed before any view: cached connections are gone before the views read again.
      changes.onDidChange((change) => {
        if (change.kind === 'all') this.forgetRemotes();
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('labbook.remoteServers') || e.affectsConfiguration('labbook.store')) changes.publish({ kind: 'all' });
      }),
      // The local store is the first folder's.
      vscode.workspace.onDidChangeWorkspaceFolders(() => changes.publish({ kind: 'all' })),
    ];
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
    this.changes.publish({ kind: 'all' });
    return id;
  }

  async removeOpened(id: string): Promise<boolean> {
    const list = this.openedStores();
    if (!list.some((e) => openedId(e) === id)) return false;
    await this.state.update(OPENED_KEY, list.filter((e) => openedId(e) !== id));
    await this.untrack(id);
    this.changes.publish({ kind: 'all' });
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
      this.changes.publish({ kind: 'data', rootId: id });
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
        this.changes.publish({ kind: 'data', rootId: id });
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
        id: LOCAL_ROOT_ID,
        label: 'Local',
        description: folder ? path.relative(folder.uri.fsPath, file) || file : file,
        icon: 'database',
        // The executor turns a throw while opening (a damaged file) into a rejection.
        open: () => new Promise((resolve) => resolve(this.local.get())),
      });
    }
    for (const server of this.remotes.list()) {
      roots.push({
        id: remoteRootId(server.url),
        label: server.name ?? server.url.replace(/^https?:\/\//, ''),
        description: `${server.name ? server.url : 'MLflow server'}${describeOutbox(this.outboxes.state(server.url))}`,
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
        open: () => new Promise((resolve) => resolve(this.files.get(id)?.store ?? this.track(id, entry, this.openFile(entry)))),
        warnings: () => this.files.get(id)?.store.warnings ?? [],
      });
    }
    return roots;
  }

  /** The store of the root `id` (opened on first use); undefined when no root has that id. */
  open(id: string): Promise<ReadableStore | undefined> {
    return this.list().find((r) => r.id === id)?.open() ?? Promise.resolve(undefined);
  }

  /** Drops cached remote connections (every store changed: the server list, credentials, Refresh). */
  private forgetRemotes(): void {
    this.opened.clear();
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.opened.clear();
    for (const id of [...this.files.keys()]) void this.untrack(id);
  }
}

export function openedId(entry: OpenedStoreEntry): string {
  return `opened:${entry.kind}:${entry.path}`;
}
