// Start Sweep… (from a .labbook/sweeps/*.yaml), New Sweep… (from a template), Sweep around this
// Run… (the space pre-filled from a run's params) and Stop Sweep.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { checkOptuna } from '../../core/sweep/optunaDriver.ts';
import { parseSweepFile, SWEEP_DIR } from '../../core/sweep/sweepFile.ts';
import { sweepAroundRun, sweepFilePath, sweepTemplate } from '../../core/sweep/templates.ts';
import { RecipeMissingError } from '../../core/sweep/trialLaunch.ts';
import type { SweepFileProblem, SweepSpec } from '../../core/sweep/types.ts';
import type { ReadableStore } from '../../core/store/trackingStore.ts';
import { errorMessage } from '../../shared/errorMessage.ts';
import { resolveInterpreter } from '../launch/interpreter.ts';
import type { LaunchService } from '../launch/launchService.ts';
import { requireTrust } from '../launch/requireTrust.ts';
import { checkBeforeQueueing } from '../launch/queueChecks.ts';
import type { QueueNode } from '../queue/queueModel.ts';
import { workspaceRecipe } from '../../core/sweep/recipeTrials.ts';
import { launchTargetRoot, type QueueServices } from '../queue/queueServices.ts';
import type { ExplorerNode, RunNode } from '../trees/experimentsTree.ts';
import { pickWorkspaceFile } from '../commands/workspaceFiles.ts';

interface Deps {
  readonly services: QueueServices;
  readonly launches: LaunchService;
  readonly stores: (rootId: string) => Promise<ReadableStore | undefined>;
  readonly view: vscode.TreeView<ExplorerNode>;
  readonly log: vscode.LogOutputChannel;
}

const isSweepFile = (file: string) => /\.ya?ml$/i.test(file) && path.basename(path.dirname(file)) === 'sweeps' && path.basename(path.dirname(path.dirname(file))) === '.labbook';
const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** The sweep file a command acts on: the one clicked, else the active editor's, else one picked from the workspace's. */
async function sweepFileOf(arg: unknown): Promise<string | undefined> {
  if (arg instanceof vscode.Uri) return arg.fsPath;
  if (typeof arg === 'string') return arg;
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active?.scheme === 'file' && isSweepFile(active.fsPath)) return active.fsPath;
  const files = await vscode.workspace.findFiles(`${SWEEP_DIR}/*.{yaml,yml}`, undefined, 200);
  if (files.length === 0) {
    const create = await vscode.window.showInformationMessage(`No sweep files in ${SWEEP_DIR}/ yet.`, 'New Sweep…');
    if (create) await vscode.commands.executeCommand('labbook.newSweep');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    files.map((uri) => ({ label: path.basename(uri.fsPath), description: vscode.workspace.asRelativePath(uri), uri })),
    { title: 'Start Sweep', placeHolder: 'The sweep file' },
  );
  return picked?.uri.fsPath;
}

/** Shows a sweep file's problems: in the Problems view, and one message naming the first with its line. */
function reportProblems(file: string, problems: readonly SweepFileProblem[], diagnostics: vscode.DiagnosticCollection): void {
  const uri = vscode.Uri.file(file);
  diagnostics.set(
    uri,
    problems.map((p) => {
      const at = new vscode.Position(p.line, p.column);
      const d = new vscode.Diagnostic(new vscode.Range(at, at.translate(0, 1)), p.path ? `${p.path}: ${p.message}` : p.message, vscode.DiagnosticSeverity.Error);
      d.source = 'labbook sweep';
      return d;
    }),
  );
  const first = problems[0];
  if (!first) return;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
  void vscode.window.showErrorMessage(`${path.basename(file)}, line ${first.line + 1}: ${first.message}${more}`, 'Show Problem').then(async (choice) => {
    if (!choice) return;
    const at = new vscode.Position(first.line, first.column);
    await vscode.window.showTextDocument(uri, { selection: new vscode.Range(at, at) });
  });
}

/** Tells the user Optuna is missing, with the exact pip line to copy or run. */
function reportNoOptuna(message: string, install: string): void {
  void vscode.window.showErrorMessage(`Bayesian search needs Optuna in the selected interpreter: ${message} Install it with: ${install}`, 'Copy Command', 'Open Terminal').then(async (choice) => {
    if (choice === 'Copy Command') await vscode.env.clipboard.writeText(install);
    if (choice === 'Open Terminal') {
      const terminal = vscode.window.createTerminal({ name: 'Install Optuna' });
      terminal.show();
      terminal.sendText(install, false);
    }
  });
}

