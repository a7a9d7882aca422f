import * as vscode from 'vscode';
import { startLocalTrackingServer, type LocalTrackingServer } from '../../core/mlflow/server/localTrackingServer.ts';
import type { SqliteTrackingStore } from '../../core/store/sqlite/sqliteTrackingStore.ts';
import type { LocalStore } from '../stores/localStore.ts';

/**
 * The local store's MLflow-compatible endpoint on 127.0.0.1, started on the first launch (or
 * "Copy Tracking URI") and kept for the window's life; restarted when the local store changes.
 * Launched scripts get its URL and token as MLFLOW_TRACKING_URI / MLFLOW_TRACKING_TOKEN.
 */
export class TrackingEndpoint implements vscode.Disposable {
  private readonly local: LocalStore;
  private readonly log: vscode.LogOutputChannel;
  private running: Promise<{ server: LocalTrackingServer; store: SqliteTrackingStore }> | undefined;

  constructor(local: LocalStore, log: vscode.LogOutputChannel) {
    this.local = local;
    this.log = log;
  }

  /** The endpoint over the current local store; undefined without a workspace folder. */
  async get(): Promise<{ server: LocalTrackingServer; store: SqliteTrackingStore } | undefined> {
    const store = this.local.get();
    if (!store) return undefined;
    const current = await this.running?.catch(() => undefined);
    if (current && current.store === store) return current;
    if (current) await current.server.close();
    const starting = startLocalTrackingServer({
      store,
      onRequest: (e) => {
        if (e.status >= 400) this.log.warn(`endpoint: ${e.method} ${e.path} → ${e.status} (${e.ms.toFixed(0)} ms)`);
        else this.log.trace(`endpoint: ${e.method} ${e.path} → ${e.status} (${e.ms.toFixed(0)} ms)`);
      },
    }).then((server) => {
      this.log.info(`Tracking endpoint for ${store.file} listening on ${server.url}`);
      return { server, store };
    });
    this.running = starting;
    starting.catch((err: unknown) => {
      this.log.error(`The tracking endpoint could not start: ${(err as Error).message}`);
      if (this.running === starting) this.running = undefined;
    });
    return starting;
  }

  dispose(): void {
    void this.running?.then(({ server }) => server.close()).catch(() => undefined);
    this.running = undefined;
  }
}
