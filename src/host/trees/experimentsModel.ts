// What the Experiments view shows, apart from VS Code (as vscode-dvc's experiments model): store
// roots → experiments → runs read a page at a time with the user's filter and order, grouped, with
// pinned runs first. The pages read so far are kept here; the tree provider only maps the nodes
// this model returns to TreeItems and fires the change events. Plain data (no `vscode`), so Node
// tests drive it against real stores.
import type { Run, RunStatus } from '../../core/store/types.ts';
import { arrangeRuns, type ArrangedEntry, type GroupBy, type RunEntry } from './runGrouping.ts';
import type { StoreChange } from '../stores/storeChanges.ts';
import type { StoreRoot } from '../stores/storeRoot.ts';
import { explorerErrorRow, pageKey, type ExperimentNode, type ExplorerNode, type RunNode } from './treeNodes.ts';

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

export type MoreNode = Extract<ExplorerNode, { kind: 'more' }>;

interface LoadedRuns {
  runs: Run[];
  next: string | undefined;
  /** The store changed since: re-read as many runs as are shown, on the next expand or refresh. */
  stale: boolean;
}

/** Pinned runs outside the loaded page are read one by one, at most this many per experiment. */
const MAX_PINNED_READS = 50;
/** A re-read after a store change keeps the runs shown, up to this many. */
const MAX_REREAD = 50_000;

export class ExperimentsModel {
  private readonly roots: () => readonly StoreRoot[];
  private readonly pageSize: () => number;
  private readonly pages = new Map<string, LoadedRuns>();
  private queryState: RunQuery;
  private pins: readonly PinnedRun[];

  constructor(roots: () => readonly StoreRoot[], pageSize: () => number, query: RunQuery, pinned: readonly PinnedRun[] = []) {
    this.roots = roots;
    this.pageSize = pageSize;
    this.queryState = query;
    this.pins = pinned;
  }

  get query(): RunQuery {
    return this.queryState;
  }

  /** A new filter/order: every experiment is read again. */
  setQuery(query: RunQuery): void {
    this.queryState = query;
    this.pages.clear();
  }

  get pinned(): readonly PinnedRun[] {
    return this.pins;
  }

  /** Pinned runs not in the loaded page are read when their experiment's children are asked for. */
  setPinned(pins: readonly PinnedRun[]): void {
    this.pins = pins;
  }

  /** The runs loaded so far for every expanded experiment (for pickers such as "Group by…"). */
  loadedRuns(): Run[] {
    return [...this.pages.values()].flatMap((p) => p.runs);
  }

  /** Forgets every loaded page (a full refresh). */
  reload(): void {
    this.pages.clear();
  }

  /** The experiments of `rootId` that were loaded are re-read next time, keeping as many runs as were shown. */
  storeChanged(rootId: string): void {
    for (const [key, page] of this.pages) if (key.startsWith(`${rootId}\u0000`)) page.stale = true;
  }

  /** A published store change: one store's loaded experiments are re-read, or every page when every store may have changed. */
  applyStoreChange(change: StoreChange): void {
    if (change.kind === 'all') this.reload();
    else this.storeChanged(change.rootId);
  }

  /** Reads the next page of `node`'s experiment; true when its children changed. Rejects when the store does. */
  async loadMore(node: MoreNode): Promise<boolean> {
    const parent = node.parent;
    const page = this.pages.get(pageKey(parent));
    if (!page?.next || page.stale) return false;
    const store = await parent.root.open();
    if (!store) return false;
    const more = await store.searchRuns({ ...this.search(parent), pageToken: page.next });
    page.runs.push(...more.items);
    page.next = more.nextPageToken;
    return true;
  }

  /** The children of a node (the roots without one); a failed read is one error row under it. */
  async children(node?: ExplorerNode): Promise<ExplorerNode[]> {
    if (!node) return this.roots().map((root) => ({ kind: 'store', root }));
    try {
      if (node.kind === 'store') {
        const store = await node.root.open();
        if (!store) return [];
        const experiments = await store.searchExperiments({ orderBy: ['name ASC'] });
        if (experiments.items.length === 0) return [message(`${node.root.id}/empty`, 'No experiments yet.')];
        return experiments.items.map((experiment) => ({ kind: 'experiment', root: node.root, experiment }));
      }
      if (node.kind === 'experiment') return await this.runsOf(node);
      if (node.kind === 'group') return node.entry.runs.map((entry) => runNode(node.parent.root, entry));
      if (node.kind === 'run') return (node.children ?? []).map((entry) => runNode(node.root, entry));
    } catch (err) {
      return [explorerErrorRow(node, err)];
    }
    return [];
  }

  private search(node: ExperimentNode) {
    const { filter, status } = this.queryState;
    return {
      experimentIds: [node.experiment.experimentId],
      filter: [filter, status ? `attributes.status = '${status}'` : ''].filter(Boolean).join(' and '),
      orderBy: this.queryState.orderBy,
      maxResults: this.pageSize(),
    };
  }

  private async runsOf(node: ExperimentNode): Promise<ExplorerNode[]> {
    const key = pageKey(node);
    let page = this.pages.get(key);
    if (!page || page.stale) {
      const store = await node.root.open();
      if (!store) return [];
      const size = Math.max(this.pageSize(), page?.runs.length ?? 0);
      const first = await store.searchRuns({ ...this.search(node), maxResults: Math.min(size, MAX_REREAD) });
      page = { runs: [...first.items], next: first.nextPageToken, stale: false };
      this.pages.set(key, page);
    }
    const pinnedIds = new Set(this.pins.filter((p) => p.rootId === node.root.id && p.experimentId === node.experiment.experimentId).map((p) => p.runId));
    const pinnedElsewhere = await this.pinnedOutsidePage(node, page.runs, pinnedIds);
    const runs = [...pinnedElsewhere, ...page.runs];
    if (runs.length === 0) {
      const filtered = this.queryState.filter || this.queryState.status;
      return [message(`${key}/none`, filtered ? 'No runs match the filter.' : 'No runs yet.')];
    }
    const children: ExplorerNode[] = arrangeRuns(runs, this.queryState.groupBy, pinnedIds).map((entry) => entryNode(node, entry));
    if (page.next) children.push({ kind: 'more', parent: node, loaded: page.runs.length });
    return children;
  }

  /** Pinned runs of this experiment that the filter or paging left out, read one by one. */
  private async pinnedOutsidePage(node: ExperimentNode, loaded: readonly Run[], pinnedIds: ReadonlySet<string>): Promise<Run[]> {
    const missing = [...pinnedIds].filter((id) => !loaded.some((r) => r.info.runId === id)).slice(0, MAX_PINNED_READS);
    if (missing.length === 0) return [];
    const store = await node.root.open();
    if (!store) return [];
    const found = await Promise.all(missing.map((id) => store.getRun(id).catch(() => undefined)));
    return found.filter((r): r is Run => r !== undefined && r.info.lifecycleStage === 'active');
  }
}

function entryNode(parent: ExperimentNode, entry: ArrangedEntry): ExplorerNode {
  return entry.kind === 'group' ? { kind: 'group', parent, entry } : runNode(parent.root, entry);
}

function runNode(root: StoreRoot, entry: RunEntry): RunNode {
  return { kind: 'run', root, run: entry.run, pinned: entry.pinned, children: entry.children };
}

/** An informational row ("No runs yet."); error rows come from explorerErrorRow. */
function message(id: string, text: string): ExplorerNode {
  return { kind: 'message', id, text, error: false };
}
