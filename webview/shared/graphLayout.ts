// Layered layout of a directed graph (dagre: rank assignment, crossing reduction, coordinates that
// account for each node's size), plus the pure geometry the graph view needs: fitting a layout into
// a viewport and shortening labels. No DOM here — sizes come in as numbers — so the pipeline
// preview, the lineage view and plain-Node unit tests share one layout.
import dagre from '@dagrejs/dagre';

/**
 * The part of dagre this module uses, typed here: the package's .d.ts files import each other
 * without file extensions, which an ES-module package cannot do, so under `nodenext` its graph
 * types do not resolve (skipLibCheck hides that) and every call on them would be untyped.
 */
interface DagreGraph {
  setGraph(label: { rankdir: GraphDirection; nodesep: number; ranksep: number; edgesep: number; marginx: number; marginy: number }): void;
  setDefaultEdgeLabel(label: () => object): void;
  setNode(key: string, label: { width: number; height: number }): void;
  setEdge(from: string, to: string): void;
  node(key: string): { x?: number; y?: number };
  edge(from: string, to: string): { points?: readonly Point[] } | undefined;
  graph(): { width?: number; height?: number };
}
const layoutLib = dagre as unknown as { graphlib: { Graph: new () => DagreGraph }; layout: (graph: DagreGraph) => void };

export type GraphDirection = 'TB' | 'LR';

export interface GraphNodeInput {
  readonly id: string;
  /** The node's box, label and padding included, in graph units (CSS pixels at zoom 1). */
  readonly width: number;
  readonly height: number;
}

export interface GraphEdgeInput {
  readonly from: string;
  readonly to: string;
}

export interface GraphLayoutOptions {
  /** TB: edges point down; LR: edges point right. */
  readonly direction?: GraphDirection;
  /** Space between nodes of one layer. */
  readonly nodeGap?: number;
  /** Space between layers. */
  readonly layerGap?: number;
  /** Space around the drawing. */
  readonly margin?: number;
}

export interface Point {
  readonly x: number;
  readonly y: number;
}

export interface PlacedNode extends GraphNodeInput {
  /** Top-left corner. */
  readonly x: number;
  readonly y: number;
}

export interface PlacedEdge extends GraphEdgeInput {
  /** From the source's border to the target's border, bends in between. */
  readonly points: readonly Point[];
}

export interface GraphLayout {
  readonly direction: GraphDirection;
  readonly width: number;
  readonly height: number;
  /** In input order. */
  readonly nodes: readonly PlacedNode[];
  /** The edges laid out: self-loops, duplicates and edges to unknown nodes are left out. */
  readonly edges: readonly PlacedEdge[];
}

const finite = (n: number, fallback: number) => (Number.isFinite(n) && n > 0 ? n : fallback);

/**
 * Lays the graph out in layers. Cycles are allowed (dagre reverses a feedback set to rank them, then
 * restores the edges' direction). Duplicate node ids keep the first.
 */
