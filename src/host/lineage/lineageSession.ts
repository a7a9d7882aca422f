// What one Lineage panel shows, kept apart from the panel (no `vscode`, so Node tests drive it over
// real stores): the focus's neighbourhood at N hops, plus each expansion the user asked for, merged
// into one graph. The expansions are kept as refs, not nodes, so that after a store change (a new
// reader) or a window reload the same view is read again from the store.
import { LineageReader } from '../../core/lineage/lineageReader.ts';
import { staleMarks, type DataCheckCache, type StaleMarks, type StalenessOptions } from '../../core/lineage/staleness.ts';
import type { LineageOptions } from '../../core/lineage/lineageSource.ts';
import type { ReadableStore } from '../../core/store/trackingStore.ts';
import { isTabularFile } from '../../core/profile/tabularFiles.ts';
import type { LineageEdge, LineageGraph, LineageNode, LineageRef, Truncation } from '../../core/lineage/types.ts';
import { MAX_EXPANSIONS, MAX_HOPS, refOfNode, type ExpandSide, type LineageExpansion, type LineageNodeView, type StaleView } from '../../protocol/lineage.ts';

/** Neighbours kept per node and side unless an expansion asked for more (the core's default). */
const DEFAULT_PER_NODE_LIMIT = 50;
/** The most neighbours a "+N more" asks for at once. */
const MAX_PER_NODE_LIMIT = 1000;

export interface LineageSessionOptions {
  /** Reader options (tests make the per-node limit small). */
  readonly reader?: LineageOptions;
}

/** Stale marks as the page gets them: plain arrays (a Map and a Set do not survive JSON). */
export function staleView(marks: StaleMarks): StaleView {
  return { data: [...marks.data.entries()], staleDownstream: [...marks.staleDownstream], notes: [...marks.notes] };
}

/** Marks the data files the drift engine can read (see LineageNodeView): the page offers comparing only those. */
export function markTabular(graph: LineageGraph): LineageGraph {
  const nodes = graph.nodes.map((node): LineageNodeView => (node.kind === 'data' && node.entryKind === 'file' && node.absolutePath && isTabularFile(node.path) ? { ...node, tabular: true } : node));
  return { ...graph, nodes };
}

const truncKey = (t: Pick<Truncation, 'nodeId' | 'side'>) => `${t.nodeId}\n${t.side}`;

/** Merges graphs read one after another: the first is the focus's neighbourhood, the others expansions. */
export function mergeGraphs(focus: string, parts: readonly { readonly graph: LineageGraph; readonly expanded?: { readonly nodeId: string; readonly sides: readonly Truncation['side'][] } }[]): LineageGraph {
  const nodes = new Map<string, LineageNode>();
  const edges = new Map<string, LineageEdge>();
  const truncated = new Map<string, Truncation>();
  /** Node sides an expansion read whole: a later read at a lower limit does not cut them again. */
  const whole = new Set<string>();
  const notes = new Set<string>();
  for (const { graph, expanded } of parts) {
    for (const node of graph.nodes) if (!nodes.has(node.id)) nodes.set(node.id, node);
    for (const edge of graph.edges) edges.set(`${edge.kind} ${edge.from} ${edge.to}`, edge);
    for (const side of expanded?.sides ?? []) {
      const key = truncKey({ nodeId: expanded?.nodeId ?? '', side });
      truncated.delete(key);
      whole.add(key);
    }
    for (const t of graph.truncated) {
      const key = truncKey(t);
      const known = truncated.get(key);
      if (expanded?.nodeId === t.nodeId) whole.delete(key);
      if (whole.has(key)) continue;
      if (!known || t.shown > known.shown) truncated.set(key, t);
    }
    for (const note of graph.notes) notes.add(note);
  }
  return { focus, nodes: [...nodes.values()], edges: [...edges.values()], truncated: [...truncated.values()], notes: [...notes] };
}

/** The per-node limit a "+N more" on `cut` asks for: all of them when the store said how many (within bounds). */
export function moreLimit(cut: Truncation | undefined, current: number): number {
  const wanted = cut?.total !== undefined ? cut.total : Math.max(current, cut?.shown ?? 0) * 4;
  return Math.min(MAX_PER_NODE_LIMIT, Math.max(current + 1, wanted));
}

export class LineageSession {
  readonly focus: LineageRef;
  private hopsValue: number;
  private expansionList: LineageExpansion[];
  private readonly store: ReadableStore;
  private readonly options: LineageOptions;
  private reader: LineageReader;
  private current: LineageGraph | undefined;
  /** Data nodes checked since the store was last read (a change of hops or an expansion hashes no file again). */
  private dataChecks: DataCheckCache = new Map();

