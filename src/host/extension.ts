// Wiring only: create the services, register them, hand back the API. Nothing heavy runs here;
// the SQLite engine and the webview bundles load when first used.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SqliteRuntime } from '../core/sqlite/openDatabase.ts';
import { HOME_VIEW_TYPE, type HomeStatus } from '../protocol/home.ts';
import type { TrackingStore } from '../core/store/trackingStore.ts';
import { registerArtifactCommands } from './commands/artifactCommands.ts';
import { registerLaunchCommands } from './commands/launchCommands.ts';
import { registerPanelCommands } from './commands/panelCommands.ts';
import { registerStoreCommands } from './commands/storeCommands.ts';
import { registerPipelineCommands } from './commands/pipelineCommands.ts';
import { LaunchService } from './launch/launchService.ts';
import { TrackingEndpoint } from './launch/trackingEndpoint.ts';
import { registerRemoteServerCommands } from './commands/remoteServerCommands.ts';
import { ARTIFACT_SCHEME, ArtifactFileSystem } from './stores/artifactFileSystem.ts';
import { HomePanel } from './panels/homePanel.ts';
import { LocalStore, LocalStoreWatcher, localStorePath } from './stores/localStore.ts';
import { StoreRoots } from './stores/storeRoots.ts';
import { explorerSettings, registerExplorerCommands, savedPins, savedQuery } from './commands/explorerCommands.ts';
import { registerModelCommands } from './commands/modelCommands.ts';
import { registerNotebookDiffCommands } from './commands/notebookDiffCommands.ts';
import { registerRunCommands } from './commands/runCommands.ts';
import { registerRunLinks } from './commands/runLinkCommands.ts';
import { RemoteOutboxes } from './stores/remoteOutboxes.ts';
import { RemoteServers } from './stores/remoteServers.ts';
import { StoreChanges } from './stores/storeChanges.ts';
import { readHomeStatus } from './status.ts';
import { ExperimentsTreeProvider } from './trees/experimentsTree.ts';
import { ModelsTreeProvider } from './trees/modelsTree.ts';
import { errorMessage } from '../shared/errorMessage.ts';

/** What `activate` returns: for automation and Labbook's own integration tests. */
export interface LabbookApi {
  /** Opens (or reveals) the Home panel. */
  showHome(): HomePanel;
  /** What the Home panel shows: versions, workspace, trust and the tracking store. */
  readStatus(): Promise<HomeStatus>;
  /** A store over one of the configured MLflow tracking servers (credentials from SecretStorage). */
  openRemoteStore(url: string): Promise<TrackingStore>;
  /** The Experiments view's data provider (what VS Code asks for its nodes). */
  readonly experiments: ExperimentsTreeProvider;
  /** The Models view's data provider. */
  readonly models: ModelsTreeProvider;
  /** Tracked runs launched from this window. */
  readonly launches: LaunchService;
  /** The folder of this extension's logs (the Labbook output channel is written under it). */
  readonly logUri: vscode.Uri;
  /** What the URI handler does with a `…/run?run=<id>` link: opens that local run's details. */
  readonly openLink: (uri: vscode.Uri) => Promise<unknown>;
}