export function layoutGraph(nodes: readonly GraphNodeInput[], edges: readonly GraphEdgeInput[], options: GraphLayoutOptions = {}): GraphLayout {
  const direction = options.direction ?? 'TB';
  const margin = options.margin ?? 8;
  const g = new layoutLib.graphlib.Graph();
  g.setGraph({ rankdir: direction, nodesep: options.nodeGap ?? 16, ranksep: options.layerGap ?? 32, edgesep: 12, marginx: margin, marginy: margin });
  g.setDefaultEdgeLabel(() => ({}));
  // Node ids are user text (step names): dagre keys its maps by our own short keys instead.
  const keyOf = new Map<string, string>();
  const unique: GraphNodeInput[] = [];
  for (const node of nodes) {
    if (keyOf.has(node.id)) continue;
    const key = `n${keyOf.size}`;
    keyOf.set(node.id, key);
    unique.push(node);
    g.setNode(key, { width: finite(node.width, 1), height: finite(node.height, 1) });
  }
  const kept: GraphEdgeInput[] = [];
  const seen = new Set<string>();
  for (const edge of edges) {
    const from = keyOf.get(edge.from);
    const to = keyOf.get(edge.to);
    if (from === undefined || to === undefined || from === to || seen.has(`${from}>${to}`)) continue;
    seen.add(`${from}>${to}`);
    kept.push(edge);
    g.setEdge(from, to);
  }
  layoutLib.layout(g);
  const placed = unique.map((node) => {
    const laid = g.node(keyOf.get(node.id) as string);
    const width = finite(node.width, 1);
    const height = finite(node.height, 1);
    return { id: node.id, width, height, x: (laid.x ?? 0) - width / 2, y: (laid.y ?? 0) - height / 2 };
  });
  const placedEdges = kept.map((edge) => {
    const laid = g.edge(keyOf.get(edge.from) as string, keyOf.get(edge.to) as string);
    return { from: edge.from, to: edge.to, points: (laid?.points ?? []).map((p) => ({ x: p.x, y: p.y })) };
  });
  const label = g.graph();
  return { direction, width: finite(label.width ?? 0, 2 * margin), height: finite(label.height ?? 0, 2 * margin), nodes: placed, edges: placedEdges };
}

/** A view of a layout: graph point p shows at p × scale + (x, y) in the viewport. */
export interface ViewTransform {
  readonly scale: number;
  readonly x: number;
  readonly y: number;
}

/** An SVG path through an edge's points: straight when there are no bends, else quadratic curves through them. */
export function edgePath(points: readonly Point[]): string {
  const f = (n: number) => n.toFixed(1);
  if (points.length < 3) return points.map((p, i) => `${i ? 'L' : 'M'}${f(p.x)},${f(p.y)}`).join(' ');
  const [first] = points as [Point];
  let d = `M${f(first.x)},${f(first.y)}`;
  for (let i = 1; i < points.length - 1; i++) {
    const p = points[i] as Point;
    const next = points[i + 1] as Point;
    // Curve through each bend towards the middle of the next segment; the last one ends on the target.
    const end = i === points.length - 2 ? next : { x: (p.x + next.x) / 2, y: (p.y + next.y) / 2 };
    d += ` Q${f(p.x)},${f(p.y)} ${f(end.x)},${f(end.y)}`;
  }
  return d;
}

/** A view kept in the webview state, checked after a reload (the state is whatever was stored). */
export function isViewTransform(value: unknown): value is ViewTransform {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return [v.scale, v.x, v.y].every((n) => typeof n === 'number' && Number.isFinite(n)) && (v.scale as number) > 0;
}

/** The transform that shows the whole layout centred in the viewport, never enlarged past `maxScale`. */
export function fitTransform(layout: { readonly width: number; readonly height: number }, viewport: { readonly width: number; readonly height: number }, maxScale = 1): ViewTransform {
  const scale = Math.min(maxScale, viewport.width / Math.max(1, layout.width), viewport.height / Math.max(1, layout.height));
  const safe = Number.isFinite(scale) && scale > 0 ? scale : 1;
  return { scale: safe, x: (viewport.width - layout.width * safe) / 2, y: (viewport.height - layout.height * safe) / 2 };
}

/** Zooms by `factor` keeping the viewport point `at` where it is; the scale stays within [min, max]. */
export function zoomAt(view: ViewTransform, factor: number, at: Point, limits: { readonly min: number; readonly max: number }): ViewTransform {
  const scale = Math.min(limits.max, Math.max(limits.min, view.scale * factor));
  const k = scale / view.scale;
  return { scale, x: at.x - (at.x - view.x) * k, y: at.y - (at.y - view.y) * k };
}

/**
 * Of the two directions, the one whose whole drawing shows largest in a viewport `width` wide and
 * at most `maxHeight` tall (the narrow panel gets top-down, a wide one left-to-right); on a tie,
 * the one that needs less height.
 */
