// Activation does only what VS Code needs from it at once: the log, the two tree views, a stand-in
// for every contributed command and for the URI handler. Everything else — stores, SQLite, panels,
// launches, i.e. nearly all of the code — is bundled apart in dist/container.js and loaded on first
// use: when a view asks for its data, a command or a link arrives, or a panel is restored. Loading
// that bundle was most of the activation time (issue 13: activation < 50 ms).
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { HomeStatus } from '../protocol/home.ts';
import type { TrackingStore } from '../core/store/trackingStore.ts';
import { errorMessage } from '../shared/errorMessage.ts';
import type * as ContainerModule from './container.ts';
import type { LaunchService } from './launch/launchService.ts';
import type { RetrainTriggers } from './retrain/retrainTriggers.ts';
import { trackExportedPipelines } from './ci/pipelineContext.ts';
import { watchConflictedNotebooks } from './merge/conflictNotice.ts';
import type { HomePanel } from './panels/homePanel.ts';
import type { SmokeTesting } from './testing/smokeTesting.ts';
import { DeferredCodeLensProvider, DeferredHoverProvider, PARAM_HOVER_SELECTOR, providerSource, RUNS_LENS_SELECTOR } from './deferredLanguageProviders.ts';
import { DeferredTreeDataProvider } from './trees/deferredTreeDataProvider.ts';
import type { ExperimentsTreeProvider, ExplorerNode } from './trees/experimentsTree.ts';
import type { ModelsNode, ModelsTreeProvider } from './trees/modelsTree.ts';
import type { QueueNode } from './queue/queueModel.ts';
import type { QueueServices } from './queue/queueServices.ts';
import type { QueueTreeProvider } from './queue/queueTree.ts';
import { FEAST_REPO_EXCLUDE, FEAST_REPO_GLOB } from './feast/feastRepoGlob.ts';
import type { FeatureStoreNode } from './feast/featureStoreModel.ts';
import type { FeatureStoreTreeProvider } from './feast/featureStoreTree.ts';

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
  /** The recipes' retraining triggers (their decisions: onDidDecide). */
  readonly retrain: RetrainTriggers;
  /** The Testing view's smoke tests: find them, run them, read their outcomes. */
  readonly smokeTests: SmokeTesting;
  /** The Queue view's data provider. */
  readonly queue: QueueTreeProvider;
  /** The run queue, its runner and the sweep engine. */
  readonly sweeps: QueueServices;
  /** The Feature Store view's data provider (the workspace's Feast repositories). */
  readonly featureStore: FeatureStoreTreeProvider;
  /** The folder of this extension's logs (the Labbook output channel is written under it). */
  readonly logUri: vscode.Uri;
  /** What the URI handler does with a `…/run?run=<id>` link: opens that local run's details. */
  readonly openLink: (uri: vscode.Uri) => Promise<unknown>;
}

interface Manifest {
  readonly activationEvents?: readonly string[];
  readonly contributes?: { readonly commands?: readonly { readonly command: string }[] };
}

