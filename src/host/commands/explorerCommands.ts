import * as vscode from 'vscode';
import { parseOrderBy, parseRunFilter } from '../../core/mlflow/searchFilter.ts';
import type { RunStatus } from '../../core/store/types.ts';
import type { ExperimentsTreeProvider, ExplorerNode, PinnedRun, RunNode, RunQuery } from '../trees/experimentsTree.ts';
import { describeGroupBy, groupableKeys, type GroupBy } from '../trees/runGrouping.ts';
import { STATUS_LABEL } from '../trees/runFormat.ts';
import { problemFrom } from './validation.ts';
import { errorMessage } from '../../shared/errorMessage.ts';

const QUERY_KEY = 'labbook.explorer.query';
const PINS_KEY = 'labbook.explorer.pinned';

export function savedQuery(state: vscode.Memento): RunQuery {
  const saved = state.get<RunQuery>(QUERY_KEY);
  return {
    filter: saved?.filter ?? '',
    orderBy: saved?.orderBy ?? [],
    ...(saved?.status ? { status: saved.status } : {}),
    ...(saved?.groupBy ? { groupBy: saved.groupBy } : {}),
  };
}

export function savedPins(state: vscode.Memento): PinnedRun[] {
  return state.get<PinnedRun[]>(PINS_KEY, []).filter((p) => typeof p?.runId === 'string' && typeof p.rootId === 'string');
}

/** The `labbook.explorer` settings: the metrics a run's row shows, and the runs read per page (at least 10). */
export function explorerSettings(): { keyMetrics: string[]; pageSize: number } {
  const config = vscode.workspace.getConfiguration('labbook.explorer');
  return { keyMetrics: config.get<string[]>('keyMetrics', []), pageSize: Math.max(10, config.get<number>('pageSize', 200)) };
}

const STATUSES: { label: string; status: RunStatus | undefined }[] = [
  { label: 'All runs', status: undefined },
  { label: 'Running', status: 'RUNNING' },
  { label: 'Finished', status: 'FINISHED' },
  { label: 'Failed', status: 'FAILED' },
  { label: 'Killed', status: 'KILLED' },
];

const checkFilter = problemFrom(parseRunFilter);

const SORTS: { label: string; orderBy: string[] }[] = [
  { label: 'Newest first', orderBy: [] },
  { label: 'Oldest first', orderBy: ['attributes.start_time ASC'] },
  { label: 'Name', orderBy: ['attributes.run_name ASC'] },
  { label: 'Status', orderBy: ['attributes.status ASC'] },
];

