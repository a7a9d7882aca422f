// What the graph view draws of a lineage graph: a box per node (coloured by kind, with a badge when
// its data changed since the run read it), a "+N more" box per cut side, and a group box where many
// runs share one dataset and nothing else (opened on demand). Edges all point downstream, so the
// layered layout reads left to right from data to aliases.
import type { GraphViewEdge, GraphViewNode } from '../shared/graphView.ts';
import { lineageNodeLabel, type DataState, type LineageGraph, type LineageNode, type StaleView, type Truncation } from '../../src/protocol/lineage.ts';
import { downstreamEnd, upstreamEnd } from '../../src/shared/lineageEdges.ts';

/** More runs than this hanging off one node alone are drawn as one group box until opened. */
const FAN_IN_LIMIT = 12;
const STALE_TEXT = 'changed since the run read it';
const MISSING_TEXT = 'no longer on disk (missing since the run read it)';
const TRAINED_ON_STALE_TEXT = 'trained on data that changed since the run read it';

/** A box that is not a node of the graph: a cut side, or a collapsed fan-in. */
export type Synthetic =
  | { readonly kind: 'more'; readonly id: string; readonly truncation: Truncation }
  | { readonly kind: 'group'; readonly id: string; readonly owner: string; readonly members: readonly string[] };

export interface Display {
  readonly nodes: readonly GraphViewNode[];
  readonly edges: readonly GraphViewEdge[];
  readonly synthetic: ReadonlyMap<string, Synthetic>;
  /** Node id → the group box it is drawn in. */
  readonly grouped: ReadonlyMap<string, string>;
}

const KIND_TEXT: Record<LineageNode['kind'], string> = {
  dataset: 'Dataset',
  data: 'Data file',
  run: 'Run',
  loggedModel: 'Logged model',
  modelVersion: 'Model version',
  alias: 'Alias',
};

export function kindText(kind: LineageNode['kind']): string {
  return KIND_TEXT[kind];
}

const moreId = (t: Pick<Truncation, 'nodeId' | 'side'>) => `more:${t.side}:${t.nodeId}`;
const groupId = (owner: string, side: Truncation['side']) => `group:${side}:${owner}`;

/** A node's state for its badge: its data changed or went, or it came of data that did. */
export function staleState(node: LineageNode, stale: StaleView | undefined): { text: string; state: DataState | 'downstream' } | undefined {
  if (!stale) return undefined;
  if (node.kind === 'data') {
    const state = stale.data.find(([id]) => id === node.id)?.[1];
    if (state === 'stale') return { text: STALE_TEXT, state };
    if (state === 'missing') return { text: MISSING_TEXT, state };
    return undefined;
  }
  return stale.staleDownstream.includes(node.id) ? { text: TRAINED_ON_STALE_TEXT, state: 'downstream' } : undefined;
}

function nodeTitle(node: LineageNode, staleText: string | undefined): string {
  const lines = [`${KIND_TEXT[node.kind]}: ${lineageNodeLabel(node)}`];
  switch (node.kind) {
    case 'dataset':
      lines.push(`digest ${node.digest}`, ...(node.source ? [`source ${node.source}`] : []));
      break;
    case 'data':
      lines.push(node.absolutePath || node.path, ...(node.sha256 ? [`sha256 ${node.sha256.slice(0, 16)}…`] : []));
      break;
    case 'run':
      lines.push(`${node.runId} · ${node.status}`);
      break;
    case 'loggedModel':
      lines.push(node.modelId);
      break;
    case 'modelVersion':
      lines.push(...(node.aliases.length ? [node.aliases.map((a) => `@${a}`).join(' ')] : []), node.source);
      break;
    case 'alias':
      lines.push(`points to version ${node.version}`);
      break;
  }
  if (staleText) lines.push(`⚠ ${staleText}`);
  return lines.join('\n');
}

/**
 * The boxes and arrows for `graph`. `openGroups` are fan-ins the user opened; the focus and the
 * selected node are never hidden in a group.
 */
