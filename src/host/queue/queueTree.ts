import * as vscode from 'vscode';
import type { QueueItem } from '../../core/queue/types.ts';
import { RefreshableTreeProvider } from '../trees/refreshableTree.ts';
import { meanFinishedMs, nodeLook, queuedOrder, queueRoots, sweepChildren, type QueueNode, type SweepSummary } from './queueModel.ts';

/** What the view reads at each refresh (undefined: no local store yet, the welcome content shows). */
export interface QueueSnapshot {
  readonly sweeps: readonly SweepSummary[];
  /** Items of no sweep. */
  readonly singles: readonly QueueItem[];
  /** Every queued item (sweeps' too), for the queue positions. */
  readonly queued: readonly QueueItem[];
  readonly paused: boolean;
}

/** The Queue view: one class per tree, no logic beyond asking queueModel.ts how each node looks. */
export class QueueTreeProvider extends RefreshableTreeProvider<QueueNode> {
  private readonly read: () => Promise<QueueSnapshot | undefined>;
  private snapshot: QueueSnapshot | undefined;
  private order: ReadonlyMap<number, number> = new Map();
  private means = new Map<string, number | undefined>();
  private readonly now: () => number;

  constructor(read: () => Promise<QueueSnapshot | undefined>, now: () => number = Date.now) {
    super();
    this.read = read;
    this.now = now;
  }

  /** The root nodes as last read (for tests and commands that act on "the" sweep). */
  current(): QueueSnapshot | undefined {
    return this.snapshot;
  }

  async getChildren(node?: QueueNode): Promise<QueueNode[]> {
    if (node?.kind === 'item') return [];
    if (node?.kind === 'sweep') {
      // The children of the snapshot the root was read from: a node never mixes two reads.
      const fresh = this.snapshot?.sweeps.find((s) => s.sweep.sweepId === node.summary.sweep.sweepId) ?? node.summary;
      return sweepChildren(fresh);
    }
    this.snapshot = await this.read();
    if (!this.snapshot) return [];
    this.order = queuedOrder(this.snapshot.queued);
    this.means = new Map(this.snapshot.sweeps.map((s) => [s.sweep.sweepId, meanFinishedMs(s.items)]));
    return queueRoots(this.snapshot.sweeps, this.snapshot.singles);
  }

  getTreeItem(node: QueueNode): vscode.TreeItem {
    const look = nodeLook(node, this.now(), { queuedOrder: this.order, paused: this.snapshot?.paused ?? false, meanMs: (id) => this.means.get(id) });
    const item = new vscode.TreeItem(look.label, look.collapsible ? (node.kind === 'sweep' && node.summary.sweep.state === 'running' ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed) : vscode.TreeItemCollapsibleState.None);
    item.id = node.kind === 'sweep' ? `sweep:${node.summary.sweep.sweepId}` : `item:${node.item.itemId}`;
    item.description = look.description;
    item.tooltip = look.tooltip;
    item.contextValue = look.contextValue;
    item.iconPath = new vscode.ThemeIcon(look.icon, look.color ? new vscode.ThemeColor(look.color) : undefined);
    if (node.kind === 'sweep') item.command = { command: 'labbook.openSweep', title: 'Open Sweep', arguments: [node.summary.sweep.sweepId] };
    else if (node.item.runId) item.command = { command: 'labbook.openQueuedRun', title: 'Open Run', arguments: [node] };
    return item;
  }
}
