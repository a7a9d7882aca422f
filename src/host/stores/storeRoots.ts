import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TrackingStore } from '../../core/store/trackingStore.ts';
import type { StoreRoot } from '../trees/experimentsTree.ts';
import { localStorePath, type LocalStore } from './localStore.ts';
import type { RemoteServers } from './remoteServers.ts';

/**
 * The roots of the Experiments view: the workspace's local store (when a folder is open) and each
 * configured MLflow server. Remote stores are opened once and reused until the settings change.
 */
export class StoreRoots implements vscode.Disposable {
  private readonly local: LocalStore;
  private readonly remotes: RemoteServers;
  private readonly opened = new Map<string, Promise<TrackingStore>>();

  constructor(local: LocalStore, remotes: RemoteServers) {
    this.local = local;
    this.remotes = remotes;
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
        description: server.name ? server.url : 'MLflow server',
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
    return roots;
  }

  /** Drops cached remote connections (after the server list or credentials changed). */
  forgetRemotes(): void {
    this.opened.clear();
  }

  dispose(): void {
    this.opened.clear();
  }
}