  constructor(store: ReadableStore, focus: LineageRef, hops: number, expansions: readonly LineageExpansion[] = [], options: LineageSessionOptions = {}) {
    this.store = store;
    this.focus = focus;
    this.hopsValue = clampHops(hops);
    this.expansionList = expansions.slice(-MAX_EXPANSIONS);
    this.options = options.reader ?? {};
    this.reader = new LineageReader(store, this.options);
  }

  get hops(): number {
    return this.hopsValue;
  }

  get expansions(): readonly LineageExpansion[] {
    return this.expansionList;
  }

  /** The graph last read, if any. */
  get graph(): LineageGraph | undefined {
    return this.current;
  }

  /** The graph, read now unless it was already. */
  async read(): Promise<LineageGraph> {
    return this.current ?? this.rebuild();
  }

  /** Reads everything again (a fresh reader: the store may have changed). */
  async reload(): Promise<LineageGraph> {
    this.reader = new LineageReader(this.store, this.options);
    this.dataChecks = new Map();
    return this.rebuild();
  }

  /** Stale marks of a graph this session read: each data node is checked once until the next reload. */
  staleMarks(graph: LineageGraph, options: Omit<StalenessOptions, 'cache'> = {}): Promise<StaleMarks> {
    return staleMarks(graph, { ...options, cache: this.dataChecks });
  }

  async setHops(hops: number): Promise<LineageGraph> {
    this.hopsValue = clampHops(hops);
    return this.rebuild();
  }

  /**
   * Expands a node of the graph by `hops` on one side or both; `more` reads the node's cut sides
   * (or `side`) with a higher per-node limit. Unknown nodes are refused.
   */
  async expand(nodeId: string, side: ExpandSide, hops: number, more = false): Promise<LineageGraph> {
    const graph = await this.read();
    const node = graph.nodes.find((n) => n.id === nodeId);
    if (!node) throw new Error(`The node ${nodeId} is not in the graph (it may have gone after a change of the store).`);
    const ref = refOfNode(node);
    let limit: number | undefined;
    if (more) {
      const current = this.limitFor(ref);
      const cuts = graph.truncated.filter((t) => t.nodeId === nodeId && (side === 'both' || t.side === side));
      limit = cuts.length > 0 ? Math.max(...cuts.map((t) => moreLimit(t, current))) : moreLimit(undefined, current);
    }
    const expansion: LineageExpansion = { ref, side, hops: Math.min(MAX_HOPS, Math.max(1, Math.floor(hops))), ...(limit !== undefined ? { limit } : {}) };
    this.expansionList = [...this.expansionList, expansion].slice(-MAX_EXPANSIONS);
    return this.rebuild();
  }

  /** The per-node limit the node was last read with. */
  private limitFor(ref: LineageRef): number {
    const key = JSON.stringify(ref);
    const raised = this.expansionList.filter((e) => e.limit !== undefined && JSON.stringify(e.ref) === key).map((e) => e.limit as number);
    return Math.max(this.options.perNodeLimit ?? DEFAULT_PER_NODE_LIMIT, ...raised);
  }

  private async rebuild(): Promise<LineageGraph> {
    const base = await this.reader.neighbourhood(this.focus, this.hopsValue);
    const parts: { graph: LineageGraph; expanded?: { nodeId: string; sides: Truncation['side'][] } }[] = [{ graph: base }];
    for (const expansion of this.expansionList) {
      const reader = expansion.limit === undefined ? this.reader : new LineageReader(this.store, { ...this.options, perNodeLimit: expansion.limit });
      const graph = expansion.side === 'both' ? await reader.neighbourhood(expansion.ref, expansion.hops) : await reader.oneSide(expansion.ref, expansion.side, expansion.hops);
      // An expansion whose node is gone (deleted since) adds only its note.
      const sides: Truncation['side'][] = expansion.limit === undefined ? [] : expansion.side === 'both' ? ['upstream', 'downstream'] : [expansion.side];
      parts.push({ graph, expanded: { nodeId: graph.focus, sides } });
    }
    this.current = markTabular(mergeGraphs(base.focus, parts));
    return this.current;
  }
}

function clampHops(hops: number): number {
  return Math.min(MAX_HOPS, Math.max(0, Math.floor(Number.isFinite(hops) ? hops : 2)));
}
