// The Lineage view: asks the host for the graph around a focus node (N hops, plus the expansions the
// user asked for), draws it with the shared layered graph view (left to right, from data to
// aliases), marks data that changed since a run read it once the host has checked, and opens or
// expands nodes through the host. Focus, hops, expansions and the view are kept in the webview
// state, so a reload (and the host's serializer) shows the same graph.
import { isLineageResult, lineageNodeLabel, MAX_HOPS, type LineageEvent, type LineageRequests, type LineageResult, type LineageState, type StaleView } from '../../src/protocol/lineage.ts';
import { assertNever } from '../../src/protocol/rpc.ts';
import { errorMessage } from '../../src/shared/errorMessage.ts';
import { el } from '../shared/dom.ts';
import { isViewTransform, type ViewTransform } from '../shared/graphLayout.ts';
import { createGraphView } from '../shared/graphView.ts';
import { RpcClient } from '../shared/rpcClient.ts';
import { vscodeApi } from '../shared/vscodeApi.ts';
import { copyValue, renderDetails } from './details.ts';
import { buildDisplay, type Display } from './display.ts';

/** Above this, the last graph is not kept in the webview state. */
const MAX_SAVED_CHARS = 500_000;

const api = vscodeApi<Partial<LineageState>>();
const rpc = new RpcClient<LineageRequests, LineageEvent>(api, window, 120_000);
const app = document.getElementById('app') as HTMLElement;
const saved = api.getState();
// A saved graph that cannot be drawn (corrupt, or from another version) is dropped: the host is asked.
let result: LineageResult | undefined = isLineageResult(saved?.last) ? saved.last : undefined;
let stale: StaleView | undefined;
/** Stale marks that came before their graph (the host's check can beat its reply): applied when it does. */
let earlyStale: { readonly seq: number; readonly marks: StaleView } | undefined;
let selected: string | undefined = typeof saved?.selected === 'string' ? saved.selected : undefined;
const openGroups = new Set<string>(Array.isArray(saved?.openGroups) ? saved.openGroups.filter((g): g is string => typeof g === 'string') : []);
let graphView: ViewTransform | undefined = isViewTransform(saved?.graphView) ? saved.graphView : undefined;
let display: Display | undefined;
let loadSeq = 0;

// ── Header, toolbar, notes ──────────────────────────────────────────────────────────────────
const title = el('h1', { className: 'title', text: 'Lineage', attrs: { 'data-testid': 'title' } });
const hopsValue = el('output', { className: 'hops-value', text: String(saved?.hops ?? ''), attrs: { 'data-testid': 'hops', 'aria-live': 'polite' } });
const tool = (text: string, action: string, label: string) => el('button', { text, attrs: { type: 'button', 'data-action': action, 'aria-label': label, title: label, 'data-testid': action } });
const toolbar = el('div', { className: 'toolbar', attrs: { role: 'toolbar', 'aria-label': 'Lineage' } }, [
  el('span', { className: 'muted', text: 'Hops' }),
  tool('−', 'hops-down', 'Show one step less around the focus'),
  hopsValue,
  tool('+', 'hops-up', 'Show one step more around the focus'),
  tool('Fit', 'fit', 'Fit the graph to the panel'),
  tool('Refresh', 'refresh', 'Read the lineage again'),
]);
const status = el('p', { className: 'status muted', attrs: { role: 'status', 'data-testid': 'status' } });
const alertBox = el('div', { className: 'error alert', attrs: { role: 'alert', 'data-testid': 'alert' } });
const notes = el('ul', { className: 'notes', attrs: { 'data-testid': 'notes', 'aria-label': 'Notes' } });

const graph = createGraphView({
  label: 'Lineage graph',
  direction: 'LR',
  focusableNodes: true,
  maxHeight: () => Math.max(240, window.innerHeight - 150),
  onActivate: (id) => activate(id),
  onOpen: (id) => openNode(id),
  onViewChange: (view) => {
    graphView = view;
    save();
  },
});
const details = el('aside', { className: 'details', attrs: { 'data-testid': 'details', 'aria-label': 'Selected node' } });
const body = el('div', { className: 'lineage-body' }, [el('section', { className: 'graph-pane', attrs: { 'data-testid': 'graph' } }, [graph.root]), details]);
app.replaceChildren(el('header', { className: 'panel-head' }, [title, toolbar, status, alertBox]), notes, body);

