// The Queue view's commands: per item (Run Now, Cancel, Retry, Move Up/Down, Open Run, Show
// Output), the whole queue (Pause, Resume, Refresh), and Queue Run… (a script, notebook or recipe
// queued instead of launched now).
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { QueueStore } from '../../core/queue/queueStore.ts';
import type { QueueItem, QueueLaunch } from '../../core/queue/types.ts';
import { errorMessage } from '../../shared/errorMessage.ts';
import { openArtifact } from '../commands/artifactCommands.ts';
import { pickWorkspaceFile } from '../commands/workspaceFiles.ts';
import { resolveExperimentName } from '../launch/experimentName.ts';
import type { LaunchService } from '../launch/launchService.ts';
import { requireTrust } from '../launch/requireTrust.ts';
import { checkBeforeQueueing } from '../launch/queueChecks.ts';
import { parseRecipes, RECIPES_FILE } from '../../core/launch/recipes.ts';
import { RETRAIN_TAGS } from '../../core/retrain/retrainSpec.ts';
import { LOCAL_ROOT_ID } from '../stores/storeRoot.ts';
import type { QueueNode } from './queueModel.ts';
import { launchTargetRoot, type QueueServices } from './queueServices.ts';
import type { QueueTreeProvider } from './queueTree.ts';

/** An item named by a tree node or by its id (tests, links). */
type ItemArg = QueueNode | number;

const PAUSED_KEY = 'labbook.queue.paused';

interface Deps {
  readonly services: QueueServices;
  readonly tree: QueueTreeProvider;
  readonly view: vscode.TreeView<QueueNode>;
  readonly launches: LaunchService;
  readonly log: vscode.LogOutputChannel;
}

export function registerQueueCommands(deps: Deps): vscode.Disposable[] {
  const { services, tree, view, launches, log } = deps;
  const itemOf = (arg: ItemArg | undefined): QueueItem | undefined => {
    const selected = view.selection.find((n): n is Extract<QueueNode, { kind: 'item' }> => n.kind === 'item');
    const id = typeof arg === 'number' ? arg : arg?.kind === 'item' ? arg.item.itemId : selected?.item.itemId;
    return id === undefined ? undefined : services.queue()?.get(id);
  };
  /** Runs a change to one item; a refused one (it started or ended meanwhile) is told, not thrown. */
  const onItem = (what: string, act: (item: QueueItem, queue: QueueStore) => void | Promise<void>, start = false) => async (arg?: ItemArg) => {
    const item = itemOf(arg);
    if (!item) return;
    try {
      if (start && !requireTrust('run queued items')) return;
      await services.change((queue) => void act(item, queue), start);
    } catch (err) {
      void vscode.window.showErrorMessage(`Labbook could not ${what} ${item.label}: ${errorMessage(err)}`);
    } finally {
      tree.refresh();
    }
  };
  const setPaused = async (paused: boolean) => {
    // A pause before anything was queued must hold what is queued next (pause, then start a
    // sweep): it makes the store. No store on resume means nothing was ever paused: say so.
    const done = await services.change((queue) => queue.setPaused(paused), !paused && vscode.workspace.isTrusted, paused);
    if (!done) return void vscode.window.showInformationMessage(paused ? 'Labbook: open a folder first: the run queue lives in its local store.' : 'Labbook: there is no run queue in this workspace yet, so there is nothing to resume.');
    await vscode.commands.executeCommand('setContext', PAUSED_KEY, paused);
    tree.refresh();
  };
  const rootOf = (item: QueueItem) => (item.launch.target ? item.launch.target : LOCAL_ROOT_ID);

  const queueRun = async (arg?: vscode.Uri | string): Promise<{ itemId: number } | undefined> => {
    if (!requireTrust('queue runs')) return undefined;
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    if (!folder) {
      void vscode.window.showErrorMessage('Open a folder first: the run queue lives in its local store.');
      return undefined;
    }
    try {
      const launch = await launchOf(arg, folder);
      if (!launch) return undefined;
      const enqueue = async (): Promise<{ itemId: number }> => {
        const target = await launchTargetRoot(launches);
        const experimentName = resolveExperimentName({ requested: launch.experimentName, setting: vscode.workspace.getConfiguration('labbook.launch').get<string>('experiment', ''), environment: process.env.MLFLOW_EXPERIMENT_NAME });
        const item = await services.enqueue({ ...launch.launch, experimentName, target }, launch.label);
        tree.refresh();
        void vscode.window.showInformationMessage(`Queued ${item.label}.`, 'Show Queue').then((choice) => (choice ? vscode.commands.executeCommand('labbook.queue.focus') : undefined));
        return { itemId: item.itemId };
      };
      // The data checks, as a launch has them: now, while the user is here, not when it starts unattended.
      if (!(await checkBeforeQueueing(launches, { file: launch.launch.file, cwd: launch.launch.cwd, dataPaths: launch.launch.dataPaths }, enqueue))) return undefined;
      return await enqueue();
    } catch (err) {
      log.error(`Queueing a run failed: ${errorMessage(err)}`);
      void vscode.window.showErrorMessage(`Labbook could not queue the run: ${errorMessage(err)}`);
      return undefined;
    }
  };

  return [
    vscode.commands.registerCommand('labbook.runQueuedNow', onItem('run now', (item, queue) => queue.runNow(item.itemId), true)),
    vscode.commands.registerCommand('labbook.cancelQueued', async (arg?: ItemArg) => {
      const item = itemOf(arg);
      if (!item) return;
      try {
        await services.cancel(item.itemId);
      } catch (err) {
        void vscode.window.showErrorMessage(`Labbook could not cancel ${item.label}: ${errorMessage(err)}`);
      }
      tree.refresh();
    }),
    vscode.commands.registerCommand('labbook.retryQueued', onItem('retry', (item, queue) => void queue.retry(item.itemId), true)),
    vscode.commands.registerCommand('labbook.moveQueuedUp', onItem('move up', (item, queue) => queue.move(item.itemId, 'up'))),
    vscode.commands.registerCommand('labbook.moveQueuedDown', onItem('move down', (item, queue) => queue.move(item.itemId, 'down'))),
    vscode.commands.registerCommand('labbook.pauseQueue', () => setPaused(true)),
    vscode.commands.registerCommand('labbook.resumeQueue', () => setPaused(false)),
    vscode.commands.registerCommand('labbook.refreshQueue', () => tree.refresh()),
    vscode.commands.registerCommand('labbook.openQueuedRun', (arg?: ItemArg) => {
      const item = itemOf(arg);
      if (!item?.runId) return undefined;
      return vscode.commands.executeCommand('labbook.openRunDetails', { rootId: rootOf(item), runId: item.runId });
    }),
    vscode.commands.registerCommand('labbook.showQueuedOutput', async (arg?: ItemArg) => {
      const item = itemOf(arg);
      if (!item?.runId) return undefined;
      const active = launches.get(item.runId);
      // Running in this window: its live output (the retained tail first); else the run's log artifact.
      if (active) return showLiveOutput(active.name, active.tracked);
      return openArtifact(rootOf(item), item.runId, 'labbook/logs/output.log').catch((err: unknown) => {
        void vscode.window.showErrorMessage(`Labbook could not open the output of ${item.label}: ${errorMessage(err)}`);
      });
    }),
    vscode.commands.registerCommand('labbook.queueRun', queueRun),
  ];
}

