// The Feature Store view's commands: refresh, open an object's definition, copy a feature reference
// (as get_historical_features takes it), open a repository's feature_store.yaml, the details of a
// failed read with its fix (install Feast in a terminal, open the configuration, the log), and
// Plan Feast Changes: what `feast apply` would change, computed by Feast and shown as a read-only
// diff document (refused in Restricted Mode: planning imports the repository's files). Apply and
// Materialize Incremental, as tracked runs, are in feastRunCommands.ts.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { planFeastRepo, planSummary, renderPlan, type FeastPlan } from '../../core/feast/feastPlan.ts';
import { readFeastRegistry } from '../../core/feast/readFeastRegistry.ts';
import { errorMessage } from '../../shared/errorMessage.ts';
import { resolveInterpreter } from '../launch/interpreter.ts';
import type { LaunchService } from '../launch/launchService.ts';
import { requireTrust } from '../launch/requireTrust.ts';
import type { FeastRepo, FeatureStoreNode } from './featureStoreModel.ts';
import type { PythonWasmPaths } from '../../core/pipeline/pythonParser.ts';
import { FEAST_SKEW_VIEW_TYPE } from '../../protocol/feastSkew.ts';
import { FeastSkewPanel, type FeastSkewDeps } from '../panels/feastSkewPanel.ts';
import type { PeriodChoice } from '../../core/feast/featureWindows.ts';
import { FeastLineage, showFeatureViewUsers } from './feastLineage.ts';
import { showFeatureStatistics } from './featureStatistics.ts';
import { registerFeastRunCommands } from './feastRunCommands.ts';
import { findFeastRepos, FeatureStoreTreeProvider } from './featureStoreTree.ts';

/** Plans shown as read-only documents: `labbook-feast-plan:/<repo>/plan.diff?<repo folder>`. */
export const FEAST_PLAN_SCHEME = 'labbook-feast-plan';

/** The plans computed in this window, by document URI; a new plan of a repository replaces its text. */
class PlanDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  set(uri: vscode.Uri, text: string): void {
    this.texts.set(uri.toString(), text);
    this.changed.fire(uri);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? 'This plan is no longer available: run "Plan Feast Changes" again.\n';
  }

  dispose(): void {
    this.changed.dispose();
  }
}

export interface FeastFeatures {
  readonly tree: FeatureStoreTreeProvider;
  readonly disposables: vscode.Disposable[];
}

/** The repository a command acts on: its node's, the only one, or the one the user picks. */
async function chooseRepo(node: FeatureStoreNode | undefined, title: string): Promise<FeastRepo | undefined> {
  if (node && 'repo' in node) return node.repo;
  const repos = await findFeastRepos();
  if (repos.length <= 1) {
    if (!repos.length) void vscode.window.showInformationMessage('There is no Feast repository (a folder with a feature_store.yaml) in this workspace.');
    return repos[0];
  }
  const picked = await vscode.window.showQuickPick(repos.map((repo) => ({ label: repo.label, description: repo.folder, repo })), { title, placeHolder: 'Which Feast repository?' });
  return picked?.repo;
}

type NodeOf<K extends FeatureStoreNode['kind']> = Extract<FeatureStoreNode, { kind: K }>;

function repoFolder(node: FeatureStoreNode | undefined): string | undefined {
  return node && 'repo' in node ? node.repo.folder : undefined;
}

