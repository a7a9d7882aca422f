import * as vscode from 'vscode';
import { RunsTableModel } from '../../core/runsTable/runsTableModel.ts';
import { RunsTableViewError } from '../../core/runsTable/viewQuery.ts';
import type { Run } from '../../core/store/types.ts';
import { BadParamsError, conforms, type RequestHandlers } from '../../protocol/requests.ts';
import { isRecord } from '../../protocol/rpc.ts';
import { RUNS_TABLE_VIEW_TYPE, runsTableRequests, runsTableSource, tableView, type RunsTableEvent, type RunsTableRequests } from '../../protocol/runsTable.ts';
import { errorMessage } from '../../shared/errorMessage.ts';
import type { StoreRoot } from '../stores/storeRoot.ts';
import { affectsRoot, type StoreChangeEvent } from '../stores/storeChanges.ts';
import type { RunNode } from '../trees/experimentsTree.ts';
import type { StoreResolver } from './notebookDiffPanel.ts';
import { WebviewPanelHost, type PanelSpec } from './webviewPanelHost.ts';

const SPEC: PanelSpec<RunsTableRequests> = {
  viewType: RUNS_TABLE_VIEW_TYPE,
  title: 'Runs',
  app: 'runsTable',
  requests: runsTableRequests,
  styles: ['runsTable.css'],
};

/** Store changes arrive in bursts while runs log; the table reads again at most this often. */
const REFRESH_DEBOUNCE_MS = 750;

/** Which runs a table shows: the experiments of one store. */
export interface RunsTableSource {
  /** The store's explorer root id (`local`, `remote:<url>`). */
  readonly store: string;
  readonly experimentIds: readonly string[];
}

/** What the panel needs from the extension. */
export interface RunsTableDeps {
  readonly extensionUri: vscode.Uri;
  readonly log: vscode.LogOutputChannel;
  readonly stores: StoreResolver;
  /** The explorer's store roots, to name the store and to hand runs to the tree's commands. */
  readonly roots: () => readonly StoreRoot[];
  readonly onDidChangeStore: StoreChangeEvent;
  /** Workspace state: the view of each experiment set is kept here. */
  readonly state: vscode.Memento;
  /** The explorer's key metrics (labbook.explorer.keyMetrics), for the "key metrics" preset. */
  readonly keyMetrics: () => readonly string[];
}

/** One table per store and set of experiments (in any order). */
function tableKey(source: RunsTableSource): string {
  return JSON.stringify([source.store, [...source.experimentIds].sort()]);
}

/** Where the table's view is kept in workspace state. */
function viewKey(source: RunsTableSource): string {
  return `labbook.runsTable.view:${tableKey(source)}`;
}

/**
 * The Runs Table: the host answers the page's requests through a RunsTableModel (src/core) over
 * the store; sort, filter and paging happen in the store's search. Running runs are patched in
 * place as the store changes; runs coming or going make the page ask again.
 */
export class RunsTablePanel extends WebviewPanelHost<RunsTableRequests, RunsTableEvent> {
  private static readonly open = new Map<string, RunsTablePanel>();
  readonly source: RunsTableSource;
  private readonly deps: RunsTableDeps;
  private readonly key: string;
  private modelPromise: Promise<RunsTableModel> | undefined;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;