/** A terminal that follows a running item's output. */
function showLiveOutput(name: string, tracked: { onOutput(listener: (chunk: { text: string; stream: string }) => void): () => void }): vscode.Terminal {
  const write = new vscode.EventEmitter<string>();
  let unsubscribe: (() => void) | undefined;
  const terminal = vscode.window.createTerminal({
    name: `Labbook: ${name}`,
    iconPath: new vscode.ThemeIcon('beaker'),
    isTransient: true,
    pty: {
      onDidWrite: write.event,
      open: () => {
        unsubscribe = tracked.onOutput((chunk) => write.fire((chunk.stream === 'labbook' ? `\x1b[2m${chunk.text}\x1b[0m` : chunk.text).replace(/\r?\n/g, '\r\n')));
      },
      close: () => {
        unsubscribe?.();
        write.dispose();
      },
    },
  });
  terminal.show(true);
  return terminal;
}

/** What Queue Run… queues: the file given or active, else a recipe or a file the user picks. */
async function launchOf(arg: vscode.Uri | string | undefined, folder: string): Promise<{ launch: Omit<QueueLaunch, 'experimentName'>; label: string; experimentName?: string } | undefined> {
  const recipesFile = path.join(folder, RECIPES_FILE);
  const recipes = existsSync(recipesFile) ? parseRecipes(readFileSync(recipesFile, 'utf8')).recipes : [];
  let file: string | undefined;
  let recipeName = typeof arg === 'string' ? arg : undefined;
  if (arg instanceof vscode.Uri) file = arg.fsPath;
  if (!file && !recipeName) {
    const active = vscode.window.activeNotebookEditor?.notebook.uri ?? vscode.window.activeTextEditor?.document.uri;
    if (active?.scheme === 'file' && /\.(py|ipynb)$/i.test(active.fsPath)) file = active.fsPath;
  }
  if (!file && !recipeName) {
    const picked = await vscode.window.showQuickPick(
      [...recipes.map((r) => ({ label: r.name, description: `recipe · ${r.program}`, recipe: r.name })), { label: '$(file) A Python file…', description: '', recipe: undefined }, { label: '$(notebook) A notebook…', description: '', recipe: undefined, notebook: true }],
      { title: 'Queue Run' },
    );
    if (!picked) return undefined;
    if (picked.recipe) recipeName = picked.recipe;
    else file = (await pickWorkspaceFile('notebook' in picked ? '.ipynb' : '.py', 'Queue Run'))?.fsPath;
    if (!file && !recipeName) return undefined;
  }
  if (recipeName) {
    const recipe = recipes.find((r) => r.name === recipeName);
    if (!recipe) throw new Error(`there is no run recipe named '${recipeName}' in ${RECIPES_FILE}`);
    return {
      launch: { kind: recipe.kind, file: path.resolve(folder, recipe.program), args: recipe.args, parameters: recipe.parameters, cwd: path.resolve(folder, recipe.cwd ?? '.'), env: recipe.env, dataPaths: recipe.dataPaths, runName: recipe.runName ?? recipe.name, tags: { [RETRAIN_TAGS.recipe]: recipe.name } },
      label: recipe.name,
      ...(recipe.experiment ? { experimentName: recipe.experiment } : {}),
    };
  }
  if (!file) return undefined;
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === file);
  if (doc?.isDirty) await doc.save();
  const notebook = file.toLowerCase().endsWith('.ipynb');
  return { launch: { kind: notebook ? 'notebook' : 'script', file, ...(notebook ? { parameters: {} } : { args: [] }), cwd: folder }, label: path.basename(file) };
}