function save(): void {
  if (!result) return;
  const state: Partial<LineageState> = {
    focus: result.focus,
    ...(result.kind === 'graph' ? { hops: result.hops, expansions: result.expansions } : { hops: saved?.hops ?? 2, expansions: saved?.expansions ?? [] }),
    openGroups: [...openGroups],
    ...(selected ? { selected } : {}),
    ...(graphView ? { graphView } : {}),
    ...(JSON.stringify(result).length <= MAX_SAVED_CHARS ? { last: result } : {}),
  };
  api.setState(state);
}

const nodeOf = (id: string) => (result?.kind === 'graph' ? result.graph.nodes.find((n) => n.id === id) : undefined);
const labelOf = (id: string) => {
  const node = nodeOf(id);
  return node ? lineageNodeLabel(node) : (display?.nodes.find((n) => n.id === id)?.label ?? id);
};
const busy = () => app.getAttribute('aria-busy') === 'true';

function render(restore?: ViewTransform): void {
  if (!result) return;
  title.textContent = `Lineage: ${result.label}`;
  if (result.kind === 'error') {
    alertBox.textContent = `Could not read the lineage: ${result.message}`;
    body.hidden = true;
    notes.replaceChildren();
    return;
  }
  body.hidden = false;
  hopsValue.textContent = String(result.hops);
  const g = result.graph;
  if (selected && !g.nodes.some((n) => n.id === selected) && !display?.synthetic.has(selected)) selected = undefined;
  display = buildDisplay(g, stale, openGroups, selected);
  graph.show(display.nodes, display.edges, restore);
  const all = [...g.notes, ...(stale?.notes ?? [])];
  notes.replaceChildren(...all.map((n) => el('li', { text: n })));
  notes.hidden = all.length === 0;
  const staleCount = stale ? stale.data.filter(([, s]) => s === 'stale' || s === 'missing').length : 0;
  const nodes = g.nodes.length;
  status.textContent = [
    `${nodes} node${nodes === 1 ? '' : 's'}`,
    result.staleCheck && !stale ? 'checking data files for changes…' : '',
    staleCount ? `${staleCount} data file${staleCount === 1 ? '' : 's'} changed since a run read ${staleCount === 1 ? 'it' : 'them'}` : '',
  ]
    .filter(Boolean)
    .join(' · ');
  showDetails();
}

function showDetails(): void {
  const node = selected ? nodeOf(selected) : undefined;
  const synthetic = selected ? display?.synthetic.get(selected) : undefined;
  details.replaceChildren(...renderDetails(node, synthetic, stale, labelOf, result?.kind === 'graph' ? result.graph.focus : undefined));
}

function take(next: LineageResult, restore?: ViewTransform): void {
  if (!result || result.kind !== 'graph' || next.kind !== 'graph' || next.seq !== result.seq) stale = undefined;
  if (next.kind === 'graph' && earlyStale?.seq === next.seq) stale = earlyStale.marks;
  earlyStale = undefined;
  result = next;
  alertBox.textContent = '';
  render(restore);
  save();
}

async function load(ask: () => Promise<LineageResult>, what: string): Promise<void> {
  const seq = ++loadSeq;
  app.setAttribute('aria-busy', 'true');
  try {
    const next = await ask();
    if (seq === loadSeq) take(next);
  } catch (err) {
    if (seq === loadSeq) alertBox.textContent = `${what}: ${errorMessage(err)}`;
  }
  if (seq === loadSeq) app.setAttribute('aria-busy', 'false');
}

function expand(nodeId: string, side: 'upstream' | 'downstream' | 'both', more = false): void {
  // The clicks of a double-click, or a second press while the host reads, ask once.
  if (busy()) return;
  void load(() => rpc.request('expand', { nodeId, side, hops: 1, ...(more ? { more } : {}) }), 'Could not expand the node');
}