/** Filter, sort, load more, copy id: the Experiments view's own commands; its settings changed: it reads again. */
export function registerExplorerCommands(
  tree: ExperimentsTreeProvider,
  view: vscode.TreeView<ExplorerNode>,
  state: vscode.Memento,
): vscode.Disposable[] {
  const apply = async (query: RunQuery) => {
    await state.update(QUERY_KEY, query);
    await vscode.commands.executeCommand('setContext', 'labbook.runFilterActive', query.filter !== '' || query.status !== undefined);
    view.description =
      [query.status ? STATUS_LABEL[query.status] : '', query.filter, query.orderBy.join(', '), describeGroupBy(query.groupBy) ?? ''].filter(Boolean).join(' · ') ||
      undefined;
    tree.setQuery(query);
  };
  const setPins = async (pins: PinnedRun[]) => {
    await state.update(PINS_KEY, pins);
    tree.setPinned(pins);
  };
  const selectedRuns = (node?: RunNode, selected?: readonly ExplorerNode[]) =>
    (selected?.length ? selected : node ? [node] : view.selection).filter((n): n is RunNode => n.kind === 'run');
  void apply(tree.query);
  return [
    vscode.commands.registerCommand('labbook.filterRuns', async (filter?: string) => {
      const value =
        filter ??
        (await vscode.window.showInputBox({
          title: 'Filter Runs',
          prompt: "MLflow search syntax, e.g. metrics.rmse < 0.8 and params.model = 'rf' and attributes.status = 'FINISHED'",
          value: tree.query.filter,
          ignoreFocusOut: true,
          validateInput: (v) => (v.trim() === '' ? undefined : checkFilter(v)),
        }));
      if (value === undefined) return;
      const problem = value.trim() === '' ? undefined : checkFilter(value);
      if (problem) {
        void vscode.window.showErrorMessage(problem);
        return;
      }
      await apply({ ...tree.query, filter: value.trim() });
    }),
    vscode.commands.registerCommand('labbook.clearRunFilter', () =>
      apply({ filter: '', orderBy: tree.query.orderBy, ...(tree.query.groupBy ? { groupBy: tree.query.groupBy } : {}) }),
    ),
    vscode.commands.registerCommand('labbook.groupRuns', async (groupBy?: GroupBy | null) => {
      let chosen = groupBy;
      if (chosen === undefined) {
        const keys = groupableKeys(tree.loadedRuns());
        type Item = vscode.QuickPickItem & { groupBy?: GroupBy | null };
        const items: Item[] = [
          { label: 'No grouping', groupBy: null },
          { label: 'By parent run', description: 'nest child runs (mlflow.parentRunId) under their parent', groupBy: { kind: 'parent' } },
          { label: 'Params', kind: vscode.QuickPickItemKind.Separator },
          ...keys.params.map((key): Item => ({ label: key, description: 'param', groupBy: { kind: 'param', key } })),
          { label: 'Tags', kind: vscode.QuickPickItemKind.Separator },
          ...keys.tags.map((key): Item => ({ label: key, description: 'tag', groupBy: { kind: 'tag', key } })),
        ];
        const picked = await vscode.window.showQuickPick(items, { title: 'Group Runs', placeHolder: 'Group runs by a param, a tag or their parent run' });
        if (!picked || picked.groupBy === undefined) return;
        chosen = picked.groupBy;
      }
      const { groupBy: _old, ...rest } = tree.query;
      await apply(chosen ? { ...rest, groupBy: chosen } : rest);
    }),
    vscode.commands.registerCommand('labbook.pinRun', async (node?: RunNode, selected?: readonly ExplorerNode[]) => {
      const runs = selectedRuns(node, selected);
      const pins = [...tree.pinned];
      for (const { root, run } of runs) {
        if (!pins.some((p) => p.rootId === root.id && p.runId === run.info.runId)) {
          pins.push({ rootId: root.id, experimentId: run.info.experimentId, runId: run.info.runId });
        }
      }
      await setPins(pins);
    }),
    vscode.commands.registerCommand('labbook.unpinRun', async (node?: RunNode, selected?: readonly ExplorerNode[]) => {
      const runs = selectedRuns(node, selected);
      await setPins(tree.pinned.filter((p) => !runs.some(({ root, run }) => p.rootId === root.id && p.runId === run.info.runId)));
    }),
    vscode.commands.registerCommand('labbook.showRunsWithStatus', async (status?: RunStatus | 'ALL') => {
      let chosen: RunStatus | undefined | 'ALL' = status;
      if (chosen === undefined) {
        const picked = await vscode.window.showQuickPick(STATUSES, { title: 'Show Runs' });
        if (!picked) return;
        chosen = picked.status ?? 'ALL';
      }
      const { status: _old, ...rest } = tree.query;
      await apply(chosen === 'ALL' ? rest : { ...rest, status: chosen });
    }),
    vscode.commands.registerCommand('labbook.sortRuns', async (orderBy?: string[]) => {
      let chosen = orderBy;
      if (!chosen) {
        const items = [...SORTS, { label: 'By a metric, param or attribute…', orderBy: ['custom'] }];
        const picked = await vscode.window.showQuickPick(items, { title: 'Sort Runs' });
        if (!picked) return;
        chosen = picked.orderBy;
        if (chosen[0] === 'custom') {
          const text = await vscode.window.showInputBox({
            title: 'Sort Runs',
            prompt: 'MLflow order_by, e.g. metrics.rmse ASC or params.lr DESC',
            validateInput: problemFrom(parseOrderBy),
          });
          if (!text) return;
          chosen = [text.trim()];
        }
      }
      for (const clause of chosen) parseOrderBy(clause);
      await apply({ ...tree.query, orderBy: chosen });
    }),
    vscode.commands.registerCommand('labbook.loadMoreRuns', (node: Extract<ExplorerNode, { kind: 'more' }>) =>
      tree.loadMore(node).catch((err: unknown) => vscode.window.showErrorMessage(`Labbook could not load more runs: ${errorMessage(err)}`)),
    ),
    vscode.commands.registerCommand('labbook.copyRunId', async (node?: RunNode, selected?: readonly ExplorerNode[]) => {
      const runs = selectedRuns(node, selected);
      if (runs.length === 0) return;
      await vscode.env.clipboard.writeText(runs.map((n) => n.run.info.runId).join('\n'));
      vscode.window.setStatusBarMessage(`Copied ${runs.length === 1 ? 'the run ID' : `${runs.length} run IDs`}`, 3000);
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('labbook.explorer')) tree.reload();
    }),
  ];
}
