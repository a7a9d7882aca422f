// A directed graph drawn as SVG at the positions graphLayout.ts computes: boxes sized to their
// measured labels (long ones shortened with an ellipsis, the full text in the node's <title>),
// edges as curves with arrowheads. It pans (drag, arrow keys), zooms (Ctrl/⌘ + wheel anywhere, the
// wheel alone once the graph has focus, + and − keys and buttons) and fits the panel on open, on
// resize and with Fit (0). Colours and fonts come from the stylesheet (theme variables); geometry is
// set as SVG attributes, never as inline style markup, so the strict CSP holds. Nodes may carry a
// kind (a class), a corner badge and a selected or focus mark, and can take the keyboard focus.
import { el, svg } from './dom.ts';
import { edgePath, fitTransform, layoutToFit, zoomAt, type GraphDirection, type GraphLayout, type Point, type ViewTransform } from './graphLayout.ts';

export interface GraphViewNode {
  readonly id: string;
  readonly label: string;
  /** The hover text: the full label and whatever else helps. */
  readonly title: string;
  /** Adds the class `kind-<kind>` (the stylesheet colours nodes by it). */
  readonly kind?: string;
  /** A small mark on the node's corner (e.g. "!" for stale data) with its own hover text. */
  readonly badge?: { readonly text: string; readonly title: string };
  /** Drawn as the selected node. */
  readonly selected?: boolean;
  /** Drawn as the node the graph is about (e.g. the lineage's starting point). */
  readonly focus?: boolean;
}

export interface GraphViewEdge {
  readonly from: string;
  readonly to: string;
  readonly title: string;
  /** Drawn dashed (e.g. an order-only dependency). */
  readonly dashed?: boolean;
}

export interface GraphViewOptions {
  /** The name screen readers hear for the drawing (give the same graph as text beside it). */
  readonly label: string;
  /** A node was clicked (not dragged). */
  readonly onActivate?: (id: string) => void;
  /** Fixed, or 'auto': whichever shows the graph larger in the panel. */
  readonly direction?: GraphDirection | 'auto';
  /** Label width budgets (CSS px at zoom 1), widest first: see layoutToFit. */
  readonly labelWidths?: readonly number[];
  /** The user zoomed or panned (a view to keep), or went back to fitting (undefined); called once movement pauses. */
  readonly onViewChange?: (view: ViewTransform | undefined) => void;
  /** Nodes take the keyboard focus (Tab goes through them); Space activates one, Enter or a double-click opens it. */
  readonly focusableNodes?: boolean;
  /** A node was opened: double-clicked, or Enter on a focused node. */
  readonly onOpen?: (id: string) => void;
  /** The most height the graph may take (default: 60% of the window, 240 to 640 px). */
  readonly maxHeight?: () => number;
}

export interface GraphView {
  readonly root: HTMLElement;
  /**
   * Draws the graph. A new shape is fitted to the panel; the same nodes and edges again (a re-plan
   * after an edit) keep the user's zoom and pan; `restore` sets them (after a reload).
   */
  show(nodes: readonly GraphViewNode[], edges: readonly GraphViewEdge[], restore?: ViewTransform): void;
  /** Measures and lays out again (after a theme or font change), keeping a fitted view fitted. */
  redraw(): void;
  fit(): void;
  zoomBy(factor: number): void;
}

const PAD_X = 8;
const PAD_Y = 7;
const VIEW_PAD = 8;
const ZOOM_STEP = 1.25;
const PAN_STEP = 40;
const DRAG_THRESHOLD = 4;
let markerSeq = 0;

/** Measures text in the font the node labels are drawn with (read from the stylesheet). */
function textMeasurer(probe: Element): (s: string) => number {
  const style = getComputedStyle(probe);
  const size = Number.parseFloat(style.fontSize) || 13;
  const context = document.createElement('canvas').getContext('2d');
  if (!context) return (s) => [...s].length * size * 0.62;
  context.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  return (s) => context.measureText(s).width;
}