export function chooseDirection(
  lay: (direction: GraphDirection) => GraphLayout,
  width: number,
  maxHeight: number,
): GraphLayout {
  const candidates = (['LR', 'TB'] as const).map((d) => {
    const layout = lay(d);
    const scale = fitTransform(layout, { width, height: maxHeight }).scale;
    return { layout, scale, height: layout.height * scale };
  });
  const [lr, tb] = candidates as [(typeof candidates)[number], (typeof candidates)[number]];
  if (Math.abs(lr.scale - tb.scale) > 0.02) return lr.scale > tb.scale ? lr.layout : tb.layout;
  return lr.height <= tb.height ? lr.layout : tb.layout;
}

/**
 * The longest prefix of `text` that, with an ellipsis, measures at most `maxWidth`; the text
 * itself when it fits. `measure` gives a string's width (canvas measureText in the webview).
 */
export function ellipsize(text: string, maxWidth: number, measure: (s: string) => number): string {
  if (measure(text) <= maxWidth) return text;
  const chars = [...text];
  let lo = 0;
  let hi = chars.length;
  // Binary search on the prefix length: widths grow with the prefix.
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (measure(`${chars.slice(0, mid).join('')}…`) <= maxWidth) lo = mid;
    else hi = mid - 1;
  }
  return `${chars.slice(0, Math.max(1, lo)).join('')}…`;
}

export interface LabelledNode {
  readonly id: string;
  readonly label: string;
}

export interface FitLayoutOptions {
  /** The viewport's inner width, and the most height the graph may take. */
  readonly width: number;
  readonly maxHeight: number;
  /** A label's drawn width (the webview measures with canvas measureText). */
  readonly measure: (text: string) => number;
  /** A box's height, and its padding left and right of the label. */
  readonly nodeHeight: number;
  readonly paddingX: number;
  /** Fixed, or 'auto': whichever direction shows the graph larger. */
  readonly direction?: GraphDirection | 'auto';
  /** Label width budgets to try, widest first: narrower budgets shorten more labels but fit a narrow panel at a larger scale. */
  readonly labelWidths?: readonly number[];
  /** A budget whose fitted scale reaches this is taken at once. */
  readonly goodScale?: number;
}

export interface FittedLayout {
  readonly layout: GraphLayout;
  /** What each node shows: its label, or the label shortened with an ellipsis. */
  readonly shown: ReadonlyMap<string, string>;
  /** The scale at which the whole layout fits `width` × `maxHeight` (at most 1). */
  readonly scale: number;
}

/**
 * Lays the graph out for a viewport: boxes sized to their (shortened) labels, the direction and the
 * label budget that show the whole graph largest — the widest budget that reaches `goodScale`, else
 * the one that gets closest.
 */
export function layoutToFit(nodes: readonly LabelledNode[], edges: readonly GraphEdgeInput[], options: FitLayoutOptions): FittedLayout {
  const budgets = options.labelWidths?.length ? options.labelWidths : [180, 140, 110, 80];
  const goodScale = options.goodScale ?? 0.85;
  const view = { width: options.width, height: options.maxHeight };
  let best: FittedLayout | undefined;
  for (const budget of budgets) {
    const shown = new Map(nodes.map((n) => [n.id, ellipsize(n.label, budget, options.measure)]));
    const boxes = nodes.map((n) => ({ id: n.id, width: Math.ceil(options.measure(shown.get(n.id) ?? '')) + 2 * options.paddingX, height: options.nodeHeight }));
    const lay = (direction: GraphDirection) => layoutGraph(boxes, edges, { direction });
    const direction = options.direction ?? 'auto';
    const layout = direction === 'auto' ? chooseDirection(lay, view.width, view.height) : lay(direction);
    const candidate = { layout, shown, scale: fitTransform(layout, view).scale };
    // A narrower budget must earn its shorter labels with a clearly larger picture.
    if (!best || candidate.scale > best.scale + 0.05) best = candidate;
    if (best.scale >= goodScale) break;
  }
  return best as FittedLayout;
}

