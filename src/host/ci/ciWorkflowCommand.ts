// Labbook: Add CI Workflow… — the editor's `labbook ci init`: pick the exported pipeline (or take
// the folder or notebook clicked), the registered model, GitHub/GitLab/both, the schedule and the
// data files; write the files (asking before overwriting), open them and say which secrets to set.
// Allowed in Restricted Mode: it writes text files the user reads and runs nothing (not even git:
// the default branch is read from the files under .git, so the extension host never waits on a process).
import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { planCiFiles, readPipeline, secretsToSet, writeCiFiles, type CiTargets } from '../../core/ci/ciFiles.ts';
import { ciOptions, CiOptionsError, DEFAULT_SCHEDULE, isCron } from '../../core/ci/ciModel.ts';
import { defaultBranch } from '../../core/ci/gitBranch.ts';
import { findPipelines, pipelinesOfNotebook, repositoryRoot } from '../../core/ci/pipelineFolders.ts';
import { SKIPPED_FOLDERS, TABULAR_GLOB } from '../../core/profile/tabularFiles.ts';
import type { ReadableStore } from '../../core/store/trackingStore.ts';
import { errorMessage } from '../../shared/errorMessage.ts';
import { LOCAL_ROOT_ID, remoteRootId } from '../stores/storeRoot.ts';

/** The answers, given as the command's argument (tests, automation) instead of asked for. */
export interface AddCiAnswers {
  /** The pipeline folder, absolute or relative to the first workspace folder. */
  readonly pipelineDir: string;
  readonly model: string;
  readonly platforms: 'github' | 'gitlab' | 'both';
  readonly schedule?: string;
  /** Relative to the repository root. */
  readonly dataPaths?: readonly string[];
  readonly rules?: readonly string[];
  /** Branches whose pushes run it; default: the repository's default branch (read from .git), else main. */
  readonly branches?: readonly string[];
  readonly force?: boolean;
  /** Open the written files (default true). */
  readonly open?: boolean;
}

export interface AddCiResult {
  readonly root: string;
  readonly written: readonly string[];
  readonly kept: readonly string[];
  readonly hints: readonly string[];
  readonly secrets: readonly string[];
}

export interface CiCommandDeps {
  readonly log: vscode.LogOutputChannel;
  readonly stores: (rootId: string) => Promise<ReadableStore | undefined>;
}

const isAnswers = (value: unknown): value is AddCiAnswers =>
  typeof value === 'object' && value !== null && typeof (value as AddCiAnswers).pipelineDir === 'string' && typeof (value as AddCiAnswers).model === 'string';

async function pickPipeline(root: string, clicked: vscode.Uri | undefined): Promise<string | undefined> {
  let candidates: string[];
  if (clicked?.scheme === 'file' && clicked.fsPath.toLowerCase().endsWith('.ipynb')) {
    candidates = pipelinesOfNotebook(root, clicked.fsPath);
    if (candidates.length === 0) {
      const choice = await vscode.window.showInformationMessage(`${path.basename(clicked.fsPath)} has no exported pipeline yet: a CI workflow runs the exported pipeline.`, 'Export Notebook to Pipeline…');
      if (choice) await vscode.commands.executeCommand('labbook.exportNotebookToPipeline', clicked);
      return undefined;
    }
  } else if (clicked?.scheme === 'file' && statSync(clicked.fsPath, { throwIfNoEntry: false })?.isDirectory()) {
    candidates = [clicked.fsPath];
  } else {
    candidates = findPipelines(root);
    if (candidates.length === 0) {
      void vscode.window.showInformationMessage('No exported pipeline in this workspace: export a notebook first (Export Notebook to Pipeline…), then add its CI workflow.');
      return undefined;
    }
  }
  if (candidates.length === 1) return candidates[0];
  const picked = await vscode.window.showQuickPick(candidates.map((dir) => ({ label: path.relative(root, dir) || '.', dir })), { title: 'Add CI Workflow: which pipeline?' });
  return picked?.dir;
}

async function registeredModels(deps: CiCommandDeps): Promise<string[]> {
  const target = vscode.workspace.getConfiguration('labbook.launch').get<string>('target', 'local').trim();
  try {
    const store = await deps.stores(target && target !== 'local' ? remoteRootId(target) : LOCAL_ROOT_ID);
    const page = await store?.searchRegisteredModels({ maxResults: 200 });
    return (page?.items ?? []).map((m) => m.name).sort();
  } catch (err) {
    deps.log.warn(`Add CI Workflow: the registry could not be read (${errorMessage(err)}); the model name is typed instead.`);
    return [];
  }
}

