import { startLocalTrackingServer, type LocalTrackingServer } from '../../core/mlflow/server/localTrackingServer.ts';
import type { RunLinkOptions } from '../../core/mlflow/server/runLinks.ts';
import type { SqliteTrackingStore } from '../../core/store/sqlite/sqliteTrackingStore.ts';
import { errorMessage } from '../../shared/errorMessage.ts';

/** Where the endpoint logs (VS Code's LogOutputChannel in the extension). */
export interface EndpointLog {
  info(message: string): void;
  warn(message: string): void;
  trace(message: string): void;
  error(message: string): void;
}

export interface Endpoint {
  readonly server: LocalTrackingServer;
  readonly store: SqliteTrackingStore;
}

/**
 * The local store's MLflow-compatible endpoint on 127.0.0.1, started on the first launch (or
 * "Copy Tracking URI") and kept for the window's life; restarted when the local store changes.
 * Launched scripts get its URL and token as MLFLOW_TRACKING_URI / MLFLOW_TRACKING_TOKEN.
 * No `vscode` import: plain Node tests drive it.
 */
export class TrackingEndpoint {
  private readonly local: { get(): SqliteTrackingStore | undefined };
  private readonly log: EndpointLog;
  /** The server started or starting, and the store it serves: one start at a time. */
  private running: Promise<Endpoint> | undefined;
  private runningStore: SqliteTrackingStore | undefined;
  /** How the page at `/` hands a run to this editor (its URI scheme: `vscode`, `vscode-insiders`, …). */
  private readonly runLinks: RunLinkOptions;

  constructor(local: { get(): SqliteTrackingStore | undefined }, log: EndpointLog, runLinks: RunLinkOptions = {}) {
    this.local = local;
    this.log = log;
    this.runLinks = runLinks;
  }

  /** The endpoint over the current local store; undefined without a workspace folder. */
  async get(): Promise<Endpoint | undefined> {
    const store = this.local.get();
    if (!store) return undefined;
    // Decided before the first await: launches asking at the same moment share one start.
    if (!this.running || this.runningStore !== store) this.start(store);
    return this.running;
  }

  private start(store: SqliteTrackingStore): void {
    const previous = this.running;
    const starting = (async (): Promise<Endpoint> => {
      // The local store changed: the old server goes first (it serves a store no longer shown).
      const old = await previous?.catch(() => undefined);
      await old?.server.close();
      const server = await startLocalTrackingServer({
        store,
        runLinks: this.runLinks,
        onRequest: (e) => {
          if (e.status >= 400) this.log.warn(`endpoint: ${e.method} ${e.path} → ${e.status} (${e.ms.toFixed(0)} ms)`);
          else this.log.trace(`endpoint: ${e.method} ${e.path} → ${e.status} (${e.ms.toFixed(0)} ms)`);
        },
      });
      this.log.info(`Tracking endpoint for ${store.file} listening on ${server.url}`);
      return { server, store };
    })();
    this.running = starting;
    this.runningStore = store;
    starting.catch((err: unknown) => {
      this.log.error(`The tracking endpoint could not start: ${errorMessage(err)}`);
      // A failed start is not kept: the next launch tries again.
      if (this.running === starting) {
        this.running = undefined;
        this.runningStore = undefined;
      }
    });
  }

  dispose(): void {
    void this.running?.then(({ server }) => server.close()).catch(() => undefined);
    this.running = undefined;
    this.runningStore = undefined;
  }
}