export function activate(context: vscode.ExtensionContext): LabbookApi {
  const activationStart = performance.now();
  const log = vscode.window.createOutputChannel('Labbook', { log: true });
  context.subscriptions.push(log);
  const manifest = context.extension.packageJSON as Manifest & { version?: unknown };
  log.info(`Labbook ${String(manifest.version)} activating`);

  // Stand in for what the container registers itself; disposed just before it starts.
  const standIns: vscode.Disposable[] = [];
  let started: ContainerModule.Container | undefined;
  let failure: { error: unknown } | undefined;
  // The runs lens and parameter hovers: a workspace with no local store does not start the services for them.
  const lenses = new DeferredCodeLensProvider(providerSource(() => started?.runsLens, () => container('the runs lens').runsLens));
  const container = (cause: string): ContainerModule.Container => {
    if (started) return started;
    if (failure) throw failure.error;
    const start = performance.now();
    for (const standIn of standIns.splice(0)) standIn.dispose();
    try {
      const file = path.join(context.extensionPath, 'dist', 'container.js');
      const loaded = createRequire(file)(file) as typeof ContainerModule;
      started = loaded.startContainer(context, log, views);
    } catch (error) {
      failure = { error };
      log.error('Labbook failed to start', error);
      void vscode.window.showErrorMessage(`Labbook failed to start: ${errorMessage(error)}`);
      throw error;
    }
    log.info(`Labbook services started on first use (${cause}); labbook.containerMs=${(performance.now() - start).toFixed(1)}`);
    // Services started for something else (a first launch made the store): lenses may have something to say now.
    lenses.refresh();
    return started;
  };

  const experimentsTree = new DeferredTreeDataProvider<ExplorerNode>(() => container('the Experiments view').experiments);
  const modelsTree = new DeferredTreeDataProvider<ModelsNode>(() => container('the Models view').models);
  const queueTree = new DeferredTreeDataProvider<QueueNode>(() => container('the Queue view').queue);
  const featureStoreTree = new DeferredTreeDataProvider<FeatureStoreNode>(() => container('the Feature Store view').featureStore);
  const views: ContainerModule.ContainerViews = {
    experiments: vscode.window.createTreeView('labbook.experiments', { treeDataProvider: experimentsTree, showCollapseAll: true, canSelectMany: true }),
    models: vscode.window.createTreeView('labbook.models', { treeDataProvider: modelsTree, showCollapseAll: true }),
    // Created now so the Testing view can ask for its tests; finding them starts the container.
    smokeTests: vscode.tests.createTestController('labbook.smokeTests', 'Labbook Smoke Tests'),
    queue: vscode.window.createTreeView('labbook.queue', { treeDataProvider: queueTree, showCollapseAll: true }),
    featureStore: vscode.window.createTreeView('labbook.featureStore', { treeDataProvider: featureStoreTree, showCollapseAll: true }),
  };
  views.smokeTests.resolveHandler = (item) => container('the Testing view').smokeTests.resolve(item);
  context.subscriptions.push(experimentsTree, views.experiments, modelsTree, views.models, views.smokeTests, queueTree, views.queue, featureStoreTree, views.featureStore);
  // The Feature Store view shows when the workspace has a Feast repository: found after activation
  // (a file search, no services), and again when a feature_store.yaml comes or goes.
  context.subscriptions.push(...watchFeastRepos());
  const hovers = new DeferredHoverProvider(providerSource(() => started?.paramHovers, () => container('a parameter hover').paramHovers));
  context.subscriptions.push(lenses, vscode.languages.registerCodeLensProvider(RUNS_LENS_SELECTOR, lenses), vscode.languages.registerHoverProvider(PARAM_HOVER_SELECTOR, hovers));

  // A contributed command runs the real one, which the container registers when it starts.
  for (const { command } of manifest.contributes?.commands ?? []) {
    standIns.push(
      vscode.commands.registerCommand(command, (...args: unknown[]) => {
        container(command);
        return vscode.commands.executeCommand<unknown>(command, ...args);
      }),
    );
  }
  // Saving the data checks file runs them again (the command starts the services when needed).
  context.subscriptions.push(
    vscode.workspace.onDidSaveTextDocument((doc) => {
      if (doc.uri.scheme === 'file' && /[\\/]\.labbook[\\/]checks\.yaml$/.test(doc.uri.fsPath)) void vscode.commands.executeCommand('labbook.runDataChecks', doc.uri, { quiet: true });
    }),
  );
  // Exported pipelines and their notebooks get Add CI Workflow… in the Explorer menu.
  context.subscriptions.push(trackExportedPipelines(log));
  // A conflicted notebook opened: offer the merge editor (reads the file only; the command starts the services).
  context.subscriptions.push(...watchConflictedNotebooks(log));
  // A recipe with a retraining trigger watches its data from the start: the services start soon
  // after activation (never during it) when .labbook/runs.json has one, or when it is saved with one.
  const startForRetrain = (text: string) => {
    if (!/"retrain"\s*:/.test(text)) return;
    try {
      container('retraining triggers');
    } catch {
      // reported by container()
    }
  };
  const runsFile = vscode.workspace.workspaceFolders?.[0] ? vscode.Uri.joinPath(vscode.workspace.workspaceFolders[0].uri, '.labbook', 'runs.json') : undefined;
  const retrainCheck = setTimeout(() => {
    if (runsFile) void vscode.workspace.fs.readFile(runsFile).then((bytes) => startForRetrain(new TextDecoder().decode(bytes)), () => undefined);
  }, 1000);
  context.subscriptions.push(
    { dispose: () => clearTimeout(retrainCheck) },
    vscode.workspace.onDidSaveTextDocument((doc) => {
      if (!started && runsFile && doc.uri.toString() === runsFile.toString()) startForRetrain(doc.getText());
    }),
  );
  standIns.push(
    vscode.window.registerUriHandler({
      handleUri: (uri) => {
        void Promise.resolve()
          .then(() => container('a link').openLink(uri))
          .catch((err: unknown) => log.error(`Could not open the link ${uri.toString()}`, err));
      },
    }),
  );
  // A Labbook panel VS Code restores (its onWebviewPanel activation event) needs the container's
  // serializers, which VS Code still accepts after activation: the container starts right after.
  const panelTypes = (manifest.activationEvents ?? []).filter((e) => e.startsWith('onWebviewPanel:')).map((e) => e.slice('onWebviewPanel:'.length));
  const isLabbookPanel = (tab: vscode.Tab) => tab.input instanceof vscode.TabInputWebview && panelTypes.some((type) => (tab.input as vscode.TabInputWebview).viewType.endsWith(type));
  const startForPanels = () => {
    try {
      container('a panel to restore');
    } catch {
      // reported by container()
    }
  };
  const restoring = setTimeout(() => {
    if (vscode.window.tabGroups.all.some((group) => group.tabs.some(isLabbookPanel))) startForPanels();
  }, 0);
  standIns.push(
    { dispose: () => clearTimeout(restoring) },
    vscode.window.tabGroups.onDidChangeTabs((e) => {
      if ([...e.opened, ...e.changed].some(isLabbookPanel)) setTimeout(startForPanels, 0);
    }),
  );
  context.subscriptions.push({
    dispose: () => {
      for (const standIn of standIns.splice(0)) standIn.dispose();
    },
  });

  // Measured from the start of activate() (loading this small bundle excluded; VS Code's own figure,
  // in Developer: Show Running Extensions, adds it); read by bench/footprint.bench.ts.
  log.info(`Labbook activated; labbook.activationMs=${(performance.now() - activationStart).toFixed(1)}`);
  return {
    showHome: () => container('the API').showHome(),
    readStatus: () => container('the API').readStatus(),
    openRemoteStore: (url) => container('the API').openRemoteStore(url),
    get experiments() {
      return container('the API').experiments;
    },
    get models() {
      return container('the API').models;
    },
    get launches() {
      return container('the API').launches;
    },
    get retrain() {
      return container('the API').retrain;
    },
    get smokeTests() {
      return container('the API').smokeTests;
    },
    get queue() {
      return container('the API').queue;
    },
    get sweeps() {
      return container('the API').sweeps;
    },
    get featureStore() {
      return container('the API').featureStore;
    },
    logUri: context.logUri,
    openLink: (uri) => container('the API').openLink(uri),
  };
}

const FEAST_REPO_KEY = 'labbook.feastRepo';

/** Keeps the context key `labbook.feastRepo` true while the workspace has a feature_store.yaml. */
function watchFeastRepos(): vscode.Disposable[] {
  const check = () => {
    void vscode.workspace.findFiles(FEAST_REPO_GLOB, FEAST_REPO_EXCLUDE, 1).then(
      (found) => vscode.commands.executeCommand('setContext', FEAST_REPO_KEY, found.length > 0),
      () => undefined,
    );
  };
  const first = setTimeout(check, 0);
  const watcher = vscode.workspace.createFileSystemWatcher(FEAST_REPO_GLOB, false, true, false);
  return [{ dispose: () => clearTimeout(first) }, watcher, watcher.onDidCreate(check), watcher.onDidDelete(check), vscode.workspace.onDidChangeWorkspaceFolders(check)];
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