/** Asks for everything the argument did not give; undefined when the user cancels. */
async function ask(deps: CiCommandDeps, root: string, clicked: vscode.Uri | undefined): Promise<AddCiAnswers | undefined> {
  const pipelineDir = await pickPipeline(root, clicked);
  if (!pipelineDir) return undefined;
  const models = await registeredModels(deps);
  const TYPE = '$(edit) Another name…';
  let model: string | undefined = models.length > 0 ? (await vscode.window.showQuickPick([...models, TYPE], { title: 'Add CI Workflow: the registered model the pipeline trains (the gate promotes it)' })) : TYPE;
  if (model === TYPE) model = await vscode.window.showInputBox({ title: 'Add CI Workflow: model name', prompt: 'The registered model the pipeline trains and the gate promotes to @champion', validateInput: (v) => (v.trim() ? undefined : 'A model name is needed.') });
  if (!model) return undefined;
  const platform = await vscode.window.showQuickPick(
    [
      { label: 'GitHub Actions', platforms: 'github' as const },
      { label: 'GitLab CI', platforms: 'gitlab' as const },
      { label: 'Both', platforms: 'both' as const },
    ],
    { title: 'Add CI Workflow: for which CI?' },
  );
  if (!platform) return undefined;
  const schedule = await vscode.window.showInputBox({
    title: 'Add CI Workflow: schedule (cron, UTC)',
    value: DEFAULT_SCHEDULE,
    prompt: 'minute hour day month weekday — the default retrains daily at 06:00 UTC',
    validateInput: (v) => (isCron(v) ? undefined : 'Five cron fields, e.g. 0 6 * * * (daily) or 0 6 * * 1 (Mondays).'),
  });
  if (schedule === undefined) return undefined;
  const configured = vscode.workspace.getConfiguration('labbook').get<string[]>('dataPaths', []);
  const files = await vscode.workspace.findFiles(TABULAR_GLOB, `**/{${[...SKIPPED_FOLDERS].join(',')}}/**`, 200);
  const rel = (f: string) => path.relative(root, f).split(path.sep).join('/');
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? root;
  const preselected = new Set(configured.map((p) => rel(path.resolve(folder, p))));
  const data = await vscode.window.showQuickPick(
    [...new Set([...preselected, ...files.map((f) => rel(f.fsPath))])].filter((p) => !p.startsWith('..')).sort().map((p) => ({ label: p, picked: preselected.has(p) })),
    { title: 'Add CI Workflow: the data the pipeline trains on (checked, and compared for drift with the champion’s)', canPickMany: true },
  );
  if (!data) return undefined;
  return { pipelineDir, model, platforms: platform.platforms, schedule, dataPaths: data.map((d) => d.label) };
}

/** Writes the CI files; with answers as the argument nothing is asked except whether to overwrite (unless `force` says). */
export async function addCiWorkflow(deps: CiCommandDeps, arg: unknown): Promise<AddCiResult | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    void vscode.window.showErrorMessage('Open a folder first: the CI files go into its repository.');
    return undefined;
  }
  const root = repositoryRoot(folder.uri.fsPath);
  const answers = isAnswers(arg) ? arg : await ask(deps, root, arg instanceof vscode.Uri ? arg : undefined);
  if (!answers) return undefined;
  try {
    const pipeline = readPipeline(root, path.resolve(folder.uri.fsPath, answers.pipelineDir));
    const options = ciOptions({
      model: answers.model,
      ...(answers.schedule ? { schedule: answers.schedule } : {}),
      ...(answers.rules ? { rules: answers.rules } : {}),
      branches: answers.branches ?? [defaultBranch(root)],
      dataPaths: answers.dataPaths ?? [],
    });
    const targets: CiTargets = { github: answers.platforms !== 'gitlab', gitlab: answers.platforms !== 'github' };
    let plan = planCiFiles(pipeline, options, targets, (rel) => existsSync(path.join(root, rel)), answers.force ?? false);
    const existing = plan.files.filter((f) => f.action === 'keep');
    if (existing.length > 0 && answers.force === undefined) {
      const overwrite = await vscode.window.showWarningMessage(`${existing.map((f) => f.path).join(', ')} ${existing.length === 1 ? 'exists' : 'exist'}. Overwrite?`, { modal: true }, 'Overwrite');
      if (overwrite) plan = planCiFiles(pipeline, options, targets, (rel) => existsSync(path.join(root, rel)), true);
    }
    const written = await writeCiFiles(root, plan);
    const kept = plan.files.filter((f) => f.action === 'keep').map((f) => f.path);
    const secrets = secretsToSet(targets);
    deps.log.info(`Add CI Workflow: wrote ${written.join(', ') || 'nothing'}${kept.length ? `; kept ${kept.join(', ')}` : ''}.\n${[...plan.hints, 'Secrets to set:', ...secrets].join('\n')}`);
    if (answers.open !== false) for (const file of written) await vscode.window.showTextDocument(vscode.Uri.file(path.join(root, file)), { preview: false });
    if (written.length > 0) void showSecrets(written, plan.hints, secrets);
    else void vscode.window.showInformationMessage(`Nothing written: ${kept.join(', ')} kept as ${kept.length === 1 ? 'it is' : 'they are'}.`);
    return { root, written, kept, hints: plan.hints, secrets };
  } catch (err) {
    void vscode.window.showErrorMessage(err instanceof CiOptionsError ? err.message : `Labbook could not write the CI files: ${errorMessage(err)}`);
    return undefined;
  }
}

/** A notification naming the secrets, and the full instructions in a Markdown tab on demand. */
async function showSecrets(written: readonly string[], hints: readonly string[], secrets: readonly string[]): Promise<void> {
  const choice = await vscode.window.showInformationMessage(
    `Wrote ${written.join(', ')}. Set the secret MLFLOW_TRACKING_URI (and MLFLOW_TRACKING_TOKEN or MLFLOW_TRACKING_USERNAME/PASSWORD) in your CI settings before the first run.`,
    'How to Set the Secrets',
  );
  if (!choice) return;
  const content = ['# Labbook CI: what to set', '', ...hints.map((h) => `${h}\n`), '```text', ...secrets, '```', ''].join('\n');
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument({ language: 'markdown', content }));
}

export function registerCiCommands(deps: CiCommandDeps): vscode.Disposable[] {
  return [vscode.commands.registerCommand('labbook.addCiWorkflow', (arg?: unknown) => addCiWorkflow(deps, arg))];
}
