import * as vscode from 'vscode';
import type { Run, RunStatus } from '../../core/store/types.ts';
import { ExperimentsModel, type MoreNode, type PinnedRun, type RunQuery } from './experimentsModel.ts';
import { RefreshableTreeProvider } from './refreshableTree.ts';
import { runDescription, runTooltipMarkdown, STATUS_LABEL } from './runFormat.ts';
import type { StoreChangeEvent, Subscription } from '../stores/storeChanges.ts';
import type { StoreRoot } from '../stores/storeRoot.ts';
import { explorerNodeId, storeNodeText, type ExplorerNode } from './treeNodes.ts';

export type { PinnedRun, RunQuery } from './experimentsModel.ts';
export type { ExperimentNode, ExplorerNode, RunNode } from './treeNodes.ts';

const STATUS_ICON: Record<RunStatus, [string, string | undefined]> = {
  RUNNING: ['sync~spin', 'charts.blue'],
  SCHEDULED: ['clock', undefined],
  FINISHED: ['pass', 'testing.iconPassed'],
  FAILED: ['error', 'testing.iconFailed'],
  KILLED: ['circle-slash', 'disabledForeground'],
};

/**
 * The Experiments view: store roots → experiments → runs, a page at a time ("Load more"), with
 * the user's MLflow filter and order. What it shows comes from an ExperimentsModel; this class
 * maps its nodes to TreeItems and redraws after each change. Nodes carry stable ids, so
 * expansion and selection survive refreshes; a store change re-reads only the experiments
 * already loaded.
 */
export class ExperimentsTreeProvider extends RefreshableTreeProvider<ExplorerNode> {
  private readonly model: ExperimentsModel;
  private readonly settings: () => { keyMetrics: readonly string[]; pageSize: number };
  private readonly subscription: Subscription;

  constructor(
    roots: () => readonly StoreRoot[],
    onDidChangeStore: StoreChangeEvent,
    settings: () => { keyMetrics: readonly string[]; pageSize: number },
    query: RunQuery,
    pinned: readonly PinnedRun[] = [],
  ) {
    super();
    this.settings = settings;
    this.model = new ExperimentsModel(roots, () => settings().pageSize, query, pinned);
    // A store changed: its loaded experiments are re-read (every store's, when all may have), and
    // the whole tree redraws, so the roots' descriptions (outbox counts, skipped entries) follow.
    this.subscription = onDidChangeStore((change) => {
      this.model.applyStoreChange(change);
      this.refresh();
    });
  }

  get pinned(): readonly PinnedRun[] {
    return this.model.pinned;
  }

  /** Replaces the pinned runs and redraws (pinned runs not in the loaded page are fetched). */
  setPinned(pins: readonly PinnedRun[]): void {
    this.model.setPinned(pins);
    this.refresh();
  }

  /** The runs loaded so far for every expanded experiment (for pickers such as "Group by…"). */
  loadedRuns(): Run[] {
    return this.model.loadedRuns();
  }

  get query(): RunQuery {
    return this.model.query;
  }

  /** Applies a new filter/order and reloads every experiment. */
  setQuery(query: RunQuery): void {
    this.model.setQuery(query);
    this.refresh();
  }

  /** Forgets every loaded page (a full refresh). */
  reload(): void {
    this.model.reload();
    this.refresh();
  }

  async loadMore(node: MoreNode): Promise<void> {
    if (await this.model.loadMore(node)) this.refresh(node.parent);
  }

  getChildren(node?: ExplorerNode): Promise<ExplorerNode[]> {
    return this.model.children(node);
  }

  override dispose(): void {
    this.subscription.dispose();
    super.dispose();
  }

  getTreeItem(node: ExplorerNode): vscode.TreeItem {
    switch (node.kind) {
      case 'store': {
        const item = new vscode.TreeItem(node.root.label, vscode.TreeItemCollapsibleState.Expanded);
        item.id = explorerNodeId(node);
        const text = storeNodeText(node.root);
        item.description = text.description;
        if (text.tooltip) item.tooltip = text.tooltip;
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