export function activate(context: vscode.ExtensionContext): LabbookApi {
  const activationStart = performance.now();
  const log = vscode.window.createOutputChannel('Labbook', { log: true });
  context.subscriptions.push(log);
  log.info(`Labbook ${String((context.extension.packageJSON as { version?: unknown }).version)} activating`);

  const sqlite: SqliteRuntime = { nativeBinding: path.join(context.extensionPath, 'dist', 'better_sqlite3.node') };
  const localStore = new LocalStore(sqlite, log);
  context.subscriptions.push(localStore);
  const readStatus = () => readHomeStatus(context, sqlite, localStore);
  const showHome = () => HomePanel.show(context.extensionUri, log, readStatus);

  // Every writer publishes to `changes`; every view and panel subscribes (see stores/storeChanges.ts).
  const changes = new StoreChanges((err) => log.error('A store-change subscriber failed', err));
  const remoteServers = new RemoteServers(context.secrets, changes, log);
  const outboxes = new RemoteOutboxes(path.join(context.globalStorageUri.fsPath, 'outbox'), sqlite, remoteServers, changes, log);
  const roots = new StoreRoots(localStore, remoteServers, outboxes, changes, context.workspaceState, sqlite, log);
  const experiments = new ExperimentsTreeProvider(() => roots.list(), changes.onDidChange, explorerSettings, savedQuery(context.workspaceState), savedPins(context.workspaceState));
  const experimentsView = vscode.window.createTreeView('labbook.experiments', { treeDataProvider: experiments, showCollapseAll: true, canSelectMany: true });
  const watcher = new LocalStoreWatcher(localStore, changes);
  const models = new ModelsTreeProvider(() => roots.list(), changes.onDidChange);
  const openRoot = (id: string) => roots.open(id);
  const artifacts = new ArtifactFileSystem(openRoot);
  const endpoint = new TrackingEndpoint(localStore, log, { uriScheme: vscode.env.uriScheme, extensionId: context.extension.id });
  const runLinks = registerRunLinks(log);
  const launches = new LaunchService(context, log, localStore, endpoint, remoteServers, outboxes, changes);
  context.subscriptions.push(
    changes,
    outboxes,
    ...registerPanelCommands({ extensionUri: context.extensionUri, log, stores: openRoot, view: experimentsView, onDidChangeStore: changes.onDidChange }),
    endpoint,
    launches,
    ...registerPipelineCommands({ extensionUri: context.extensionUri, extensionPath: context.extensionPath, log, launches, stores: openRoot }),
    ...registerLaunchCommands({
      launches,
      endpoint,
      view: experimentsView,
      state: context.workspaceState,
      roots: () => roots.list(),
      worktreeRoot: path.join(context.globalStorageUri.fsPath, 'worktrees'),
      log,
    }),
    artifacts,
    vscode.workspace.registerFileSystemProvider(ARTIFACT_SCHEME, artifacts, { isReadonly: true, isCaseSensitive: true }),
    ...registerArtifactCommands(experimentsView, changes),
    roots,
    experiments,
    experimentsView,
    watcher,
    ...registerExplorerCommands(experiments, experimentsView, context.workspaceState),
    ...registerRunCommands(changes, experimentsView),
    ...runLinks.disposables,
    models,
    vscode.window.createTreeView('labbook.models', { treeDataProvider: models, showCollapseAll: true }),
    ...registerModelCommands(changes),
    ...registerNotebookDiffCommands(context.extensionUri, log, openRoot),
    vscode.window.registerWebviewPanelSerializer(HOME_VIEW_TYPE, {
      deserializeWebviewPanel: (panel) => {
        HomePanel.revive(panel, context.extensionUri, log, readStatus);
        return Promise.resolve();
      },
    }),
    { dispose: () => HomePanel.currentPanel()?.dispose() },
    vscode.commands.registerCommand('labbook.openHome', () => {
      showHome();
    }),
    vscode.commands.registerCommand('labbook.showLog', () => log.show()),
    ...registerRemoteServerCommands(remoteServers),
    ...registerStoreCommands(roots, outboxes, changes),
    vscode.commands.registerCommand('labbook.openSettings', () =>
      vscode.commands.executeCommand('workbench.action.openSettings', `@ext:${context.extension.id}`),
    ),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('labbook')) void HomePanel.currentPanel()?.refresh();
    }),
  );
  // Runs a closed window left RUNNING: marked once, soon after start, when the local store exists;
  // writes an earlier window queued for an MLflow server: retried.
  const recovery = setTimeout(() => {
    void outboxes.flushWaiting();
    const file = localStorePath();
    if (file && existsSync(file)) void launches.recover().catch((err: unknown) => log.warn(`Run recovery failed: ${errorMessage(err)}`));
  }, 2000);
  context.subscriptions.push({ dispose: () => clearTimeout(recovery) });
  // Measured from the start of activate() (module loading excluded); read by bench/footprint.bench.ts.
  log.info(`Labbook activated; labbook.activationMs=${(performance.now() - activationStart).toFixed(1)}`);
  return { showHome, readStatus, openRemoteStore: (url) => remoteServers.open(url), experiments, models, launches, openLink: runLinks.handleUri, logUri: context.logUri };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