/** The Feature Store view's provider and commands. */
export function startFeastFeatures(extensionUri: vscode.Uri, log: vscode.LogOutputChannel, view: vscode.TreeView<FeatureStoreNode>, launches: LaunchService, wasm: PythonWasmPaths): FeastFeatures {
  const interpreterFor = async (repo: FeastRepo) => (await resolveInterpreter(vscode.Uri.file(path.join(repo.folder, 'feature_store.yaml')), log)).path;
  const openConfig = async (folder: string | undefined) => {
    if (!folder) return;
    await vscode.window.showTextDocument(vscode.Uri.file(path.join(folder, 'feature_store.yaml')));
  };
  const tree = new FeatureStoreTreeProvider({
    log,
    read: async (repo, onQuick) => {
      const python = await interpreterFor(repo);
      log.info(`Reading the Feast registry of ${repo.folder} with ${python}`);
      return readFeastRegistry(python, repo.folder, { onQuick });
    },
  });
  const plans = new PlanDocuments();
  /** Plans `repo` and shows the plan as a document; undefined when planning failed (the user is told why). */
  const showPlan = async (repo: FeastRepo): Promise<{ plan: FeastPlan; uri: vscode.Uri } | undefined> => {
    const python = await interpreterFor(repo);
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Planning ${repo.label} with Feast…`, cancellable: true },
      (_progress, token) => {
        const abort = new AbortController();
        const cancel = token.onCancellationRequested(() => abort.abort());
        return planFeastRepo(python, repo.folder, { signal: abort.signal }).finally(() => {
          cancel.dispose();
        });
      },
    );
    if (!result.ok) {
      log.warn(`Feast plan of ${repo.folder}: ${result.message}`);
      // Not awaited: the command ends now; the buttons work whenever the user gets to them.
      void vscode.window.showErrorMessage(result.message, ...(result.kind === 'missing' ? [] : ['Open feature_store.yaml']), 'Show Log').then((choice) => {
        if (choice === 'Open feature_store.yaml') void openConfig(repo.folder);
        else if (choice === 'Show Log') log.show();
      });
      return undefined;
    }
    const uri = vscode.Uri.from({ scheme: FEAST_PLAN_SCHEME, path: `/${path.basename(repo.folder)}/plan.diff`, query: repo.folder });
    plans.set(uri, renderPlan(result.plan, repo.label));
    // plan.diff: VS Code colours it as a diff.
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: false });
    log.info(`Feast plan of ${repo.folder}: ${planSummary(result.plan)}`);
    return { plan: result.plan, uri };
  };
  const plan = async (node?: FeatureStoreNode): Promise<vscode.Uri | undefined> => {
    if (!requireTrust('plan a Feast repository (planning imports its Python files)')) return undefined;
    const repo = await chooseRepo(node, 'Plan Feast Changes');
    return repo ? (await showPlan(repo))?.uri : undefined;
  };
  const lineage = new FeastLineage(launches, tree, wasm, log);
  const skewDeps: FeastSkewDeps = { extensionUri, log, interpreterFor: (folder) => interpreterFor({ folder, label: folder }) };
  /** Check Training–Serving Skew…: a service (its node, else picked) over an entities file (given, else picked), in a panel. */
  const checkSkew = async (node?: FeatureStoreNode, options: { entities?: string; sample?: number } = {}): Promise<FeastSkewPanel | undefined> => {
    if (!requireTrust('check a Feast feature service (the check imports the repository and reads its stores)')) return undefined;
    const repo = await chooseRepo(node, 'Check Training–Serving Skew');
    if (!repo) return undefined;
    let service = node?.kind === 'object' && node.object.kind === 'featureService' ? node.object.name : undefined;
    if (!service) {
      const read = await tree.registryOf(repo);
      const services = read?.ok ? (read.registry.projects.find((p) => p.name === read.registry.project)?.featureServices ?? []) : [];
      if (!services.length) {
        void vscode.window.showInformationMessage(`The Feast repository ${repo.label} has no feature service to check${read && !read.ok ? `: ${read.message}` : ''}.`);
        return undefined;
      }
      service = (await vscode.window.showQuickPick(services.map((s) => ({ label: s.name, description: s.features.map((f) => f.featureView).join(', ') })), { title: 'Check Training–Serving Skew', placeHolder: 'Which feature service?' }))?.label;
      if (!service) return undefined;
    }
    const entities =
      options.entities ??
      (
        await vscode.window.showOpenDialog({
          title: `Entity keys to check ${service} for (CSV, TSV, Parquet or JSON lines, with the join keys)`,
          defaultUri: vscode.Uri.file(repo.folder),
          canSelectMany: false,
          filters: { 'Entity keys': ['csv', 'tsv', 'parquet', 'jsonl', 'ndjson', 'json'] },
          openLabel: 'Check Skew',
        })
      )?.[0]?.fsPath;
    if (!entities) return undefined;
    return FeastSkewPanel.show({ repo: repo.folder, service, entities, sample: options.sample ?? 1000 }, skewDeps);
  };
  const disposables: vscode.Disposable[] = [
    tree,
    plans,
    lineage,
    vscode.window.registerWebviewPanelSerializer(FEAST_SKEW_VIEW_TYPE, FeastSkewPanel.serializer(skewDeps)),
    { dispose: () => FeastSkewPanel.disposeAll() },
    vscode.commands.registerCommand('labbook.checkFeastSkew', (node?: FeatureStoreNode, options?: { entities?: string; sample?: number }) => checkSkew(node, options)),
    vscode.commands.registerCommand('labbook.feastViewStatistics', (node?: FeatureStoreNode, options?: { period?: PeriodChoice }) => showFeatureStatistics(tree, node ?? view.selection[0], options)),
    vscode.commands.registerCommand('labbook.feastViewUsers', (node?: FeatureStoreNode, options?: { quiet?: boolean }) => showFeatureViewUsers(launches, node ?? view.selection[0], options)),
    vscode.workspace.registerTextDocumentContentProvider(FEAST_PLAN_SCHEME, plans),
    vscode.commands.registerCommand('labbook.planFeastRepo', (node?: FeatureStoreNode) => plan(node)),
    ...registerFeastRunCommands({ log, launches, tree, interpreterFor, chooseRepo, showPlan: async (repo) => (await showPlan(repo))?.plan }),
    vscode.commands.registerCommand('labbook.refreshFeatureStore', () => tree.reload()),
    vscode.commands.registerCommand('labbook.openFeastDefinition', async (node?: NodeOf<'object'>) => {
      const target = node ?? view.selection.find((n): n is NodeOf<'object'> => n.kind === 'object');
      const at = target?.object.location;
      if (!target || !at) return;
      try {
        const position = new vscode.Position(Math.max(0, at.line - 1), Math.max(0, at.column));
        await vscode.window.showTextDocument(vscode.Uri.file(at.file), { selection: new vscode.Range(position, position), preview: true });
      } catch (err) {
        void vscode.window.showErrorMessage(`Labbook could not open the definition of ${target.object.name}: ${errorMessage(err)}`);
      }
    }),
    vscode.commands.registerCommand('labbook.copyFeastReference', async (node?: FeatureStoreNode) => {
      const reference =
        node?.kind === 'feature'
          ? `${node.parent}:${node.field.name}`
          : node?.kind === 'object' && (node.object.kind === 'featureView' || node.object.kind === 'onDemandFeatureView')
            ? node.object.features.map((f) => `${node.object.name}:${f.name}`).join('\n')
            : node?.kind === 'object'
              ? node.object.name
              : undefined;
      if (!reference) return;
      await vscode.env.clipboard.writeText(reference);
      vscode.window.setStatusBarMessage(`Copied ${reference.includes('\n') ? `${reference.split('\n').length} feature references` : reference}`, 3000);
    }),
    vscode.commands.registerCommand('labbook.openFeastConfig', (node?: FeatureStoreNode) => openConfig(repoFolder(node))),
    vscode.commands.registerCommand('labbook.showFeastFailure', async (node?: NodeOf<'failure'>) => {
      if (!node) return;
      const install = node.failure.kind === 'missing' && node.failure.install ? 'Install Feast' : undefined;
      const actions = [...(install ? [install] : []), 'Open feature_store.yaml', 'Show Log', 'Retry'];
      const choice = await vscode.window.showErrorMessage(node.failure.message, ...actions);
      if (choice === install && node.failure.install) {
        if (!vscode.workspace.isTrusted) {
          void vscode.window.showWarningMessage('Installing Feast runs pip: trust this workspace first.');
          return;
        }
        const terminal = vscode.window.createTerminal({ name: 'Labbook: install Feast', cwd: node.repo.folder });
        terminal.show();
        terminal.sendText(node.failure.install);
        void vscode.window.showInformationMessage('When pip is done, Refresh the Feature Store view to read the registry.', 'Refresh').then((again) => {
          if (again) tree.reload(node.repo.folder);
        });
      } else if (choice === 'Open feature_store.yaml') await openConfig(node.repo.folder);
      else if (choice === 'Show Log') log.show();
      else if (choice === 'Retry') tree.reload(node.repo.folder);
    }),
  ];
  return { tree, disposables };
}
