// Lineage graphs built lazily from a focus node: its neighbourhood (N hops both ways), everything
// upstream or downstream of it, and what a dataset digest touches. Only the nodes reached are
// read, each at most once, a level at a time with a bounded number of reads in flight.
import { mapLimited } from '../../shared/mapLimited.ts';
import type { ReadableStore } from '../store/trackingStore.ts';
import { LineageSource, type Expansion, type LineageOptions, type Side } from './lineageSource.ts';
import { nodeId, type DigestUsers, type LineageEdge, type LineageGraph, type LineageNode, type LineageRef, type Truncation } from './types.ts';

/** Levels walked at most by upstream/downstream (a chain of nested runs deeper than this is cut). */
const MAX_DEPTH = 64;

/**
 * Reads lineage from one store. It keeps the runs it read (a view's successive expansions reuse
 * them), so make a new one when the store changed; `notes` in each graph are all the reader's so far.
 */
export class LineageReader {
  private readonly source: LineageSource;

  constructor(store: ReadableStore, options: LineageOptions = {}) {
    this.source = new LineageSource(store, options);
  }

  /** The focus and every node within `hops` edges of it, whichever way the edges point. */
  neighbourhood(focus: LineageRef, hops: number): Promise<LineageGraph> {
    return this.walk(focus, ['upstream', 'downstream'], Math.max(0, Math.floor(hops)));
  }

  /** The focus and every node within `hops` edges of it on one side (a view expanding one way). */
  oneSide(focus: LineageRef, side: Side, hops: number): Promise<LineageGraph> {
    return this.walk(focus, [side], Math.max(0, Math.floor(hops)));
  }

  /** Everything the focus came from: datasets, data, runs, parent runs, logged models, versions. */
  upstream(focus: LineageRef): Promise<LineageGraph> {
    return this.walk(focus, ['upstream'], MAX_DEPTH);
  }

  /** Everything that came of the focus: runs, child runs, logged models, versions, aliases. */
  downstream(focus: LineageRef): Promise<LineageGraph> {
    return this.walk(focus, ['downstream'], MAX_DEPTH);
  }

  /**
   * When a dataset turns out bad, which runs and models does it touch? The runs that used the
   * digest (an MLflow dataset digest, or a Labbook data sha256 or DVC md5), and all that came of them.
   */
  async usersOfDigest(digest: string): Promise<DigestUsers> {
    const isDataHash = /^[0-9a-f]{64}$/i.test(digest);
    const graph = await this.downstream(isDataHash ? { kind: 'data', hash: digest.toLowerCase() } : { kind: 'dataset', digest });
    const of = <K extends LineageNode['kind']>(kind: K) => graph.nodes.filter((n): n is Extract<LineageNode, { kind: K }> => n.kind === kind);
    return {
      graph,
      runs: of('run'),
      loggedModels: of('loggedModel'),
      modelVersions: of('modelVersion'),
      aliases: of('alias'),
    };
  }

  private async walk(focus: LineageRef, sides: readonly Side[], depth: number): Promise<LineageGraph> {
    const source = this.source;
    const focusId = nodeId(focus);
    const start = await source.resolve(focus);
    if (!start) return { focus: focusId, nodes: [], edges: [], truncated: [], notes: [...source.notes, `${focusId} is not in ${describe(focus)}.`] };
    const nodes = new Map<string, LineageNode>([[start.id, start]]);
    const edges = new Map<string, LineageEdge>();
    const truncated: Truncation[] = [];
    let frontier: LineageNode[] = [start];
    let full = false;
    for (let level = 0; level < depth && frontier.length > 0 && !full; level++) {
      const tasks = frontier.flatMap((node) => sides.map((side) => ({ node, side })));
      const expansions: Expansion[] = await mapLimited(tasks, source.concurrency, ({ node, side }) => source.expand(node, side));
      const next: LineageNode[] = [];
      for (const expansion of expansions) {
        if (expansion.truncated) truncated.push(expansion.truncated);
        for (const { node, edge } of expansion.neighbours) {
          if (!nodes.has(node.id)) {
            if (nodes.size >= source.maxNodes) {
              full = true;
              continue;
            }
            nodes.set(node.id, node);
            next.push(node);
          }
          edges.set(`${edge.kind} ${edge.from} ${edge.to}`, edge);
        }
      }
      frontier = next;
    }
    const notes = [...source.notes];
    if (full) notes.push(`The graph stopped at ${source.maxNodes} nodes.`);
    return { focus: start.id, nodes: [...nodes.values()], edges: [...edges.values()], truncated, notes };
  }
}

function describe(ref: LineageRef): string {
  return ref.kind === 'dataset' || ref.kind === 'data' ? 'any run of this store' : 'this store';
}