async function writeAndOpen(file: string, text: string): Promise<vscode.Uri> {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text, { flag: 'wx' });
  const uri = vscode.Uri.file(file);
  await vscode.window.showTextDocument(uri);
  return uri;
}

async function askName(folder: string, suggested: string, title: string): Promise<string | undefined> {
  return vscode.window.showInputBox({
    title,
    prompt: `The sweep's name: its file is ${SWEEP_DIR}/<name>.yaml`,
    value: suggested.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 64) || 'sweep',
    ignoreFocusOut: true,
    validateInput: (value) =>
      !NAME.test(value) ? 'Letters, digits, - and _ (up to 64), starting with a letter or digit.' : existsSync(path.join(folder, SWEEP_DIR, `${value}.yaml`)) ? `${SWEEP_DIR}/${value}.yaml exists already.` : undefined,
  });
}

/** What the trials run and the data they read, for the data checks before a sweep starts. */
function checkedLaunch(spec: SweepSpec, root: string): { file: string; cwd: string; dataPaths: readonly string[] | undefined } {
  const program = spec.program;
  if (program.kind !== 'recipe') return { file: path.resolve(root, program.file), cwd: root, dataPaths: spec.dataPaths };
  const recipe = workspaceRecipe(root, program.recipe);
  if (!recipe) throw new RecipeMissingError(program.recipe);
  return { file: recipe.file, cwd: path.resolve(root, recipe.cwd ?? '.'), dataPaths: spec.dataPaths ?? recipe.dataPaths };
}

