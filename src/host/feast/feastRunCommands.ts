// Apply Feast Repository and Materialize Incremental…, each a tracked run (src/core/feast/feastRun.ts):
// the shipped script runs Feast in the repository's interpreter through the LaunchService, so the
// run has its output, the repository's git state, the environment and the data Feast read and
// wrote, plus what it did as params and tags. Apply shows the plan first and asks; Materialize
// asks for the end of the interval and the feature views (the online ones, all picked). Both are
// refused in Restricted Mode (they import the repository's files and write the stores).
import * as vscode from 'vscode';
import { feastRunArgs, feastRunName, feastRunTags, isoSeconds, parseEndDate, type FeastRunRequest } from '../../core/feast/feastRun.ts';
import { FEAST_RUN_SOURCE } from '../../core/feast/feastRunSource.ts';
import { planCounts, planSummary, type FeastPlan } from '../../core/feast/feastPlan.ts';
import { formatTtl } from '../../core/feast/feastRegistry.ts';
import { feastInstallLine } from '../../core/feast/readFeastRegistry.ts';
import { pythonScript } from '../../core/system/pythonScript.ts';
import { errorMessage } from '../../shared/errorMessage.ts';
import type { LaunchedRun, LaunchService } from '../launch/launchService.ts';
import { requireTrust } from '../launch/requireTrust.ts';
import type { FeastRepo, FeatureStoreNode } from './featureStoreModel.ts';
import type { FeatureStoreTreeProvider } from './featureStoreTree.ts';

/** The script's exit code when Feast is not installed in the interpreter. */
const FEAST_MISSING_EXIT = 3;

export interface FeastRunDeps {
  readonly log: vscode.LogOutputChannel;
  readonly launches: LaunchService;
  readonly tree: FeatureStoreTreeProvider;
  readonly interpreterFor: (repo: FeastRepo) => Promise<string>;
  readonly chooseRepo: (node: FeatureStoreNode | undefined, title: string) => Promise<FeastRepo | undefined>;
  /** Plans the repository and shows the plan; undefined when planning failed (the user was told). */
  readonly showPlan: (repo: FeastRepo) => Promise<FeastPlan | undefined>;
}

/** Apply's options for a caller that already asked (tests, other commands): `confirm: false` applies without the question. */
interface ApplyOptions {
  readonly confirm?: boolean;
}

/** Materialize's answers given in advance: the end (as typed: ISO 8601 or "now") and the feature views. */
interface MaterializeOptions {
  readonly endDate?: string;
  readonly featureViews?: readonly string[];
}

/** The repository of a plan document (its query is the repository folder), for the plan's Apply button. */
function repoOfPlan(uri: vscode.Uri): FeastRepo {
  return { folder: uri.query, label: vscode.workspace.asRelativePath(uri.query, false) };
}

/** Launches a Feast operation as a tracked run; reloads the view when it ends. */
async function launchFeastRun(deps: FeastRunDeps, repo: FeastRepo, request: FeastRunRequest, project: string): Promise<LaunchedRun | undefined> {
  const python = await deps.interpreterFor(repo);
  let script: string;
  try {
    script = pythonScript(FEAST_RUN_SOURCE, 'feast', 'labbook_feast_run');
  } catch (err) {
    void vscode.window.showErrorMessage(`Labbook could not write its Feast runner: ${errorMessage(err)}`);
    return undefined;
  }
  deps.log.info(`Feast ${request.operation} of ${repo.folder} with ${python}`);
  const launched = await deps.launches.launch({
    file: script,
    args: feastRunArgs(request),
    cwd: repo.folder,
    python,
    runName: feastRunName(request, project),
    tags: feastRunTags(request),
    // The data checks guard training launches; Feast's own runs read the feature sources.
    skipChecks: true,
  });
  if (!launched) return undefined;
  void launched.done.then(
    (outcome) => {
      deps.tree.reload(repo.folder);
      if (outcome.status === 'FAILED' && outcome.exitCode === FEAST_MISSING_EXIT) {
        const install = feastInstallLine(python);
        void vscode.window.showErrorMessage(`Feast is not installed in ${python}. Install it with: ${install}`, 'Install Feast').then((choice) => {
          if (!choice) return;
          const terminal = vscode.window.createTerminal({ name: 'Labbook: install Feast', cwd: repo.folder });
          terminal.show();
          terminal.sendText(install);
        });
      }
    },
    () => deps.tree.reload(repo.folder),
  );
  return launched;
}