export function buildDisplay(graph: LineageGraph, stale: StaleView | undefined, openGroups: ReadonlySet<string>, selected: string | undefined): Display {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const degree = new Map<string, number>();
  for (const e of graph.edges) for (const end of [e.from, e.to]) degree.set(end, (degree.get(end) ?? 0) + 1);
  const cut = new Set(graph.truncated.map((t) => t.nodeId));

  // Fan-ins: runs whose only edge joins them to one node, on one side of it.
  const fans = new Map<string, { owner: string; side: Truncation['side']; members: string[] }>();
  for (const e of graph.edges) {
    const up = upstreamEnd(e);
    const down = downstreamEnd(e);
    for (const [owner, member, side] of [[up, down, 'downstream'], [down, up, 'upstream']] as const) {
      const node = byId.get(member);
      if (node?.kind !== 'run' || member === graph.focus || member === selected || degree.get(member) !== 1 || cut.has(member)) continue;
      const id = groupId(owner, side);
      const fan = fans.get(id) ?? { owner, side, members: [] };
      fan.members.push(member);
      fans.set(id, fan);
    }
  }
  const synthetic = new Map<string, Synthetic>();
  const grouped = new Map<string, string>();
  for (const [id, fan] of fans) {
    if (fan.members.length <= FAN_IN_LIMIT || openGroups.has(id)) continue;
    synthetic.set(id, { kind: 'group', id, owner: fan.owner, members: fan.members });
    for (const m of fan.members) grouped.set(m, id);
  }

  const nodes: GraphViewNode[] = [];
  for (const node of graph.nodes) {
    if (grouped.has(node.id)) continue;
    const mark = staleState(node, stale);
    nodes.push({
      id: node.id,
      label: lineageNodeLabel(node),
      title: nodeTitle(node, mark?.text),
      kind: node.kind,
      focus: node.id === graph.focus,
      selected: node.id === selected,
      ...(mark ? { badge: { text: '!', title: mark.text } } : {}),
    });
  }
  const edges: GraphViewEdge[] = [];
  const label = (id: string) => {
    const node = byId.get(id);
    return node ? lineageNodeLabel(node) : id;
  };
  for (const e of graph.edges) {
    const from = upstreamEnd(e);
    const to = downstreamEnd(e);
    const shownFrom = grouped.get(from) ?? from;
    const shownTo = grouped.get(to) ?? to;
    const title = e.kind === 'points-to' ? `${label(e.from)} points to ${label(e.to)}` : `${label(from)} → ${label(to)} (${e.kind})`;
    edges.push({ from: shownFrom, to: shownTo, title, ...(e.kind === 'parent' ? { dashed: true } : {}) });
  }
  for (const [id, s] of synthetic) {
    if (s.kind !== 'group') continue;
    const fan = fans.get(id);
    const count = s.members.length;
    nodes.push({ id, label: `${count} runs`, title: `${count} runs that read ${label(s.owner)} and nothing else shown here: click or press Space to draw them`, kind: 'group', selected: id === selected });
    if (fan?.side === 'downstream') edges.push({ from: s.owner, to: id, title: `${label(s.owner)} → ${count} runs` });
    else edges.push({ from: id, to: s.owner, title: `${count} runs → ${label(s.owner)}` });
  }
  for (const t of graph.truncated) {
    if (!byId.has(t.nodeId)) continue;
    const id = moreId(t);
    const hidden = t.total !== undefined ? t.total - t.shown : undefined;
    const text = hidden !== undefined && hidden > 0 ? `+${hidden} more` : '+ more';
    synthetic.set(id, { kind: 'more', id, truncation: t });
    nodes.push({ id, label: text, title: `${text} ${t.side} of ${label(t.nodeId)} (${t.shown} shown): click or press Space to read more`, kind: 'more' });
    edges.push(t.side === 'downstream' ? { from: t.nodeId, to: id, title: '', dashed: true } : { from: id, to: t.nodeId, title: '', dashed: true });
  }
  return { nodes, edges, synthetic, grouped };
}