export function registerSweepCommands(deps: Deps): vscode.Disposable[] {
  const { services, log } = deps;
  const diagnostics = vscode.languages.createDiagnosticCollection('labbook.sweeps');
  const folder = () => vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;

  const startSweep = async (arg?: unknown): Promise<{ sweepId: string } | undefined> => {
    const file = await sweepFileOf(arg);
    if (!file) return undefined;
    if (!requireTrust('start a sweep')) return undefined;
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === file);
    if (doc?.isDirty) await doc.save();
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      void vscode.window.showErrorMessage(`Labbook could not read the sweep file ${file}: ${errorMessage(err)}`);
      return undefined;
    }
    const parsed = parseSweepFile(text, path.basename(file));
    if (!parsed.spec) {
      reportProblems(file, parsed.problems, diagnostics);
      return undefined;
    }
    diagnostics.delete(vscode.Uri.file(file));
    const spec = parsed.spec;
    try {
      if (spec.method === 'bayes') {
        // Optuna runs in the engine's driver, which QueueServices starts in the workspace's interpreter
        // (resolveInterpreter(undefined)), whatever python the trials run with: check that one.
        const python = (await resolveInterpreter(undefined, log)).path;
        const optuna = await checkOptuna(python);
        if (!optuna.ok) {
          reportNoOptuna(optuna.message, optuna.install);
          return undefined;
        }
      }
      const root = folder();
      const relative = root && !path.relative(root, file).startsWith('..') ? path.relative(root, file).split(path.sep).join('/') : file;
      const begin = async (): Promise<{ sweepId: string }> => {
        const record = await services.startSweep(spec, relative, await launchTargetRoot(deps.launches));
        log.info(`Started sweep ${record.name} (${record.sweepId}) from ${relative}`);
        void vscode.commands.executeCommand('labbook.queue.focus').then(undefined, () => undefined);
        return { sweepId: record.sweepId };
      };
      // The data checks once for the whole sweep, on the data its trials read ("block": not started, with the problems).
      const anyway = () => begin().catch((err: unknown) => void vscode.window.showErrorMessage(`Labbook could not start the sweep ${path.basename(file)}: ${errorMessage(err)}`));
      if (!(await checkBeforeQueueing(deps.launches, checkedLaunch(spec, root ?? path.dirname(file)), anyway))) return undefined;
      return await begin();
    } catch (err) {
      log.error(`Starting the sweep ${file} failed: ${errorMessage(err)}`);
      void vscode.window.showErrorMessage(`Labbook could not start the sweep ${path.basename(file)}: ${errorMessage(err)}`);
      return undefined;
    }
  };

  const newSweep = async (uri?: vscode.Uri, given?: { name?: string }): Promise<vscode.Uri | undefined> => {
    const root = folder();
    if (!root) {
      void vscode.window.showErrorMessage('Open a folder first: sweep files live in its .labbook/sweeps/.');
      return undefined;
    }
    let program = uri instanceof vscode.Uri ? uri : undefined;
    if (!program) {
      const kind = await vscode.window.showQuickPick([{ label: 'Python script', ext: '.py' as const }, { label: 'Notebook', ext: '.ipynb' as const }], { title: 'New Sweep: what does each trial run?' });
      if (!kind) return undefined;
      program = await pickWorkspaceFile(kind.ext, 'New Sweep: the program');
      if (!program) {
        void vscode.window.showErrorMessage(`The workspace has no ${kind.ext} file to sweep over.`);
        return undefined;
      }
    }
    const name = given?.name ?? (await askName(root, path.basename(program.fsPath, path.extname(program.fsPath)), 'New Sweep'));
    if (!name) return undefined;
    const rel = path.relative(root, program.fsPath).split(path.sep).join('/');
    try {
      return await writeAndOpen(sweepFilePath(root, name), sweepTemplate({ kind: program.fsPath.toLowerCase().endsWith('.ipynb') ? 'notebook' : 'script', file: rel }, name));
    } catch (err) {
      void vscode.window.showErrorMessage(`Labbook could not write the sweep file: ${errorMessage(err)}`);
      return undefined;
    }
  };

  const aroundRun = async (node?: RunNode | { rootId: string; runId: string }, given?: { name?: string }): Promise<vscode.Uri | undefined> => {
    const ref = node && 'runId' in node ? node : node?.kind === 'run' ? { rootId: node.root.id, runId: node.run.info.runId } : undefined;
    const selected = deps.view.selection.find((n): n is RunNode => n.kind === 'run');
    const target = ref ?? (selected ? { rootId: selected.root.id, runId: selected.run.info.runId } : undefined);
    const root = folder();
    if (!target || !root) {
      void vscode.window.showInformationMessage('Pick a run in the Experiments view to sweep around it.');
      return undefined;
    }
    try {
      const store = await deps.stores(target.rootId);
      if (!store) throw new Error(`the tracking store ${target.rootId} is not open`);
      const run = await store.getRun(target.runId);
      const tags = Object.fromEntries(run.data.tags.map((t) => [t.key, t.value]));
      const source = tags['mlflow.source.name'] ?? '';
      if (!/\.(py|ipynb)$/i.test(source)) throw new Error('the run records no Python script or notebook (mlflow.source.name) to sweep over');
      const file = path.isAbsolute(source) ? path.relative(root, source).split(path.sep).join('/') : source;
      const name = given?.name ?? (await askName(root, `${run.info.runName || 'run'}-sweep`, `Sweep around ${run.info.runName}`));
      if (!name) return undefined;
      const text = sweepAroundRun(
        { name: run.info.runName, params: Object.fromEntries(run.data.params.map((p) => [p.key, p.value])), file, kind: source.toLowerCase().endsWith('.ipynb') ? 'notebook' : 'script', metrics: run.data.metrics.map((m) => m.key) },
        name,
      );
      return await writeAndOpen(sweepFilePath(root, name), text);
    } catch (err) {
      void vscode.window.showErrorMessage(`Labbook could not write a sweep around this run: ${errorMessage(err)}`);
      return undefined;
    }
  };

  const stopSweep = async (arg?: QueueNode | string): Promise<void> => {
    let sweepId = typeof arg === 'string' ? arg : arg?.kind === 'sweep' ? arg.summary.sweep.sweepId : arg?.kind === 'item' ? arg.item.sweepId : undefined;
    if (!sweepId) {
      const running = services.sweeps()?.list().filter((s) => s.state === 'running') ?? [];
      if (running.length === 0) {
        void vscode.window.showInformationMessage('No sweep is running.');
        return;
      }
      sweepId = running.length === 1 ? running[0]?.sweepId : (await vscode.window.showQuickPick(running.map((s) => ({ label: s.name, description: s.file, sweepId: s.sweepId })), { title: 'Stop Sweep' }))?.sweepId;
    }
    if (!sweepId) return;
    try {
      await services.stopSweep(sweepId);
    } catch (err) {
      void vscode.window.showErrorMessage(`Labbook could not stop the sweep: ${errorMessage(err)}`);
    }
  };

  return [
    diagnostics,
    // A fixed sweep file clears its old problems when saved.
    vscode.workspace.onDidSaveTextDocument((doc) => {
      if (diagnostics.has(doc.uri) && !parseSweepFile(doc.getText(), path.basename(doc.uri.fsPath)).problems.length) diagnostics.delete(doc.uri);
    }),
    vscode.commands.registerCommand('labbook.startSweep', startSweep),
    vscode.commands.registerCommand('labbook.newSweep', newSweep),
    vscode.commands.registerCommand('labbook.sweepAroundRun', aroundRun),
    vscode.commands.registerCommand('labbook.stopSweep', stopSweep),
  ];
}
