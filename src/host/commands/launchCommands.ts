import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { disposeWorktree, splitCommandLine } from '../../core/launch/index.ts';
import type { ReadableStore } from '../../core/store/trackingStore.ts';
import type { LaunchedRun, LaunchService } from '../launch/launchService.ts';
import { requireTrust } from '../launch/requireTrust.ts';
import { parseRecipes, RECIPES_FILE, starterRecipes } from '../../core/launch/recipes.ts';
import { RETRAIN_TAGS } from '../../core/retrain/retrainSpec.ts';
import { isRecord } from '../../shared/isRecord.ts';
import { prepareReproduceLaunch } from '../launch/reproduceFlow.ts';
import type { TrackingEndpoint } from '../launch/trackingEndpoint.ts';
import type { StoreRoot } from '../stores/storeRoot.ts';
import type { ExplorerNode, RunNode } from '../trees/experimentsTree.ts';
import { pickWorkspaceFile } from './workspaceFiles.ts';
import { problemFrom } from './validation.ts';
import { errorMessage } from '../../shared/errorMessage.ts';
import { formatDuration } from '../../shared/format.ts';

const ARGS_KEY = 'labbook.launch.argsByFile';
const PARAMS_KEY = 'labbook.launch.parametersByFile';

/** A run named by a tree node or by `{ rootId, runId }` (from panels, notifications, tests). */
export type RunRef = RunNode | { readonly rootId: string; readonly runId: string };

interface Deps {
  readonly launches: LaunchService;
  readonly endpoint: TrackingEndpoint;
  readonly view: vscode.TreeView<ExplorerNode>;
  readonly state: vscode.Memento;
  readonly roots: () => readonly StoreRoot[];
  readonly worktreeRoot: string;
  readonly log: vscode.LogOutputChannel;
}

/** The file a launch command acts on: the one clicked, else the active editor's or notebook's, else one the user picks. */
async function targetFile(uri: vscode.Uri | undefined, ext: '.py' | '.ipynb'): Promise<string | undefined> {
  let target = uri instanceof vscode.Uri ? uri : undefined;
  if (!target) {
    target = ext === '.ipynb' ? vscode.window.activeNotebookEditor?.notebook.uri : vscode.window.activeTextEditor?.document.uri;
    // From the palette or a walkthrough button no editor may be active: offer the workspace's files.
    target ??= await pickWorkspaceFile(ext, ext === '.py' ? 'Run Python File with Tracking' : 'Run Notebook with Tracking');
  }
  if (!target || target.scheme !== 'file' || path.extname(target.fsPath).toLowerCase() !== ext) {
    void vscode.window.showErrorMessage(ext === '.py' ? 'Open a Python file (.py) to run it with tracking.' : 'Open a notebook (.ipynb) to run it with tracking.');
    return undefined;
  }
  // Run what the user sees: save unsaved edits first, as VS Code's own Run buttons do.
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === target.toString());
  if (doc?.isDirty) await doc.save();
  const notebook = vscode.workspace.notebookDocuments.find((d) => d.uri.toString() === target.toString());
  if (notebook?.isDirty) await notebook.save();
  return target.fsPath;
}

export function runIdOf(ref: RunRef | undefined, view: vscode.TreeView<ExplorerNode>): { rootId: string; runId: string } | undefined {
  if (ref && 'kind' in ref && ref.kind === 'run') return { rootId: ref.root.id, runId: ref.run.info.runId };
  if (ref && 'runId' in ref) return { rootId: ref.rootId, runId: ref.runId };
  const selected = view.selection.find((n): n is RunNode => n.kind === 'run');
  return selected ? { rootId: selected.root.id, runId: selected.run.info.runId } : undefined;
}

/** Parses `k=v k2=v2` or a JSON object into notebook parameters (numbers, booleans, JSON values kept). */
export function parseParameters(text: string): Record<string, unknown> {
  const trimmed = text.trim();
  if (!trimmed) return {};
  if (trimmed.startsWith('{')) {
    const value: unknown = JSON.parse(trimmed);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('Parameters must be a JSON object.');
    return value as Record<string, unknown>;
  }
  const out: Record<string, unknown> = {};
  for (const token of splitCommandLine(trimmed)) {
    const eq = token.indexOf('=');
    if (eq <= 0) throw new Error(`Write each parameter as name=value (got '${token}').`);
    const key = token.slice(0, eq);
    const raw = token.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // a plain string
    }
    out[key] = value;
  }
  return out;
}

