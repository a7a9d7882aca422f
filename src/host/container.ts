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
import { registerDebugRunCommands } from './commands/debugRunCommands.ts';
import { registerLineageCommands } from './commands/lineageCommands.ts';
import { createParamHovers } from './hovers/paramHover.ts';
import { createRunsCodeLens } from './codeLens/runsCodeLens.ts';
import { registerPanelCommands } from './commands/panelCommands.ts';
import { registerStoreCommands } from './commands/storeCommands.ts';
import { registerPipelineCommands } from './commands/pipelineCommands.ts';
import { registerCheckCommands } from './commands/checkCommands.ts';
import { CheckService } from './checks/checkService.ts';
import { createCheckEngine } from '../core/checks/engine.ts';
import { closeDuckdb } from '../core/profile/duckdb.ts';
import { LaunchService } from './launch/launchService.ts';
import { registerCiCommands } from './ci/ciWorkflowCommand.ts';
import { registerRetrainTriggers } from './retrain/retrainCommands.ts';
import type { RetrainTriggers } from './retrain/retrainTriggers.ts';
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
import { registerNotebookMergeCommands } from './merge/mergeCommands.ts';
import { registerRunCommands } from './commands/runCommands.ts';
import { registerRunLinks } from './commands/runLinkCommands.ts';
import { registerRunsTableCommands } from './commands/runsTableCommands.ts';
import { registerWhatChangedCommands } from './commands/whatChangedCommands.ts';
import { registerDriftCommands } from './commands/driftCommands.ts';
import { driftCompute } from './commands/driftCompute.ts';
import { registerWalkthroughCommands } from './commands/walkthroughCommands.ts';
import { RemoteOutboxes } from './stores/remoteOutboxes.ts';
import { RemoteServers } from './stores/remoteServers.ts';
import { StoreChanges } from './stores/storeChanges.ts';
import { readHomeStatus } from './status.ts';
import { ExperimentsTreeProvider, type ExplorerNode } from './trees/experimentsTree.ts';
import { ModelsTreeProvider, type ModelsNode } from './trees/modelsTree.ts';
import { SmokeTesting } from './testing/smokeTesting.ts';
import type { QueueNode } from './queue/queueModel.ts';
import type { QueueServices } from './queue/queueServices.ts';
import type { QueueTreeProvider } from './queue/queueTree.ts';
import { startQueueFeatures } from './queue/queueWiring.ts';
import type { FeatureStoreNode } from './feast/featureStoreModel.ts';
import type { FeatureStoreTreeProvider } from './feast/featureStoreTree.ts';
import { startFeastFeatures } from './feast/feastCommands.ts';
import { errorMessage } from '../shared/errorMessage.ts';

/** The two tree views: created at activation (their data comes from the container's providers). */
export interface ContainerViews {
  readonly experiments: vscode.TreeView<ExplorerNode>;
  readonly models: vscode.TreeView<ModelsNode>;
  /** The Testing view's controller for Labbook's smoke tests (its items come from the container). */
  readonly smokeTests: vscode.TestController;
  /** The Queue view (queued runs and sweeps). */
  readonly queue: vscode.TreeView<QueueNode>;
  /** The Feature Store view (the workspace's Feast repositories). */
  readonly featureStore: vscode.TreeView<FeatureStoreNode>;
}

/** What the rest of the extension (extension.ts, and through it the API) asks of the container. */
export interface Container {
  showHome(): HomePanel;
  readStatus(): Promise<HomeStatus>;
  openRemoteStore(url: string): Promise<TrackingStore>;
  readonly experiments: ExperimentsTreeProvider;
  readonly models: ModelsTreeProvider;
  readonly launches: LaunchService;
  /** Retraining triggers of the recipes in .labbook/runs.json. */
  readonly retrain: RetrainTriggers;
  readonly smokeTests: SmokeTesting;
  /** The Queue view's data provider. */
  readonly queue: QueueTreeProvider;
  /** The run queue, its runner and the sweep engine. */
  readonly sweeps: QueueServices;
  /** The Feature Store view's data provider. */
  readonly featureStore: FeatureStoreTreeProvider;
  readonly openLink: (uri: vscode.Uri) => Promise<unknown>;
  /** The runs lens and the parameter hovers; the entry registers stand-ins that hand over to these. */
  readonly runsLens: vscode.CodeLensProvider;
  readonly paramHovers: vscode.HoverProvider;
}