export function registerFeastRunCommands(deps: FeastRunDeps): vscode.Disposable[] {
  const apply = async (target?: FeatureStoreNode | vscode.Uri, options: ApplyOptions = {}): Promise<LaunchedRun | undefined> => {
    if (!requireTrust('apply a Feast repository (applying imports its Python files and writes the registry)')) return undefined;
    const repo = target instanceof vscode.Uri ? repoOfPlan(target) : await deps.chooseRepo(target, 'Apply Feast Repository');
    if (!repo) return undefined;
    const plan = await deps.showPlan(repo);
    if (!plan) return undefined;
    const { create, update, delete: remove } = planCounts(plan);
    const confirm = create + update + remove + plan.infra.length === 0 ? 'Apply Anyway' : 'Apply';
    const question =
      confirm === 'Apply'
        ? `Apply the Feast repository ${repo.label} to the project ${plan.project}? ${planSummary(plan)} It runs as a tracked run.`
        : `The registry of ${plan.project} already matches ${repo.label}: there is nothing to apply.`;
    if (options.confirm !== false) {
      const choice = await vscode.window.showWarningMessage(question, { modal: confirm === 'Apply' }, confirm);
      if (choice !== confirm) return undefined;
    }
    return launchFeastRun(deps, repo, { operation: 'apply', repo: repo.folder }, plan.project);
  };

  const materialize = async (node?: FeatureStoreNode, options: MaterializeOptions = {}): Promise<LaunchedRun | undefined> => {
    if (!requireTrust('materialize Feast features (materializing imports the repository and writes the online store)')) return undefined;
    const repo = await deps.chooseRepo(node, 'Materialize Incremental');
    if (!repo) return undefined;
    await deps.tree.settled();
    const read = deps.tree.result(repo.folder);
    if (!read?.ok) {
      void vscode.window.showErrorMessage(`Labbook could not read the Feast registry of ${repo.label}${read ? `: ${read.message}` : ''}. Refresh the Feature Store view, or apply the repository first.`);
      return undefined;
    }
    const project = read.registry.projects.find((p) => p.name === read.registry.project);
    const online = (project?.featureViews ?? []).filter((v) => v.online);
    if (!online.length) {
      void vscode.window.showInformationMessage(`The project ${read.registry.project} has no online feature view to materialize: apply the repository first, or mark a feature view online=True.`);
      return undefined;
    }
    const unknown = (options.featureViews ?? []).filter((name) => !online.some((v) => v.name === name));
    if (unknown.length) {
      void vscode.window.showErrorMessage(`${unknown.join(', ')}: not an online feature view of ${read.registry.project}.`);
      return undefined;
    }
    const picked =
      options.featureViews ??
      (
        await vscode.window.showQuickPick(
          online.map((v) => ({ label: v.name, description: `TTL ${formatTtl(v.ttlSeconds)}`, picked: true })),
          { title: `Materialize Incremental: ${read.registry.project}`, placeHolder: 'The feature views to load into the online store', canPickMany: true },
        )
      )?.map((p) => p.label);
    if (!picked?.length) return undefined;
    const typed =
      options.endDate ??
      (await vscode.window.showInputBox({
        title: `Materialize Incremental: ${read.registry.project}`,
        prompt: 'Materialize up to (ISO 8601, UTC unless a zone is given; "now" for now). Each feature view starts where its last materialization ended.',
        value: isoSeconds(new Date()),
        validateInput: (text) => {
          const parsed = parseEndDate(text);
          return typeof parsed === 'string' ? parsed : undefined;
        },
      }));
    if (typed === undefined) return undefined;
    const endDate = parseEndDate(typed);
    if (typeof endDate === 'string') {
      void vscode.window.showErrorMessage(endDate);
      return undefined;
    }
    // Every online view picked: no list, so Feast takes them all (as `feast materialize-incremental` does).
    const featureViews = picked.length === online.length ? [] : picked;
    return launchFeastRun(deps, repo, { operation: 'materialize-incremental', repo: repo.folder, endDate, featureViews }, read.registry.project);
  };

  return [
    vscode.commands.registerCommand('labbook.applyFeastRepo', (target?: FeatureStoreNode | vscode.Uri, options?: ApplyOptions) => apply(target, options)),
    vscode.commands.registerCommand('labbook.materializeFeastRepo', (node?: FeatureStoreNode, options?: MaterializeOptions) => materialize(node, options)),
  ];
}

