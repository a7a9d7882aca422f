// Wiring only: create the services, register them, hand back the API. Nothing heavy runs here;
// the SQLite engine and the webview bundles load when first used.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SqliteRuntime } from '../core/sqlite/openDatabase.ts';
import { HOME_VIEW_TYPE, type HomeStatus } from '../protocol/home.ts';
import type { TrackingStore } from '../core/store/trackingStore.ts';
import { registerRemoteServerCommands } from './commands/remoteServerCommands.ts';
import { HomePanel } from './panels/homePanel.ts';
import { LocalStore } from './stores/localStore.ts';
import { RemoteServers } from './stores/remoteServers.ts';
import { readHomeStatus } from './status.ts';
import { ExperimentsTreeProvider } from './trees/experimentsTree.ts';
import { ModelsTreeProvider } from './trees/modelsTree.ts';

/** What `activate` returns: for automation and Labbook's own integration tests. */
export interface LabbookApi {
  /** Opens (or reveals) the Home panel. */
  showHome(): HomePanel;
  /** What the Home panel shows: versions, workspace, trust and the tracking store. */
  readStatus(): Promise<HomeStatus>;
  /** A store over one of the configured MLflow tracking servers (credentials from SecretStorage). */
  openRemoteStore(url: string): Promise<TrackingStore>;
}

export function activate(context: vscode.ExtensionContext): LabbookApi {
  const log = vscode.window.createOutputChannel('Labbook', { log: true });
  context.subscriptions.push(log);
  log.info(`Labbook ${String((context.extension.packageJSON as { version?: unknown }).version)} activating`);

  const sqlite: SqliteRuntime = { nativeBinding: path.join(context.extensionPath, 'dist', 'better_sqlite3.node') };
  const localStore = new LocalStore(sqlite, log);
  context.subscriptions.push(localStore);
  const readStatus = () => readHomeStatus(context, sqlite, localStore);
  const showHome = () => HomePanel.show(context.extensionUri, log, readStatus);

  const remoteServers = new RemoteServers(context.secrets, log);
  const experiments = new ExperimentsTreeProvider();
  const models = new ModelsTreeProvider();
  context.subscriptions.push(
    experiments,
    models,
    vscode.window.createTreeView('labbook.experiments', { treeDataProvider: experiments, showCollapseAll: true, canSelectMany: true }),
    vscode.window.createTreeView('labbook.models', { treeDataProvider: models, showCollapseAll: true }),
    vscode.window.registerWebviewPanelSerializer(HOME_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel) => {
        HomePanel.revive(panel, context.extensionUri, log, readStatus);
      },
    }),
    { dispose: () => HomePanel.currentPanel()?.dispose() },
    vscode.commands.registerCommand('labbook.openHome', () => {
      showHome();
    }),
    vscode.commands.registerCommand('labbook.showLog', () => log.show()),
    ...registerRemoteServerCommands(remoteServers),
    vscode.commands.registerCommand('labbook.openSettings', () =>
      vscode.commands.executeCommand('workbench.action.openSettings', `@ext:${context.extension.id}`),
    ),
    vscode.commands.registerCommand('labbook.refreshExperiments', () => experiments.refresh()),
    vscode.commands.registerCommand('labbook.refreshModels', () => models.refresh()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('labbook')) void HomePanel.currentPanel()?.refresh();
    }),
  );
  log.info('Labbook activated');
  return { showHome, readStatus, openRemoteStore: (url) => remoteServers.open(url) };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
