// The sweep panel: a sweep's progress, best so far, how its params relate to the objective,
// parameter importance and its trials, as the host's view model (src/core/sweep/sweepView.ts)
// gives them. The host pushes a fresh view when the store changes; the page keeps the last one,
// the importance it computed and its table order in its state, and draws them at once on reload.
import { readSweepPanelState, type ImportanceView, type SweepEvent, type SweepPanelState, type SweepRequests, type SweepView, type TableSort } from '../../src/protocol/sweep.ts';
import { assertNever } from '../../src/protocol/rpc.ts';
import { errorMessage } from '../../src/shared/errorMessage.ts';
import { el } from '../shared/dom.ts';
import { RpcClient } from '../shared/rpcClient.ts';
import { vscodeApi } from '../shared/vscodeApi.ts';
import { onThemeChange } from '../compare/theme.ts';
import { bestChart, type SweepChart } from './bestChart.ts';
import { headerOf } from './header.ts';
import { parallelPlot, scatterPlots } from './plots.ts';
import { importanceSection, trialsSection } from './trials.ts';

const api = vscodeApi<SweepPanelState>();
// Importance runs Python (Optuna's fANOVA): it may take a while on a large sweep.
const rpc = new RpcClient<SweepRequests, SweepEvent>(api, window, 300_000);
const app = document.getElementById('app') as HTMLElement;
const alert = el('p', { className: 'error', attrs: { role: 'alert', 'data-testid': 'alert' } });

const saved = readSweepPanelState(api.getState());
let sweepId = saved.sweepId;
let current: SweepView | null = saved.view;
let importance: ImportanceView | null = saved.importance;
let tableSort: TableSort = saved.tableSort;
let computing = false;
let loading = false;
let charts: SweepChart[] = [];

function save(): void {
  if (sweepId) api.setState({ sweepId, view: current, importance, tableSort });
}

function report(what: string, err: unknown): void {
  alert.textContent = `${what}: ${errorMessage(err)}`;
}

function ask(action: () => Promise<unknown>, what: string): void {
  alert.textContent = '';
  action().catch((err: unknown) => report(what, err));
}

const actions = {
  compareTop: () => ask(() => rpc.request('compareTop', { n: 5 }), 'Could not compare'),
  stop: () => ask(() => rpc.request('stopSweep', null), 'Could not stop the sweep'),
  openFile: () => ask(() => rpc.request('openFile', null), 'Could not open the sweep file'),
  openRun: (runId: string) => ask(() => rpc.request('openRun', { runId }), 'Could not open the run'),
};

async function computeImportance(): Promise<void> {
  computing = true;
  alert.textContent = '';
  safeRender();
  try {
    importance = await rpc.request('getImportance', null);
    save();
  } catch (err) {
    report('Could not compute the importance', err);
  }
  computing = false;
  safeRender();
}

function section(id: string, title: string, children: readonly Node[], className = 'sweep-section sweep-card'): HTMLElement {
  return el('section', { className, attrs: { 'data-section': id } }, [el('h2', { text: title }), ...children]);
}

function render(): void {
  for (const chart of charts) chart.destroy();
  charts = [];
  app.setAttribute('aria-busy', String(loading));
  if (!current) {
    app.replaceChildren(el('h1', { text: 'Sweep' }), el('p', { className: 'muted', text: loading ? 'Reading the sweep…' : 'No sweep to show.', attrs: { 'data-testid': 'status' } }), alert);
    return;
  }
  const view = current;
  const best = bestChart(view);
  const parallel = parallelPlot(view);
  const scatters = scatterPlots(view);
  charts = [best, parallel, ...scatters.charts];
  app.replaceChildren(
    headerOf(view, actions),
    alert,
    el('div', { className: 'sweep-grid' }, [
      section('best', `Best ${view.objective.metric} so far`, [best.root]),
      importanceSection(importance, computing, () => void computeImportance()),
    ]),
    section('parallel', 'Parameters → objective', [parallel.root]),
    section('scatter', `${view.objective.metric} by parameter`, [scatters.root]),
    trialsSection(view, tableSort, (next) => {
      tableSort = next;
      save();
      safeRender();
    }, actions.openRun),
  );
  for (const chart of charts) chart.start();
}

/** Draws; a restored view that cannot be drawn (an older build's, damaged) is dropped, not the page. */
function safeRender(): void {
  try {
    render();
  } catch (err) {
    console.error('sweep panel: could not draw the saved view', err);
    current = null;
    render();
  }
}

async function load(): Promise<void> {
  loading = true;
  if (!current) safeRender();
  try {
    current = await rpc.request('getSweep', null);
    save();
  } catch (err) {
    report('Could not read the sweep', err);
  }
  loading = false;
  safeRender();
}

rpc.onEvent((event) => {
  switch (event.type) {
    case 'source':
      if (event.sweepId !== sweepId) {
        sweepId = event.sweepId;
        current = current?.sweepId === sweepId ? current : null;
      }
      save();
      return;
    case 'sweepChanged':
      current = event.view;
      save();
      safeRender();
      return;
    default:
      assertNever(event, 'event');
  }
});

let resizeFrame = 0;
window.addEventListener('resize', () => {
  cancelAnimationFrame(resizeFrame);
  resizeFrame = requestAnimationFrame(() => charts.forEach((c) => c.resize()));
});
onThemeChange(() => safeRender());

// Ready first, so a restore that cannot be drawn never leaves the host waiting; a restored page
// draws what it showed at once while it asks for a fresh view.
rpc.ready();
safeRender();
void load();
