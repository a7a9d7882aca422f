import * as vscode from 'vscode';
import type { Experiment } from '../../core/store/types.ts';
import { RUNS_TABLE_VIEW_TYPE } from '../../protocol/runsTable.ts';
import { errorMessage } from '../../shared/errorMessage.ts';
import { RunsTablePanel, type RunsTableDeps, type RunsTableSource } from '../panels/runsTablePanel.ts';
import type { ExperimentNode, ExplorerNode } from '../trees/experimentsTree.ts';

/** Experiments listed per store when the toolbar asks which to open. */
const PICKER_EXPERIMENTS = 1000;

/** An experiment named by a tree node or by `{ rootId, experimentIds }` (automation, tests). */
type TableArg = ExplorerNode | { readonly rootId: string; readonly experimentIds: readonly string[] };

function sourceOf(args: readonly TableArg[]): RunsTableSource | string {
  const sources = args.flatMap((arg): RunsTableSource[] => {
    if (!('kind' in arg)) return [{ store: arg.rootId, experimentIds: arg.experimentIds }];
    return arg.kind === 'experiment' ? [{ store: arg.root.id, experimentIds: [arg.experiment.experimentId] }] : [];
  });
  const store = sources[0]?.store;
  if (store === undefined) return '';
  if (sources.some((s) => s.store !== store)) return 'Open a runs table over experiments of one tracking store.';
  return { store, experimentIds: [...new Set(sources.flatMap((s) => s.experimentIds))] };
}

/** Asks which experiments (of one store) to open when nothing is selected. */
async function pickExperiments(deps: RunsTableDeps): Promise<RunsTableSource | undefined> {
  type Item = vscode.QuickPickItem & { readonly store?: string; readonly experiment?: Experiment };
  const items: Item[] = [];
  for (const root of deps.roots()) {
    try {
      const store = await root.open();
      if (!store) continue;
      const page = await store.searchExperiments({ maxResults: PICKER_EXPERIMENTS });
      if (page.items.length === 0) continue;
      items.push({ label: root.label, kind: vscode.QuickPickItemKind.Separator });
      for (const experiment of page.items) items.push({ label: experiment.name, description: `id ${experiment.experimentId}`, store: root.id, experiment });
    } catch (err) {
      deps.log.warn(`Runs table: could not list the experiments of ${root.label}: ${errorMessage(err)}`);
    }
  }
  if (items.length === 0) {
    void vscode.window.showInformationMessage('There are no experiments to show yet.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(items, { title: 'Open Runs Table', placeHolder: 'The experiments whose runs to show (of one store)', canPickMany: true });
  const chosen = (picked ?? []).filter((i): i is Item & { store: string; experiment: Experiment } => i.store !== undefined && i.experiment !== undefined);
  if (chosen.length === 0) return undefined;
  const store = chosen[0]?.store as string;
  if (chosen.some((i) => i.store !== store)) {
    void vscode.window.showErrorMessage('Open a runs table over experiments of one tracking store.');
    return undefined;
  }
  return { store, experimentIds: chosen.map((i) => i.experiment.experimentId) };
}

/**
 * Open Runs Table: from an experiment node (inline and context menu), from several selected
 * experiments (one table over all of them), from the view's toolbar and the Command Palette (which
 * ask when no experiment is selected); and the tables' restore after a window reload.
 */
export function registerRunsTableCommands(deps: RunsTableDeps & { readonly view: vscode.TreeView<ExplorerNode> }): vscode.Disposable[] {
  return [
    vscode.window.registerWebviewPanelSerializer(RUNS_TABLE_VIEW_TYPE, RunsTablePanel.serializer(deps)),
    { dispose: () => RunsTablePanel.disposeAll() },
    vscode.commands.registerCommand('labbook.openRunsTable', async (node?: TableArg, selected?: readonly TableArg[]) => {
      const args = selected?.length ? selected : node ? [node] : deps.view.selection.filter((n): n is ExperimentNode => n.kind === 'experiment');
      let source = sourceOf(args);
      if (typeof source === 'string') {
        if (source) {
          void vscode.window.showErrorMessage(source);
          return undefined;
        }
        const picked = await pickExperiments(deps);
        if (!picked) return undefined;
        source = picked;
      }
      return RunsTablePanel.show(source, deps);
    }),
  ];
}