export function registerLaunchCommands(deps: Deps): vscode.Disposable[] {
  const { launches, view, state, roots, log } = deps;
  const launch = async (run: () => Promise<LaunchedRun | undefined>): Promise<{ runId: string; rootId: string } | undefined> => {
    try {
      const launched = await run();
      return launched ? { runId: launched.runId, rootId: launched.storeRootId } : undefined;
    } catch (err) {
      log.error(`Launch failed: ${errorMessage(err)}`);
      void vscode.window.showErrorMessage(`Labbook could not launch the run: ${errorMessage(err)}`);
      return undefined;
    }
  };
  const storeOf = async (rootId: string): Promise<ReadableStore> => {
    const store = await roots().find((r) => r.id === rootId)?.open();
    if (!store) throw new Error(`The tracking store ${rootId} is not open.`);
    return store;
  };

  return [
    vscode.commands.registerCommand('labbook.runPythonFile', async (uri?: vscode.Uri) => {
      const file = await targetFile(uri, '.py');
      return file ? launch(() => launches.launch({ file })) : undefined;
    }),
    vscode.commands.registerCommand('labbook.runWithArguments', async (uri?: vscode.Uri, given?: string) => {
      const file = await targetFile(uri, '.py');
      if (!file) return undefined;
      const remembered = state.get<Record<string, string>>(ARGS_KEY, {});
      const text =
        given ??
        (await vscode.window.showInputBox({
          title: `Run ${path.basename(file)} with Arguments`,
          prompt: 'Command-line arguments, as in a shell (quotes work). They are parsed into run params: --lr 0.1, --epochs=5, --flag.',
          value: remembered[file] ?? '',
          ignoreFocusOut: true,
          validateInput: problemFrom(splitCommandLine),
        }));
      if (text === undefined) return undefined;
      await state.update(ARGS_KEY, { ...remembered, [file]: text });
      return launch(() => launches.launch({ file, args: splitCommandLine(text) }));
    }),
    vscode.commands.registerCommand('labbook.runNotebook', async (uri?: vscode.Uri, given?: Record<string, unknown>) => {
      const file = await targetFile(uri, '.ipynb');
      if (!file) return undefined;
      let parameters = given;
      if (!parameters) {
        const remembered = state.get<Record<string, string>>(PARAMS_KEY, {});
        const text = await vscode.window.showInputBox({
          title: `Run ${path.basename(file)} with Tracking`,
          prompt: "Parameters injected after the cell tagged 'parameters' (name=value …, or a JSON object). Leave empty to run as is.",
          value: remembered[file] ?? '',
          ignoreFocusOut: true,
          validateInput: problemFrom(parseParameters),
        });
        if (text === undefined) return undefined;
        await state.update(PARAMS_KEY, { ...remembered, [file]: text });
        parameters = parseParameters(text);
      }
      const chosen = parameters;
      return launch(() => launches.launch({ file, parameters: chosen }));
    }),
    // `tags`: set by a retraining trigger (src/host/retrain/) to link the run to the data change.
    vscode.commands.registerCommand('labbook.runRecipe', async (name?: string, tags?: Readonly<Record<string, string>>) => {
      const folder = vscode.workspace.workspaceFolders?.[0];
      if (!folder) {
        void vscode.window.showErrorMessage('Open a folder first: run recipes live in its .labbook/runs.json.');
        return undefined;
      }
      const file = path.join(folder.uri.fsPath, RECIPES_FILE);
      if (!existsSync(file)) {
        const create = await vscode.window.showInformationMessage(`No run recipes yet: create ${RECIPES_FILE}?`, 'Create');
        if (create) {
          const program = vscode.window.activeTextEditor?.document.uri.fsPath;
          mkdirSync(path.dirname(file), { recursive: true });
          const rel = program && program.startsWith(folder.uri.fsPath) ? path.relative(folder.uri.fsPath, program) : 'train.py';
          await vscode.workspace.fs.writeFile(vscode.Uri.file(file), new TextEncoder().encode(starterRecipes(rel.split(path.sep).join('/'), [])));
          await vscode.window.showTextDocument(vscode.Uri.file(file));
        }
        return undefined;
      }
      const parsed = parseRecipes(readFileSync(file, 'utf8'));
      for (const problem of parsed.problems) log.warn(`${RECIPES_FILE}: ${problem}`);
      if (parsed.problems.length > 0) void vscode.window.showWarningMessage(`${RECIPES_FILE}: ${parsed.problems.join(' ')}`);
      const recipe = name
        ? parsed.recipes.find((r) => r.name === name)
        : (
            await vscode.window.showQuickPick(
              parsed.recipes.map((r) => ({ label: r.name, description: r.program, detail: [...r.args, ...Object.entries(r.parameters).map(([k, v]) => `${k}=${JSON.stringify(v)}`)].join(' ') || undefined, recipe: r })),
              { title: 'Run Recipe with Tracking' },
            )
          )?.recipe;
      if (!recipe) {
        if (name) void vscode.window.showErrorMessage(`There is no run recipe named '${name}' in ${RECIPES_FILE}.`);
        return undefined;
      }
      const base = folder.uri.fsPath;
      return launch(() =>
        launches.launch({
          file: path.resolve(base, recipe.program),
          args: recipe.args,
          parameters: recipe.parameters,
          cwd: path.resolve(base, recipe.cwd ?? '.'),
          env: recipe.env,
          dataPaths: recipe.dataPaths,
          runName: recipe.runName ?? recipe.name,
          ...(recipe.experiment ? { experimentName: recipe.experiment } : {}),
          // Its recipe, so a retraining trigger finds the recipe's last run.
          tags: { ...(isRecord(tags) ? Object.fromEntries(Object.entries(tags).filter((e): e is [string, string] => typeof e[1] === 'string')) : {}), [RETRAIN_TAGS.recipe]: recipe.name },
        }),
      );
    }),
    vscode.commands.registerCommand('labbook.stopRun', async (ref?: RunRef) => {
      const target = runIdOf(ref, view);
      if (!target) return undefined;
      if (!launches.get(target.runId)) {
        void vscode.window.showInformationMessage('This run was not launched from this window, so Labbook cannot stop it here. Stop it where it runs; if its process is gone, Labbook marks it at the next start.');
        return undefined;
      }
      const outcome = await launches.stop(target.runId);
      return outcome?.status;
    }),
    vscode.commands.registerCommand('labbook.showActiveRuns', async () => {
      const runs = launches.runs();
      if (runs.length === 0) {
        void vscode.window.showInformationMessage('No Labbook runs are in progress in this window.');
        return;
      }
      const picked = await vscode.window.showQuickPick(
        runs.map((r) => ({ label: r.name, description: path.basename(r.file), detail: `running for ${formatDuration(Date.now() - r.startedAt) ?? '0 ms'}`, run: r })),
        { title: 'Labbook Runs in Progress' },
      );
      if (!picked) return;
      const action = await vscode.window.showQuickPick(['Stop Run', 'Open Details'], { title: picked.run.name });
      if (action === 'Stop Run') await launches.stop(picked.run.runId);
      if (action === 'Open Details') await vscode.commands.executeCommand('labbook.openRunDetails', { rootId: picked.run.storeRootId, runId: picked.run.runId });
    }),
    vscode.commands.registerCommand('labbook.reproduceRun', async (ref?: RunRef, options?: { confirm?: boolean }) => {
      const target = runIdOf(ref, view);
      if (!target) return undefined;
      if (!requireTrust('reproduce runs')) return undefined;
      try {
        const store = await storeOf(target.rootId);
        const prepared = await prepareReproduceLaunch(store, target.runId, { worktreeRoot: deps.worktreeRoot, verb: 'Reproduce', log, ...(options?.confirm === false ? { confirm: false } : {}) });
        if (!prepared) return undefined;
        const { plan, env, python } = prepared;
        let started: LaunchedRun | undefined;
        const launched = await launch(async () =>
          (started = await launches.launch({
            file: plan.launch.program.file,
            ...(plan.launch.program.kind === 'script' ? { args: plan.launch.program.args ?? [] } : { parameters: plan.launch.program.parameters ?? {} }),
            cwd: plan.launch.cwd,
            env,
            dataPaths: plan.launch.dataPaths,
            experimentName: plan.launch.experimentName,
            runName: `${plan.launch.runName} (reproduced)`,
            reproduces: plan.launch.reproduces,
            ...(python ? { python } : {}),
          })),
        );
        const worktree = plan.worktree;
        if (worktree) {
          // The worktree goes once the run ended and its captures, which read it (git) and may end
          // after the run, are attached; removed before, the reproduction would lose its git record.
          const settled = started ? Promise.allSettled([started.done, started.captured]) : Promise.resolve();
          void settled.finally(() => disposeWorktree(worktree).catch(() => undefined));
        }
        return launched;
      } catch (err) {
        void vscode.window.showErrorMessage(`Labbook could not reproduce the run: ${errorMessage(err)}`);
        return undefined;
      }
    }),
    vscode.commands.registerCommand('labbook.copyTrackingUri', async (ref?: RunRef) => {
      const target = runIdOf(ref, view);
      const rootId = target?.rootId ?? 'local';
      let text: string;
      if (rootId === 'local') {
        const running = await deps.endpoint.get();
        if (!running) {
          void vscode.window.showErrorMessage('Open a folder first: the local tracking store lives in the workspace folder.');
          return undefined;
        }
        text = `MLFLOW_TRACKING_URI=${running.server.url}\nMLFLOW_TRACKING_TOKEN=${running.server.token}`;
      } else {
        text = `MLFLOW_TRACKING_URI=${rootId.replace(/^remote:/, '')}`;
      }
      if (target) text += `\nMLFLOW_RUN_ID=${target.runId}`;
      await vscode.env.clipboard.writeText(text);
      vscode.window.setStatusBarMessage(
        rootId === 'local' ? 'Copied the local endpoint (valid while this window is open)' : 'Copied the tracking URI',
        4000,
      );
      return text;
    }),
  ];
}