/** A click or Space: a "+N more" box reads more, a group box draws its runs, a node is selected. */
function activate(id: string): void {
  const synthetic = display?.synthetic.get(id);
  if (synthetic?.kind === 'more') return expand(synthetic.truncation.nodeId, synthetic.truncation.side, true);
  if (synthetic?.kind === 'group') {
    openGroups.add(id);
    selected = undefined;
    render();
    save();
    return;
  }
  selected = id;
  // Only the mark moves: drawing the graph again between the clicks of a double-click would lose it.
  for (const g of graph.root.querySelectorAll('.graph-node')) g.classList.toggle('selected', g.getAttribute('data-node') === id);
  showDetails();
  save();
}

/** A double-click or Enter: runs, versions and files open through the host; a dataset shows in the side pane. */
function openNode(id: string): void {
  const node = nodeOf(id);
  if (!node) {
    // A "+N more" or group box: Enter does what a click does (a double-click's clicks already did).
    if (display?.synthetic.has(id)) activate(id);
    return;
  }
  if (node.kind === 'dataset') return activate(id);
  rpc.request('open', { nodeId: id }).then(
    () => undefined,
    (err: unknown) => (alertBox.textContent = `Could not open it: ${errorMessage(err)}`),
  );
}

document.addEventListener('click', (e) => {
  const target = (e.target as HTMLElement).closest<HTMLButtonElement>('button[data-action]');
  if (!target || target.disabled) return;
  const node = target.dataset.node ?? '';
  const hops = result?.kind === 'graph' ? result.hops : (saved?.hops ?? 2);
  switch (target.dataset.action) {
    case 'hops-down':
    case 'hops-up': {
      const next = Math.min(MAX_HOPS, Math.max(0, hops + (target.dataset.action === 'hops-up' ? 1 : -1)));
      if (next !== hops) void load(() => rpc.request('setHops', { hops: next }), 'Could not change the hops');
      return;
    }
    case 'fit':
      graph.fit();
      return;
    case 'refresh':
      void load(() => rpc.request('refresh', null), 'Could not read the lineage');
      return;
    case 'open':
      openNode(node);
      return;
    case 'show-lineage':
      rpc.request('showLineageFrom', { nodeId: node }).then(
        () => undefined,
        (err: unknown) => (alertBox.textContent = `Could not show its lineage: ${errorMessage(err)}`),
      );
      return;
    case 'compare-data':
      rpc.request('compareWithTrainingData', { nodeId: node }).then(
        () => undefined,
        (err: unknown) => (alertBox.textContent = `Could not compare the data: ${errorMessage(err)}`),
      );
      return;
    case 'expand-upstream':
      expand(node, 'upstream');
      return;
    case 'expand-downstream':
      expand(node, 'downstream');
      return;
    case 'more':
    case 'open-group':
      activate(node);
      return;
    case 'copy': {
      const found = nodeOf(node);
      if (found) void rpc.request('copyText', { text: copyValue(found) });
      return;
    }
    default:
      return;
  }
});

rpc.onEvent((event) => {
  switch (event.type) {
    case 'graph':
      take(event.result);
      return;
    case 'stale':
      if (result?.kind !== 'graph' || result.seq !== event.seq) {
        // Marks of a graph not here yet (its reply is on the way) wait for it; take() drops them otherwise.
        earlyStale = { seq: event.seq, marks: event.marks };
        return;
      }
      stale = event.marks;
      render();
      return;
    default:
      assertNever(event, 'event');
  }
});

// Ready first, so that nothing drawn from the saved state can keep the host from answering. Then
// show what we had before a reload at once (if it can be drawn), and ask the host for the graph.
rpc.ready();
try {
  if (result) render(graphView);
} catch {
  // Not drawable after all: the host's answer replaces it.
  result = undefined;
  display = undefined;
  selected = undefined;
}
if (!result) body.hidden = true;
void load(() => rpc.request('getGraph', null), 'Could not read the lineage');