  protected readonly handlers: RequestHandlers<RunsTableRequests> = {
    getSchema: async () => {
      const schema = await (await this.model()).schema();
      this.panel.title = `Runs: ${schema.experiments.map((e) => e.name).join(', ')}`.slice(0, 80);
      return schema;
    },
    setView: async ({ view, rows }) => {
      const model = await this.model();
      const result = await model.setViewWithRows(view, rows);
      if (!result.error) await this.deps.state.update(viewKey(this.source), model.view);
      return result;
    },
    getRows: async (params) => (await this.model()).rows(params),
    getGroups: async ({ metricColumns }) => (await this.model()).groups(metricColumns),
    getSparklines: async ({ runIds, metric, points }) => (await this.model()).sparklines(runIds, metric, points),
    openRun: async ({ runId }) => {
      await this.runNodes([runId]);
      await vscode.commands.executeCommand('labbook.openRunDetails', { rootId: this.source.store, runId });
      return null;
    },
    compareRuns: async ({ runIds, grouped }) => {
      const model = await this.model();
      const runs = await model.runsOf(runIds);
      const groups = grouped ? model.groupsOfRuns(runs) : [];
      const refs = runIds.map((runId) => ({ rootId: this.source.store, runId }));
      await vscode.commands.executeCommand('labbook.compareRuns', undefined, refs, groups.length ? { groups } : {});
      return null;
    },
    diffNotebooks: async ({ runIds }) => {
      await vscode.commands.executeCommand('labbook.diffRunNotebooks', undefined, await this.runNodes(runIds));
      return null;
    },
    whatChanged: async ({ runIds }) => {
      await vscode.commands.executeCommand('labbook.whatChangedRuns', undefined, await this.runNodes(runIds));
      return null;
    },
    addTag: async ({ runIds }) => {
      await vscode.commands.executeCommand('labbook.addRunTag', undefined, await this.runNodes(runIds));
      return null;
    },
    deleteRuns: async ({ runIds }) => {
      // Soft delete with an Undo in the notification (the tree's command): no modal on top of it.
      await vscode.commands.executeCommand('labbook.deleteRuns', undefined, await this.runNodes(runIds), true);
      return null;
    },
    pinRuns: async ({ runIds, pinned }) => {
      await vscode.commands.executeCommand(pinned ? 'labbook.pinRun' : 'labbook.unpinRun', undefined, await this.runNodes(runIds));
      return null;
    },
    exportCsv: async () => {
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      const target = await vscode.window.showSaveDialog({
        title: 'Export Runs Table',
        filters: { CSV: ['csv'] },
        ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, 'runs.csv') } : {}),
      });
      if (!target) return null;
      await this.exportTo(target);
      return null;
    },
    copyText: (params) => this.copyToClipboard(params),
  };

  private constructor(panel: vscode.WebviewPanel, source: RunsTableSource, deps: RunsTableDeps) {
    super(panel, SPEC, deps.extensionUri, deps.log);
    this.source = source;
    this.deps = deps;
    this.key = tableKey(source);
    RunsTablePanel.open.set(this.key, this);
    this.onDidDispose(() => {
      if (RunsTablePanel.open.get(this.key) === this) RunsTablePanel.open.delete(this.key);
      clearTimeout(this.refreshTimer);
    });
    const subscription = deps.onDidChangeStore((change) => {
      if (!affectsRoot(change, source.store)) return;
      if (change.kind === 'all') this.modelPromise = undefined;
      clearTimeout(this.refreshTimer);
      this.refreshTimer = setTimeout(() => void this.refresh(), REFRESH_DEBOUNCE_MS);
    });
    this.onDidDispose(() => subscription.dispose());
  }

  /** Writes the visible table as CSV to `target`, with progress. Public for automation and tests. */
  async exportTo(target: vscode.Uri): Promise<void> {
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Exporting the runs table…' }, async () => {
      const csv = await (await this.model()).csv();
      await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(csv));
    });
    vscode.window.setStatusBarMessage(`Exported the runs table to ${target.scheme === 'file' ? target.fsPath : target.toString()}`, 5000);
  }

  /** The table's model (created when first asked, with the view saved for this experiment set). */
  model(): Promise<RunsTableModel> {
    this.modelPromise ??= this.createModel().catch((err: unknown) => {
      this.modelPromise = undefined;
      throw err;
    });
    return this.modelPromise;
  }

  private async createModel(): Promise<RunsTableModel> {
    const store = await this.deps.stores(this.source.store);
    if (!store) throw new Error(`The tracking store '${this.source.store}' is not available in this window.`);
    const saved = this.deps.state.get<unknown>(viewKey(this.source));
    const root = this.deps.roots().find((r) => r.id === this.source.store);
    return new RunsTableModel(store, this.source.experimentIds, {
      storeId: this.source.store,
      storeLabel: root?.label ?? store.description,
      keyMetrics: this.deps.keyMetrics(),
      ...(conforms(tableView, saved) ? { savedView: saved } : {}),
    });
  }

  /** The store changed: patch running rows, or tell the page to ask again when runs came or went. */
  private async refresh(): Promise<void> {
    if (!this.isReady) return;
    try {
      const model = await this.model();
      const schema = await model.refresh();
      if (schema) {
        await this.post({ type: 'changed', schema });
        return;
      }
      const rows = await model.liveRows();
      if (rows.length) await this.post({ type: 'rows', rows });
    } catch (err) {
      this.log.warn(`Runs table: could not read the store's changes: ${errorMessage(err)}`);
    }
  }

  /** Runs as the Experiments tree's nodes, so the tree's own commands (tag, delete, pin, diff) act on them. */
  private async runNodes(runIds: readonly string[]): Promise<RunNode[]> {
    const root = this.deps.roots().find((r) => r.id === this.source.store);
    if (!root) throw new Error(`The tracking store '${this.source.store}' is not available in this window.`);
    let runs: Run[];
    try {
      runs = await (await this.model()).runsOf(runIds);
    } catch (err) {
      if (err instanceof RunsTableViewError) throw new BadParamsError(err.message, 'runIds');
      throw err;
    }
    return runs.map((run): RunNode => ({ kind: 'run', root, run }));
  }

  /** Reveals the table of exactly these experiments, or opens one. */
  static show(source: RunsTableSource, deps: RunsTableDeps): RunsTablePanel {
    if (source.experimentIds.length === 0) throw new Error('Choose at least one experiment for the runs table.');
    const unique: RunsTableSource = { store: source.store, experimentIds: [...new Set(source.experimentIds)] };
    const existing = RunsTablePanel.open.get(tableKey(unique));
    if (existing) {
      existing.panel.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(SPEC.viewType, SPEC.title, vscode.ViewColumn.Active, WebviewPanelHost.webviewOptions(deps.extensionUri));
    return new RunsTablePanel(panel, unique, deps);
  }

  /** Adopts a panel VS Code restored from the page's saved state (RunsTableState); disposes it when unusable. */
  static revive(panel: vscode.WebviewPanel, state: unknown, deps: RunsTableDeps): RunsTablePanel | undefined {
    if (!isRecord(state) || !conforms(runsTableSource, state) || state.experimentIds.length === 0) {
      panel.dispose();
      return undefined;
    }
    return new RunsTablePanel(panel, { store: state.store, experimentIds: state.experimentIds }, deps);
  }

  /** For `vscode.window.registerWebviewPanelSerializer(RUNS_TABLE_VIEW_TYPE, …)`. */
  static serializer(deps: RunsTableDeps): vscode.WebviewPanelSerializer {
    return {
      deserializeWebviewPanel: (panel, state: unknown) => {
        RunsTablePanel.revive(panel, state, deps);
        return Promise.resolve();
      },
    };
  }

  /** The open tables, for automation and tests. */
  static all(): readonly RunsTablePanel[] {
    return [...RunsTablePanel.open.values()];
  }

  static disposeAll(): void {
    for (const panel of [...RunsTablePanel.open.values()]) panel.dispose();
  }
}
