// Every service of the extension, created on first use — a view asks for its data, a command runs,
// a panel is restored, a link is opened —, never at activation: extension.ts loads this module
// (bundled apart, dist/container.js) then. Wiring only: create the services, register them.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SqliteRuntime } from '../core/sqlite/openDatabase.ts';
import { HOME_VIEW_TYPE, type HomeStatus } from '../protocol/home.ts';
import type { TrackingStore } from '../core/store/trackingStore.ts';
import { registerArtifactCommands } from './commands/artifactCommands.ts';
import { registerLaunchCommands } from './commands/launchCommands.ts';
import { registerLineageCommands } from './commands/lineageCommands.ts';
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
import { registerLifecycleCommands } from './commands/lifecycleCommands.ts';
import { registerModelCommands } from './commands/modelCommands.ts';
import { registerNotebookDiffCommands } from './commands/notebookDiffCommands.ts';
import { registerRunCommands } from './commands/runCommands.ts';
import { registerRunLinks } from './commands/runLinkCommands.ts';
import { registerRunsTableCommands } from './commands/runsTableCommands.ts';
import { registerWhatChangedCommands } from './commands/whatChangedCommands.ts';
import { RemoteOutboxes } from './stores/remoteOutboxes.ts';
import { RemoteServers } from './stores/remoteServers.ts';
import { StoreChanges } from './stores/storeChanges.ts';
import { readHomeStatus } from './status.ts';
import { ExperimentsTreeProvider, type ExplorerNode } from './trees/experimentsTree.ts';
import { ModelsTreeProvider, type ModelsNode } from './trees/modelsTree.ts';
import { errorMessage } from '../shared/errorMessage.ts';

/** The two tree views: created at activation (their data comes from the container's providers). */
export interface ContainerViews {
  readonly experiments: vscode.TreeView<ExplorerNode>;
  readonly models: vscode.TreeView<ModelsNode>;
}

/** What the rest of the extension (extension.ts, and through it the API) asks of the container. */
export interface Container {
  showHome(): HomePanel;
  readStatus(): Promise<HomeStatus>;
  openRemoteStore(url: string): Promise<TrackingStore>;
  readonly experiments: ExperimentsTreeProvider;
  readonly models: ModelsTreeProvider;
  readonly launches: LaunchService;
  readonly openLink: (uri: vscode.Uri) => Promise<unknown>;
}

/** Creates every service and registers every command, serializer and provider in `context.subscriptions`. */
export function startContainer(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, views: ContainerViews): Container {
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
  const experimentsView = views.experiments;
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
    ...registerRunsTableCommands({ extensionUri: context.extensionUri, log, stores: openRoot, roots: () => roots.list(), view: experimentsView, onDidChangeStore: changes.onDidChange, state: context.workspaceState, keyMetrics: () => explorerSettings().keyMetrics }),
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
    watcher,
    ...registerExplorerCommands(experiments, experimentsView, context.workspaceState),
    ...registerRunCommands(changes, experimentsView),
    ...runLinks.disposables,
    models,
    ...registerModelCommands(changes),
    ...registerLineageCommands({ extensionUri: context.extensionUri, log, stores: openRoot, roots: () => roots.list(), onDidChangeStore: changes.onDidChange }),
    ...registerLifecycleCommands(changes, models),
    ...registerNotebookDiffCommands(context.extensionUri, log, openRoot),
    ...registerWhatChangedCommands({ extensionUri: context.extensionUri, log, stores: openRoot, view: experimentsView, onDidChangeStore: changes.onDidChange }),
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
  return { showHome, readStatus, openRemoteStore: (url) => remoteServers.open(url), experiments, models, launches, openLink: runLinks.handleUri };
}