/** Creates every service and registers every command, serializer and provider in `context.subscriptions`. */
export function startContainer(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, views: ContainerViews): Container {
  const sqlite: SqliteRuntime = { nativeBinding: path.join(context.extensionPath, 'dist', 'better_sqlite3.node') };
  const localStore = new LocalStore(sqlite, log);
  context.subscriptions.push(localStore);
  const readStatus = () => readHomeStatus(context, sqlite, localStore);
  // The lens and the hovers read the local store only where it exists: opening it would create it.
  const existingLocalStore = () => (existsSync(localStorePath() ?? '') ? localStore.get() : undefined);
  const showHome = () => HomePanel.show(context.extensionUri, log, readStatus);

  // Every writer publishes to `changes`; every view and panel subscribes (see stores/storeChanges.ts).
  const changes = new StoreChanges((err) => log.error('A store-change subscriber failed', err));
  // Opening a script never creates the store: no store file, no lens, no hover.
  const wasmPaths = { treeSitterWasm: path.join(context.extensionPath, 'dist', 'web-tree-sitter.wasm'), pythonWasm: path.join(context.extensionPath, 'dist', 'tree-sitter-python.wasm') };
  const paramHovers = createParamHovers({ store: existingLocalStore, onDidChangeStore: changes.onDidChange, wasmPaths, log });
  const runsLens = createRunsCodeLens({ store: existingLocalStore, onDidChangeStore: changes.onDidChange, log });
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
  // Data checks before every tracked launch; drift references (runs, model aliases) read the local store.
  const checks = new CheckService(log, createCheckEngine({ store: () => (existsSync(localStorePath() ?? '') ? openRoot('local') : Promise.resolve(undefined)) }));
  launches.guard = (request, dataPaths, relaunch) =>
    checks.allowLaunch({ what: path.basename(request.file), file: request.file, cwd: request.cwd, dataPaths, launchAnyway: relaunch }).catch((err: unknown) => {
      log.error('The data checks failed before a launch; launching without them', err);
      return true;
    });
  // Retraining triggers watch the recipes' data from the start (the container starts early when runs.json has one).
  const retrain = registerRetrainTriggers({ log, stores: openRoot });
  // Smoke Test Notebook and the Testing view mark a failing cell in the same collection.
  const smokeDiagnostics = vscode.languages.createDiagnosticCollection('labbook.smoke');
  const smokeTests = new SmokeTesting({
    controller: views.smokeTests,
    wasmPaths,
    log,
    smoke: { log, diagnostics: smokeDiagnostics, launches, stores: openRoot },
  });
  const feast = startFeastFeatures(context.extensionUri, log, views.featureStore, launches, wasmPaths);
  const queue = startQueueFeatures({ extensionUri: context.extensionUri, sqlite, local: localStore, launches, changes, stores: openRoot, queueView: views.queue, experimentsView, log });
  context.subscriptions.push(
    changes,
    outboxes,
    ...registerPanelCommands({ extensionUri: context.extensionUri, log, stores: openRoot, view: experimentsView, onDidChangeStore: changes.onDidChange }),
    ...registerRunsTableCommands({ extensionUri: context.extensionUri, log, stores: openRoot, roots: () => roots.list(), view: experimentsView, onDidChangeStore: changes.onDidChange, state: context.workspaceState, keyMetrics: () => explorerSettings().keyMetrics }),
    endpoint,
    launches,
    // Disposed: the runner stops claiming; the launch service stops the runs still going (recovery marks them).
    ...queue.disposables,
    ...feast.disposables,
    smokeDiagnostics,
    smokeTests,
    ...registerPipelineCommands({ extensionUri: context.extensionUri, extensionPath: context.extensionPath, log, launches, stores: openRoot, diagnostics: smokeDiagnostics, checks }),
    ...registerCheckCommands(checks),
    ...retrain.disposables,
    ...registerCiCommands({ log, stores: openRoot }),
    ...registerLaunchCommands({
      launches,
      endpoint,
      view: experimentsView,
      state: context.workspaceState,
      roots: () => roots.list(),
      worktreeRoot: path.join(context.globalStorageUri.fsPath, 'worktrees'),
      log,
    }),
    ...registerDebugRunCommands({ launches, view: experimentsView, roots: () => roots.list(), worktreeRoot: path.join(context.globalStorageUri.fsPath, 'worktrees'), log }),
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
    ...registerNotebookMergeCommands(context.extensionUri, log, context.workspaceState),
    paramHovers,
    ...runsLens.disposables,
    ...registerWhatChangedCommands({ extensionUri: context.extensionUri, log, stores: openRoot, view: experimentsView, onDidChangeStore: changes.onDidChange }),
    ...registerDriftCommands({ extensionUri: context.extensionUri, log, stores: openRoot, roots: () => roots.list(), view: experimentsView, state: context.workspaceState, compute: driftCompute(openRoot, log) }),
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
    ...registerWalkthroughCommands(context.extension.id),
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
    // Queued items and running sweeps a closed window left: this window's runner takes them on.
    if (file && existsSync(file)) void queue.resumePending().catch((err: unknown) => log.warn(`Resuming the queue failed: ${errorMessage(err)}`));
  }, 2000);
  context.subscriptions.push({ dispose: () => clearTimeout(recovery) });
  // The data engine's memory and spill folder go with the extension (profiles, drift, checks).
  context.subscriptions.push({ dispose: () => void closeDuckdb() });
  return { showHome, readStatus, openRemoteStore: (url) => remoteServers.open(url), experiments, models, launches, retrain: retrain.retrain, smokeTests, queue: queue.tree, sweeps: queue.services, featureStore: feast.tree, openLink: runLinks.handleUri, runsLens: runsLens.provider, paramHovers };
}
