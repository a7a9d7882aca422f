// The drift panel: how a current table's columns differ from a reference's, as the host's drift
// engine computed it (src/core/drift). The page draws the report, filters it, and asks the host
// to recompute when the thresholds change; the host keeps them per workspace.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import { readDriftState, type DriftEvent, type DriftRequests, type DriftState, type DriftThresholds, type DriftView } from '../../src/protocol/drift.ts';
import { assertNever } from '../../src/protocol/rpc.ts';
import { errorMessage } from '../../src/shared/errorMessage.ts';
import { custom, el } from '../shared/dom.ts';
import { RpcClient } from '../shared/rpcClient.ts';
import { vscodeApi } from '../shared/vscodeApi.ts';
import { onThemeChange } from '../compare/theme.ts';
import { disposeCharts, resizeCharts } from './charts.ts';
import { columnsSection, skippedSection } from './columns.ts';
import { modelSection } from './model.ts';
import { headerOf, notesOf, nullsOf, schemaOf, summaryOf, thresholdsForm } from './sections.ts';

const api = vscodeApi<DriftState>();
// Drift over large files takes a while: the host answers when it has read both sides.
const rpc = new RpcClient<DriftRequests, DriftEvent>(api, window, 600_000);
const app = document.getElementById('app') as HTMLElement;
const alert = el('p', { className: 'error', attrs: { role: 'alert', 'data-testid': 'alert' } });
const refresh = custom('vscode-button', { text: 'Refresh', attrs: { secondary: '', 'data-action': 'refresh', title: 'Compare both sides again' } });
refresh.addEventListener('click', () => void load('getReport', null));
const toolbar = el('div', { className: 'drift-toolbar', attrs: { role: 'toolbar', 'aria-label': 'Drift' } }, [refresh]);

const saved = readDriftState(api.getState());
let { source, view: current } = saved;
let filter = saved.filter;
let driftedOnly = saved.driftedOnly;
/** Numbers each request for a report, so an older answer never replaces a newer one. */
let loadSeq = 0;
let reading = false;
/** Whether the thresholds form is open, kept across redraws. */
let thresholdsOpen = false;

function save(): void {
  if (source) api.setState({ source, view: current, filter, driftedOnly });
}

const filterInput = el('input', { attrs: { type: 'search', placeholder: 'Filter columns', 'aria-label': 'Filter columns by name', 'data-testid': 'filter' } });
filterInput.value = filter;
filterInput.addEventListener('input', () => {
  filter = filterInput.value;
  save();
  safeRender();
  filterInput.focus();
});
const driftedToggle = custom('vscode-checkbox', { text: 'Drifted only', attrs: { 'data-testid': 'drifted-only' } }) as HTMLElement & { checked: boolean };
driftedToggle.checked = driftedOnly;
driftedToggle.addEventListener('change', () => {
  driftedOnly = driftedToggle.checked;
  save();
  safeRender();
});
const controls = el('div', { className: 'drift-controls' }, [filterInput, driftedToggle]);

function openRun(side: 'reference' | 'current'): void {
  alert.textContent = '';
  rpc.request('openRun', { side }).catch((err: unknown) => {
    alert.textContent = errorMessage(err);
  });
}

function render(): void {
  disposeCharts();
  app.setAttribute('aria-busy', String(reading));
  if (!current) {
    app.replaceChildren(el('h1', { text: 'Data Drift' }), toolbar, el('p', { className: 'muted', text: reading ? 'Reading both sides…' : 'No report to show.', attrs: { 'data-testid': 'status' } }), alert);
    return;
  }
  const { report, model, thresholds } = current;
  const parts: (Node | null)[] = [
    el('h1', { text: 'Data Drift' }),
    toolbar,
    headerOf(report, openRun),
    alert,
    reading ? el('p', { className: 'muted', text: 'Recomputing…', attrs: { 'data-testid': 'status' } }) : null,
    summaryOf(report),
    thresholdsForm(thresholds, thresholdsOpen, (open) => (thresholdsOpen = open), (next: DriftThresholds) => void load('setThresholds', next), () => void load('resetThresholds', null)),
    schemaOf(report),
    nullsOf(report),
    modelSection(model),
    columnsSection(report, { text: filter, driftedOnly }, controls),
    skippedSection(report),
    notesOf(report),
  ];
  app.replaceChildren(...parts.filter((p): p is Node => p !== null));
}

async function load(...request: ['getReport', null] | ['resetThresholds', null] | ['setThresholds', DriftThresholds]): Promise<void> {
  const seq = ++loadSeq;
  reading = true;
  alert.textContent = '';
  safeRender();
  try {
    const next: DriftView = await (request[0] === 'setThresholds' ? rpc.request('setThresholds', request[1]) : rpc.request(request[0], null));
    if (seq !== loadSeq) return;
    current = next;
    save();
  } catch (err) {
    if (seq !== loadSeq) return;
    alert.textContent = `Could not compare: ${errorMessage(err)}`;
  }
  reading = false;
  safeRender();
}

/** Draws; a restored view that cannot be drawn (an older build's, damaged) is dropped, not the page. */
function safeRender(): void {
  try {
    render();
  } catch {
    current = null;
    render();
  }
}

rpc.onEvent((event) => {
  switch (event.type) {
    case 'source':
      source = event.source;
      save();
      return;
    default:
      assertNever(event.type, 'event');
  }
});

window.addEventListener('resize', () => resizeCharts());
onThemeChange(() => safeRender());

// Ready first, so a restore that cannot be drawn never leaves the host waiting. A restored page
// draws what it showed at once while it asks for a fresh report; what cannot be drawn is dropped.
rpc.ready();
safeRender();
void load('getReport', null);