export function createGraphView(options: GraphViewOptions): GraphView {
  const markerId = `graph-arrow-${++markerSeq}`;
  const scene = svg('g', { class: 'graph-scene' });
  const edgeLayer = svg('g', { class: 'graph-edges' });
  const nodeLayer = svg('g', { class: 'graph-nodes' });
  scene.append(edgeLayer, nodeLayer);
  const drawing = svg('svg', { class: 'graph-svg', width: '100%', height: '100%' }, [
    svg('defs', {}, [
      svg('marker', { id: markerId, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, markerUnits: 'strokeWidth', orient: 'auto-start-reverse' }, [
        svg('path', { class: 'graph-arrow', d: 'M0,0 L10,5 L0,10 z' }),
      ]),
    ]),
    scene,
  ]);
  const viewport = el('div', {
    className: 'graph-viewport',
    attrs: { tabindex: '0', role: 'img', 'aria-label': `${options.label}. Drag or arrow keys to pan, plus and minus to zoom, 0 to fit.`, 'data-testid': 'graph-viewport' },
  }, [drawing]);
  const button = (text: string, label: string, testid: string, action: () => void) => {
    const b = el('button', { className: 'graph-button', text, attrs: { type: 'button', 'aria-label': label, title: label, 'data-testid': testid } });
    b.addEventListener('click', action);
    return b;
  };
  const toolbar = el('div', { className: 'graph-toolbar', attrs: { role: 'toolbar', 'aria-label': 'Graph view' } }, [
    el('span', { className: 'graph-hint muted', text: 'Drag to pan · Ctrl/⌘ + wheel to zoom', attrs: { 'aria-hidden': 'true' } }),
    button('+', 'Zoom in (+)', 'graph-zoom-in', () => zoomBy(ZOOM_STEP)),
    button('−', 'Zoom out (−)', 'graph-zoom-out', () => zoomBy(1 / ZOOM_STEP)),
    button('Fit', 'Fit to panel (0)', 'graph-fit', () => fit()),
  ]);
  const root = el('div', { className: 'graph' }, [toolbar, viewport]);

  let nodes: readonly GraphViewNode[] = [];
  let edges: readonly GraphViewEdge[] = [];
  let layout: GraphLayout | undefined;
  let view: ViewTransform = { scale: 1, x: 0, y: 0 };
  /** Until the user pans or zooms, the view follows the panel's size. */
  let fitted = true;
  let laidOutWidth = 0;

  const maxHeight = options.maxHeight ?? (() => Math.max(240, Math.min(640, Math.round(window.innerHeight * 0.6))));
  const limits = () => ({ min: Math.min(0.2, fitScale()), max: 3 });
  const inner = () => ({ width: Math.max(1, viewport.clientWidth - 2 * VIEW_PAD), height: Math.max(1, viewport.clientHeight - 2 * VIEW_PAD) });
  const fitScale = () => (layout ? fitTransform(layout, inner()).scale : 1);

  let reportTimer: ReturnType<typeof setTimeout> | undefined;
  let reported: string | undefined;
  const report = () => {
    reportTimer = undefined;
    const next = fitted ? undefined : view;
    const key = JSON.stringify(next ?? null);
    if (key === reported) return;
    reported = key;
    options.onViewChange?.(next);
  };
  const apply = () => {
    scene.setAttribute('transform', `translate(${view.x.toFixed(2)} ${view.y.toFixed(2)}) scale(${view.scale.toFixed(4)})`);
    viewport.dataset.scale = view.scale.toFixed(4);
    viewport.dataset.fitted = String(fitted);
    // Saving the state on every pointer move of a drag would be wasteful: report when it pauses.
    if (reportTimer !== undefined) clearTimeout(reportTimer);
    reportTimer = setTimeout(report, 200);
  };

  function fit(): void {
    fitted = true;
    if (!layout) return apply();
    const t = fitTransform(layout, inner());
    view = { scale: t.scale, x: t.x + VIEW_PAD, y: t.y + VIEW_PAD };
    apply();
  }

  function zoomBy(factor: number, at?: Point): void {
    fitted = false;
    view = zoomAt(view, factor, at ?? { x: viewport.clientWidth / 2, y: viewport.clientHeight / 2 }, limits());
    apply();
  }

  const panBy = (dx: number, dy: number) => {
    fitted = false;
    view = { ...view, x: view.x + dx, y: view.y + dy };
    apply();
  };

  /** Measures the labels, lays the graph out for the panel's width and sizes the viewport to it. */
  function render(): void {
    const width = viewport.clientWidth;
    if (width === 0) return; // Hidden: laid out when it shows (the resize observer calls back).
    laidOutWidth = width;
    const measure = textMeasurer(nodeLayer);
    const lineHeight = Math.ceil((Number.parseFloat(getComputedStyle(nodeLayer).fontSize) || 13) * 1.3);
    const available = Math.max(1, width - 2 * VIEW_PAD);
    const fitting = layoutToFit(nodes, edges, {
      width: available,
      maxHeight: maxHeight() - 2 * VIEW_PAD,
      measure,
      nodeHeight: lineHeight + 2 * PAD_Y,
      paddingX: PAD_X,
      direction: options.direction ?? 'auto',
      ...(options.labelWidths ? { labelWidths: options.labelWidths } : {}),
    });
    layout = fitting.layout;
    const shown = fitting.shown;
    viewport.style.height = `${Math.max(120, Math.ceil(layout.height * fitting.scale) + 2 * VIEW_PAD)}px`;
    drawing.dataset.direction = layout.direction;

    const titles = new Map(edges.map((e) => [`${e.from}\n${e.to}`, e]));
    edgeLayer.replaceChildren(
      ...layout.edges.map((e) => {
        const source = titles.get(`${e.from}\n${e.to}`);
        const d = edgePath(e.points);
        return svg('g', { class: `graph-edge${source?.dashed ? ' dashed' : ''}` }, [
          svg('title', {}, [], source?.title ?? `${e.from} → ${e.to}`),
          svg('path', { class: 'graph-edge-hit', d }),
          svg('path', { class: 'graph-edge-line', d, 'marker-end': `url(#${markerId})` }),
        ]);
      }),
    );
    const byId = new Map(nodes.map((n) => [n.id, n]));
    // A focused node is drawn anew: the new one takes the focus back.
    const focusedId = nodeLayer.contains(document.activeElement) ? document.activeElement?.getAttribute('data-node') : undefined;
    nodeLayer.replaceChildren(
      ...layout.nodes.map((p) => {
        const node = byId.get(p.id);
        const classes = ['graph-node', ...(node?.kind ? [`kind-${node.kind}`] : []), ...(node?.selected ? ['selected'] : []), ...(node?.focus ? ['focus'] : []), ...(node?.badge ? ['badged'] : [])].join(' ');
        const focus: Record<string, string | number> = options.focusableNodes ? { tabindex: 0, role: 'button', 'aria-label': node?.title.replace(/\n/g, ', ') ?? p.id } : {};
        return svg('g', { class: classes, transform: `translate(${p.x.toFixed(1)} ${p.y.toFixed(1)})`, 'data-node': p.id, ...(node?.kind ? { 'data-node-kind': node.kind } : {}), ...focus }, [
          svg('title', {}, [], node?.title ?? p.id),
          svg('rect', { width: p.width, height: p.height, rx: 4 }),
          svg('text', { x: (p.width / 2).toFixed(1), y: (p.height / 2).toFixed(1), 'text-anchor': 'middle', 'dominant-baseline': 'central' }, [], shown.get(p.id) ?? p.id),
          ...(node?.badge
            ? [
                svg('g', { class: 'graph-badge', transform: `translate(${(p.width - 2).toFixed(1)} 2)`, 'data-testid': 'graph-badge' }, [
                  svg('title', {}, [], node.badge.title),
                  svg('circle', { r: 7 }),
                  svg('text', { 'text-anchor': 'middle', 'dominant-baseline': 'central' }, [], node.badge.text),
                ]),
              ]
            : []),
        ]);
      }),
    );
    if (focusedId) nodeLayer.querySelector<SVGGElement>(`[data-node="${CSS.escape(focusedId)}"]`)?.focus({ preventScroll: true });
    if (fitted) fit();
    else apply();
  }

  // ── Pan and zoom ──────────────────────────────────────────────────────────────────────────
  let drag: { id: number; x: number; y: number; moved: boolean } | undefined;
  let suppressClick = false;
  viewport.addEventListener('pointerdown', (e) => {
    if (e.button !== 0) return;
    drag = { id: e.pointerId, x: e.clientX, y: e.clientY, moved: false };
  });
  viewport.addEventListener('pointermove', (e) => {
    if (!drag || drag.id !== e.pointerId) return;
    const dx = e.clientX - drag.x;
    const dy = e.clientY - drag.y;
    if (!drag.moved && Math.hypot(dx, dy) < DRAG_THRESHOLD) return;
    if (!drag.moved) {
      drag.moved = true;
      viewport.setPointerCapture(e.pointerId);
      viewport.classList.add('panning');
    }
    drag.x = e.clientX;
    drag.y = e.clientY;
    panBy(dx, dy);
  });
  const endDrag = (e: PointerEvent) => {
    if (!drag || drag.id !== e.pointerId) return;
    suppressClick = drag.moved;
    drag = undefined;
    viewport.classList.remove('panning');
  };
  viewport.addEventListener('pointerup', endDrag);
  viewport.addEventListener('pointercancel', endDrag);
  viewport.addEventListener('click', (e) => {
    if (suppressClick) {
      suppressClick = false;
      return;
    }
    const node = (e.target as Element).closest('.graph-node');
    const id = node?.getAttribute('data-node');
    if (id !== null && id !== undefined) options.onActivate?.(id);
  });
  // The page scrolls with the wheel; the graph takes it with Ctrl/⌘ (and trackpad pinch), or once focused.
  viewport.addEventListener(
    'wheel',
    (e) => {
      if (!(e.ctrlKey || e.metaKey || document.activeElement === viewport)) return;
      e.preventDefault();
      const box = viewport.getBoundingClientRect();
      zoomBy(Math.exp(-Math.max(-100, Math.min(100, e.deltaY)) / 300), { x: e.clientX - box.left, y: e.clientY - box.top });
    },
    { passive: false },
  );
  viewport.addEventListener('dblclick', (e) => {
    const id = (e.target as Element).closest('.graph-node')?.getAttribute('data-node');
    if (id !== null && id !== undefined) options.onOpen?.(id);
  });
  viewport.addEventListener('keydown', (e) => {
    const nodeId = (e.target as Element).closest?.('.graph-node')?.getAttribute('data-node');
    if (nodeId !== null && nodeId !== undefined && (e.key === 'Enter' || e.key === ' ') && !e.altKey && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      if (e.key === 'Enter') options.onOpen?.(nodeId);
      else options.onActivate?.(nodeId);
      return;
    }
    const keys: Record<string, () => void> = {
      '+': () => zoomBy(ZOOM_STEP),
      '=': () => zoomBy(ZOOM_STEP),
      '-': () => zoomBy(1 / ZOOM_STEP),
      '0': () => fit(),
      ArrowLeft: () => panBy(PAN_STEP, 0),
      ArrowRight: () => panBy(-PAN_STEP, 0),
      ArrowUp: () => panBy(0, PAN_STEP),
      ArrowDown: () => panBy(0, -PAN_STEP),
    };
    const action = keys[e.key];
    if (!action || e.altKey || e.ctrlKey || e.metaKey) return;
    e.preventDefault();
    action();
  });
  // A new width may want the other direction; a fitted view stays fitted. Height changes are ours.
  new ResizeObserver(() => {
    if (viewport.clientWidth !== laidOutWidth) render();
  }).observe(viewport);

  return {
    root,
    show(nextNodes, nextEdges, restore) {
      const shape = (ns: readonly GraphViewNode[], es: readonly GraphViewEdge[]) => JSON.stringify([ns.map((n) => [n.id, n.label]), es.map((e) => [e.from, e.to])]);
      const same = shape(nodes, edges) === shape(nextNodes, nextEdges);
      nodes = nextNodes;
      edges = nextEdges;
      if (restore) {
        fitted = false;
        view = restore;
      } else if (!same) {
        fitted = true;
      }
      render();
    },
    redraw: render,
    fit,
    zoomBy: (factor) => zoomBy(factor),
  };
}
