import * as vscode from 'vscode';
import type { Run, RunStatus } from '../../core/store/types.ts';
import { RefreshableTreeProvider } from './refreshableTree.ts';
import { runDescription, runTooltipMarkdown, STATUS_LABEL } from './runFormat.ts';
import { arrangeRuns, type ArrangedEntry, type GroupBy, type RunEntry } from './runGrouping.ts';
import { describeSkipped, explorerErrorRow, explorerNodeId, pageKey, type ExperimentNode, type ExplorerNode, type RunNode, type StoreRoot } from './treeNodes.ts';

export type { ExperimentNode, ExplorerNode, RunNode, StoreRoot } from './treeNodes.ts';

/** What the user chose to see; kept in workspace state. */
export interface RunQuery {
  readonly filter: string;
  readonly orderBy: readonly string[];
  /** Show only runs with this status. */
  readonly status?: RunStatus;
  /** Group runs by a param, a tag, or nest them under their parent run. */
  readonly groupBy?: GroupBy;
}

/** A pinned run: shown first in its experiment whatever the filter, order or grouping. */
export interface PinnedRun {
  readonly rootId: string;
  readonly experimentId: string;
  readonly runId: string;
}

interface LoadedRuns {
  runs: Run[];
  next: string | undefined;
  /** The store changed since: re-read as many runs as are shown, on the next expand or refresh. */
  stale: boolean;
}

const STATUS_ICON: Record<RunStatus, [string, string | undefined]> = {
  RUNNING: ['sync~spin', 'charts.blue'],
  SCHEDULED: ['clock', undefined],
  FINISHED: ['pass', 'testing.iconPassed'],
  FAILED: ['error', 'testing.iconFailed'],
  KILLED: ['circle-slash', 'disabledForeground'],
};

/**
 * The Experiments view: store roots → experiments → runs, a page at a time ("Load more"), with
 * the user's MLflow filter and order. Nodes carry stable ids, so expansion and selection survive
 * refreshes; a store change re-reads only the experiments already loaded.
 */
export class ExperimentsTreeProvider extends RefreshableTreeProvider<ExplorerNode> {
  private readonly roots: () => readonly StoreRoot[];
  private readonly settings: () => { keyMetrics: readonly string[]; pageSize: number };
  private readonly pages = new Map<string, LoadedRuns>();
  private queryState: RunQuery;
  private pins: readonly PinnedRun[];

  constructor(
    roots: () => readonly StoreRoot[],
    settings: () => { keyMetrics: readonly string[]; pageSize: number },
    query: RunQuery,
    pinned: readonly PinnedRun[] = [],
  ) {
    super();
    this.roots = roots;
    this.settings = settings;
    this.queryState = query;
    this.pins = pinned;
  }

  get pinned(): readonly PinnedRun[] {
    return this.pins;
  }

  /** Replaces the pinned runs and redraws (pinned runs not in the loaded page are fetched). */
  setPinned(pins: readonly PinnedRun[]): void {
    this.pins = pins;
    this.refresh();
  }

  /** The runs loaded so far for every expanded experiment (for pickers such as "Group by…"). */
  loadedRuns(): Run[] {
    return [...this.pages.values()].flatMap((p) => p.runs);
  }

  get query(): RunQuery {
    return this.queryState;
  }

  /** Applies a new filter/order and reloads every experiment. */
  setQuery(query: RunQuery): void {
    this.queryState = query;
    this.pages.clear();
    this.refresh();
  }

  /** Forgets every loaded page (a full refresh). */
  reload(): void {
    this.pages.clear();
    this.refresh();
  }

  /** Re-reads the experiments of `rootId` that were loaded, keeping as many runs as were shown. */
  storeChanged(rootId: string): void {
    for (const [key, page] of this.pages) if (key.startsWith(`${rootId}\u0000`)) page.stale = true;
    this.refresh();
  }

  async loadMore(node: Extract<ExplorerNode, { kind: 'more' }>): Promise<void> {
    const parent = node.parent;
    const page = this.pages.get(pageKey(parent));
    if (!page?.next || page.stale) return;
    const store = await parent.root.open();
    if (!store) return;
    const more = await store.searchRuns({ ...this.search(parent), pageToken: page.next });
    page.runs.push(...more.items);
    page.next = more.nextPageToken;
    this.refresh(parent);
  }

  private search(node: ExperimentNode) {
    const { filter, status } = this.queryState;
    return {
      experimentIds: [node.experiment.experimentId],
      filter: [filter, status ? `attributes.status = '${status}'` : ''].filter(Boolean).join(' and '),
      orderBy: this.queryState.orderBy,
      maxResults: this.settings().pageSize,
    };
  }

  async getChildren(node?: ExplorerNode): Promise<ExplorerNode[]> {
    if (!node) return this.roots().map((root) => ({ kind: 'store', root }));
    try {
      if (node.kind === 'store') {
        const store = await node.root.open();
        if (!store) return [];
        const experiments = await store.searchExperiments({ orderBy: ['name ASC'] });
        if (experiments.items.length === 0) return [message(`${node.root.id}/empty`, 'No experiments yet.', false)];
        return experiments.items.map((experiment) => ({ kind: 'experiment', root: node.root, experiment }));
      }
      if (node.kind === 'experiment') return await this.runsOf(node);
      if (node.kind === 'group') return node.entry.runs.map((entry) => this.runNode(node.parent.root, entry));
      if (node.kind === 'run') return (node.children ?? []).map((entry) => this.runNode(node.root, entry));
    } catch (err) {
      return [explorerErrorRow(node, err)];
    }
    return [];
  }

