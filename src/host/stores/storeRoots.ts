import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SqliteRuntime } from '../../core/sqlite/openDatabase.ts';
import { MlflowDbStore } from '../../core/store/mlflowDbStore.ts';
import { MlrunsStore } from '../../core/store/mlrunsStore.ts';
import { TensorBoardStore } from '../../core/store/tensorBoardStore.ts';
import type { TrackingStore } from '../../core/store/trackingStore.ts';
import type { StoreRoot } from '../trees/experimentsTree.ts';
import { localStorePath, type LocalStore } from './localStore.ts';
import { describeOutbox, type RemoteOutboxes } from './remoteOutboxes.ts';
import type { RemoteServers } from './remoteServers.ts';

/** An existing store opened read-only from disk: MLflow's database or file store, or TensorBoard logs. */
export interface OpenedStoreEntry {
  readonly kind: 'mlflow-db' | 'mlruns' | 'tensorboard';
  readonly path: string;
}

const OPENED_KEY = 'labbook.openedStores';
const KIND_LABEL: Record<OpenedStoreEntry['kind'], string> = { 'mlflow-db': 'MLflow database', mlruns: 'MLflow file store', tensorboard: 'TensorBoard logs' };

/**
 * The roots of the Experiments view: the workspace's local store (when a folder is open) and each
 * configured MLflow server. Remote stores are opened once and reused until the settings change.
 */
export class StoreRoots implements vscode.Disposable {
  private readonly local: LocalStore;
  private readonly remotes: RemoteServers;
  private readonly opened = new Map<string, Promise<TrackingStore>>();
  private readonly files = new Map<string, TrackingStore>();
  private readonly state: vscode.Memento;
  private readonly runtime: SqliteRuntime;
  /** Set once the outboxes exist (they need the remote servers first). */
  outboxes: RemoteOutboxes | undefined;

  constructor(local: LocalStore, remotes: RemoteServers, state: vscode.Memento, runtime: SqliteRuntime) {
    this.local = local;
    this.remotes = remotes;
    this.state = state;
    this.runtime = runtime;
  }

  /** Stores opened from disk in this workspace, kept across sessions. */
  openedStores(): OpenedStoreEntry[] {
    return this.state.get<OpenedStoreEntry[]>(OPENED_KEY, []).filter((e) => typeof e?.path === 'string' && e.kind in KIND_LABEL);
  }

  /** Opens an existing store read-only and adds it as a root; throws a clear error when it cannot be read. */
  async addOpened(entry: OpenedStoreEntry): Promise<string> {
    const id = openedId(entry);
    const store = this.openFile(entry);
    await store.searchExperiments({ maxResults: 1 });
    this.files.set(id, store);
    const others = this.openedStores().filter((e) => openedId(e) !== id);
    await this.state.update(OPENED_KEY, [...others, entry]);
    return id;
  }

  async removeOpened(id: string): Promise<boolean> {
    const list = this.openedStores();
    if (!list.some((e) => openedId(e) === id)) return false;
    await this.state.update(OPENED_KEY, list.filter((e) => openedId(e) !== id));
    await this.files.get(id)?.close();
    this.files.delete(id);
    return true;
  }

  private openFile(entry: OpenedStoreEntry): TrackingStore {
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
        open: async () => {
          let store = this.files.get(id);
          if (!store) {
            store = this.openFile(entry);
            this.files.set(id, store);
          }
          return store;
        },
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
    for (const store of this.files.values()) void store.close();
    this.files.clear();
  }
}

export function openedId(entry: OpenedStoreEntry): string {
  return `opened:${entry.kind}:${entry.path}`;
}