  private async runsOf(node: ExperimentNode): Promise<ExplorerNode[]> {
    const key = pageKey(node);
    let page = this.pages.get(key);
    if (!page || page.stale) {
      const store = await node.root.open();
      if (!store) return [];
      const size = Math.max(this.settings().pageSize, page?.runs.length ?? 0);
      const first = await store.searchRuns({ ...this.search(node), maxResults: Math.min(size, 50_000) });
      page = { runs: [...first.items], next: first.nextPageToken, stale: false };
      this.pages.set(key, page);
    }
    const pinnedIds = new Set(this.pins.filter((p) => p.rootId === node.root.id && p.experimentId === node.experiment.experimentId).map((p) => p.runId));
    const pinnedElsewhere = await this.pinnedOutsidePage(node, page.runs, pinnedIds);
    const runs = [...pinnedElsewhere, ...page.runs];
    if (runs.length === 0) {
      const filtered = this.queryState.filter || this.queryState.status;
      return [message(`${key}/none`, filtered ? 'No runs match the filter.' : 'No runs yet.', false)];
    }
    const children: ExplorerNode[] = arrangeRuns(runs, this.queryState.groupBy, pinnedIds).map((entry) => this.entryNode(node, entry));
    if (page.next) children.push({ kind: 'more', parent: node, loaded: page.runs.length });
    return children;
  }

  /** Pinned runs of this experiment that the filter or paging left out, read one by one. */
  private async pinnedOutsidePage(node: ExperimentNode, loaded: readonly Run[], pinnedIds: ReadonlySet<string>): Promise<Run[]> {
    const missing = [...pinnedIds].filter((id) => !loaded.some((r) => r.info.runId === id)).slice(0, 50);
    if (missing.length === 0) return [];
    const store = await node.root.open();
    if (!store) return [];
    const found = await Promise.all(missing.map((id) => store.getRun(id).catch(() => undefined)));
    return found.filter((r): r is Run => r !== undefined && r.info.lifecycleStage === 'active');
  }

  private entryNode(parent: ExperimentNode, entry: ArrangedEntry): ExplorerNode {
    return entry.kind === 'group' ? { kind: 'group', parent, entry } : this.runNode(parent.root, entry);
  }

  private runNode(root: StoreRoot, entry: RunEntry): RunNode {
    return { kind: 'run', root, run: entry.run, pinned: entry.pinned, children: entry.children };
  }

  getTreeItem(node: ExplorerNode): vscode.TreeItem {
    switch (node.kind) {
      case 'store': {
        const item = new vscode.TreeItem(node.root.label, vscode.TreeItemCollapsibleState.Expanded);
        item.id = explorerNodeId(node);
        const skipped = describeSkipped(node.root.warnings?.() ?? []);
        item.description = [node.root.description, skipped?.note].filter(Boolean).join(' · ') || undefined;
        if (skipped) item.tooltip = `${node.root.label}\n${skipped.tooltip}`;
        item.iconPath = new vscode.ThemeIcon(node.root.icon);
        item.contextValue = node.root.icon === 'cloud' ? 'labbook.store.remote' : node.root.icon === 'archive' ? 'labbook.store.opened' : 'labbook.store.local';
        return item;
      }
      case 'experiment': {
        const item = new vscode.TreeItem(node.experiment.name, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = explorerNodeId(node);
        item.iconPath = new vscode.ThemeIcon('beaker');
        item.tooltip = `${node.experiment.name} (id ${node.experiment.experimentId})\n${node.experiment.artifactLocation}`;
        item.contextValue = 'labbook.experiment';
        return item;
      }
      case 'run': {
        const { run } = node;
        const nested = node.children?.length ?? 0;
        const item = new vscode.TreeItem(
          run.info.runName || run.info.runId.slice(0, 8),
          nested ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
        );
        item.id = explorerNodeId(node);
        const described = runDescription(run, this.settings().keyMetrics, Date.now());
        item.description = [node.pinned ? 'pinned' : '', nested ? `${nested} child run${nested === 1 ? '' : 's'}` : '', described].filter(Boolean).join(' · ');
        const tooltip = new vscode.MarkdownString(runTooltipMarkdown(run, Date.now()));
        tooltip.isTrusted = false;
        tooltip.supportHtml = false;
        item.tooltip = tooltip;
        const [icon, color] = STATUS_ICON[run.info.status];
        item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
        item.accessibilityInformation = { label: `${run.info.runName}, ${STATUS_LABEL[run.info.status]}${node.pinned ? ', pinned' : ''}, ${described}` };
        item.contextValue = `labbook.run.${run.info.status.toLowerCase()}${node.pinned ? '.pinned' : ''}`;
        return item;
      }
      case 'group': {
        const item = new vscode.TreeItem(node.entry.label, vscode.TreeItemCollapsibleState.Expanded);
        item.id = explorerNodeId(node);
        item.description = `${node.entry.runs.length} run${node.entry.runs.length === 1 ? '' : 's'}`;
        item.iconPath = new vscode.ThemeIcon('group-by-ref-type');
        item.contextValue = 'labbook.runGroup';
        return item;
      }
      case 'more': {
        const item = new vscode.TreeItem('Load more…', vscode.TreeItemCollapsibleState.None);
        item.id = explorerNodeId(node);
        item.description = `${node.loaded} shown`;
        item.iconPath = new vscode.ThemeIcon('ellipsis');
        item.command = { command: 'labbook.loadMoreRuns', title: 'Load More Runs', arguments: [node] };
        return item;
      }
      case 'message': {
        const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
        item.id = explorerNodeId(node);
        item.tooltip = node.text;
        item.iconPath = new vscode.ThemeIcon(node.error ? 'warning' : 'info', node.error ? new vscode.ThemeColor('problemsWarningIcon.foreground') : undefined);
        return item;
      }
    }
  }
}

function message(id: string, text: string, error: boolean): ExplorerNode {
  return { kind: 'message', id, text, error };
}
