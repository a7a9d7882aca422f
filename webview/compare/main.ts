// The Run Comparison panel: asks the host for the comparison of 2…N runs and shows it as a table,
// metric charts, image artifacts side by side and code diffs. Settings live in the webview state.
// First: asks the host before the rest of the page's code runs.
import { api, initialState, rpc, takeComparison, takeFirstChart } from './startup.ts';
import type { CompareModel, CompareState, CompareTab, MetricAggregate } from '../../src/protocol/compare.ts';
import { isGroupSeries, isMetricSeries, METRIC_AGGREGATES } from '../../src/protocol/compare.ts';
import { assertNever } from '../../src/protocol/rpc.ts';
import { el } from '../shared/dom.ts';
import { renderImages } from './artifactsView.ts';
import { ChartsTab } from './chartsTab.ts';
import { renderCodeComparison } from './codeView.ts';
import { TABS } from './state.ts';
import { CompareTableView } from './table.ts';
import { onThemeChange } from './theme.ts';
import { errorMessage } from '../../src/shared/errorMessage.ts';

const app = document.getElementById('app') as HTMLElement;
let state: CompareState = initialState;
let model: CompareModel | null = null;
let loadSeq = 0;
let imagesLoaded = false;

function update(patch: Partial<CompareState>): void {
  state = { ...state, ...patch };
  api.setState(state);
}

// The first chart's histories were asked for at start (startup.ts): the host picks its metric, and
// reads it while the page builds and draws the table.
const charts = new ChartsTab({
  state: () => state,
  update,
  fetchSeries: async (keys, buckets) => checked((await rpc.request('getSeries', { keys, buckets })).series, isMetricSeries),
  fetchFirstChart: async (saved, buckets) => {
    const { key, series } = await (takeFirstChart(buckets) ?? rpc.request('getFirstChart', saved ? { chartMetrics: saved, buckets } : { buckets }));
    return { key, series: checked(series, isMetricSeries) };
  },
  fetchGroupSeries: async (keys, buckets, xAxis) => checked((await rpc.request('getGroupSeries', { keys, buckets, xAxis })).groups, isGroupSeries),
  groups: () => model?.source.groups ?? [],
});
void load();
charts.prefetch();

// ── Header ──────────────────────────────────────────────────────────────────────────────────
const title = el('h1', { className: 'title', text: 'Compare runs', attrs: { 'data-testid': 'title' } });
const subtitle = el('p', { className: 'muted subtitle', attrs: { 'data-testid': 'subtitle' } });
const alertBox = el('div', { className: 'error alert', attrs: { role: 'alert', 'data-testid': 'alert' } });
const problems = el('ul', { className: 'problems', attrs: { 'data-testid': 'problems' } });
const TAB_LABELS: Record<CompareTab, string> = { table: 'Table', charts: 'Charts', artifacts: 'Artifacts', code: 'Code' };
const tabs = TABS.map((tab) => el('button', { className: 'tab', text: TAB_LABELS[tab], attrs: { type: 'button', role: 'tab', id: `tab-${tab}`, 'aria-controls': `panel-${tab}`, 'data-tab': tab } }));
const tabList = el('div', { className: 'tabs', attrs: { role: 'tablist', 'aria-label': 'Comparison views' } }, tabs);

// ── Table tab ───────────────────────────────────────────────────────────────────────────────
const aggregate = el('select', { attrs: { 'aria-label': 'Metric value', 'data-control': 'aggregate' } }, METRIC_AGGREGATES.map((a) => el('option', { text: { last: 'Last value', min: 'Minimum', max: 'Maximum' }[a], attrs: { value: a } })));
const diffOnly = el('input', { attrs: { type: 'checkbox', id: 'diff-only', 'data-control': 'diff-only' } });
const transposed = el('input', { attrs: { type: 'checkbox', id: 'transposed', 'data-control': 'transposed' } });
const exportButton = el('button', { text: 'Export CSV…', attrs: { type: 'button', 'data-action': 'export-csv' } });
const compareDataButton = el('button', { text: 'Compare Data', attrs: { type: 'button', 'data-action': 'compare-data', title: 'Drift between the data of two runs (those chosen in the Code tab when more are compared)' } });
const tableMessage = el('p', { className: 'muted', text: 'Reading the runs…', attrs: { 'data-testid': 'table-message' } });
const status = el('span', { className: 'muted status', attrs: { role: 'status', 'data-testid': 'status' } });
const table = new CompareTableView({
  onSort: (sort) => {
    update({ sort });
    showTable();
  },
  onToggleDirection: (key) => {
    const row = model?.rows.find((r) => r.id === `metric:${key}`);
    const current = row?.metric?.direction ?? 'higher';
    update({ directions: { ...state.directions, [key]: current === 'lower' ? 'higher' : 'lower' } });
    void load();
  },
});
const tablePanel = el('div', { className: 'table-panel' }, [
  el('div', { className: 'controls' }, [
    el('label', { text: 'Metrics show ' }, [aggregate]),
    el('label', { className: 'toggle' }, [diffOnly, document.createTextNode(' Show differences only')]),
    el('label', { className: 'toggle' }, [transposed, document.createTextNode(' Runs as rows')]),
    exportButton,
    compareDataButton,
    status,
  ]),
  tableMessage,
  table.root,
]);

// ── Other tabs ──────────────────────────────────────────────────────────────────────────────
/** Histories come as Float64Array columns; anything else (e.g. a host that sent JSON) is refused with a message. */
function checked<T>(values: readonly unknown[], check: (value: unknown) => value is T): readonly T[] {
  if (!Array.isArray(values) || !values.every(check)) throw new Error('the host sent metric histories in a form this page cannot read (Float64Array columns expected)');
  return values;
}
const artifactsPanel = el('div', { className: 'artifacts-panel' }, [el('p', { className: 'muted', text: 'Looking for image artifacts…' })]);
const baseSelect = el('select', { attrs: { 'aria-label': 'Base run', 'data-code': 'base' } });
const remoteSelect = el('select', { attrs: { 'aria-label': 'Compared run', 'data-code': 'remote' } });
const codeButton = el('button', { text: 'Diff code', attrs: { type: 'button', 'data-action': 'diff-code' } });
const codeOutput = el('div', { className: 'code-output', attrs: { 'data-testid': 'code' } });
const codePanel = el('div', { className: 'code-panel' }, [
  el('div', { className: 'controls' }, [el('label', { text: 'Base ' }, [baseSelect]), el('label', { text: 'Compared with ' }, [remoteSelect]), codeButton]),
  codeOutput,
]);

const panels: Record<CompareTab, HTMLElement> = {
  table: tablePanel,
  charts: charts.root,
  artifacts: artifactsPanel,
  code: codePanel,
};
const panelBoxes = TABS.map((tab) => el('section', { className: 'tab-panel', attrs: { role: 'tabpanel', id: `panel-${tab}`, 'aria-labelledby': `tab-${tab}`, 'data-panel': tab } }, [panels[tab]]));
const body = el('div', { className: 'panel-body', attrs: { 'data-testid': 'body' } }, panelBoxes);
app.replaceChildren(el('header', { className: 'panel-head' }, [title, subtitle, alertBox, problems, tabList]), body);

// ── Behaviour ───────────────────────────────────────────────────────────────────────────────
function selectTab(tab: CompareTab, focus = false): void {
  update({ tab });
  tabs.forEach((button, i) => {
    const selected = TABS[i] === tab;
    button.setAttribute('aria-selected', String(selected));
    button.tabIndex = selected ? 0 : -1;
    if (selected && focus) button.focus();
  });
  panelBoxes.forEach((box, i) => (box.hidden = TABS[i] !== tab));
  if (!model) return;
  if (tab === 'charts') void charts.load();
  if (tab === 'artifacts' && !imagesLoaded) void loadImages();
  if (tab === 'table') showTable();
}

function showTable(): void {
  if (!model) return;
  table.show(model, { aggregate: state.aggregate, diffOnly: state.diffOnly, transposed: state.transposed, sort: state.sort });
  const shown = table.lineCount;
  status.textContent = state.transposed ? `${model.runs.length} runs` : `${shown} of ${model.rows.length} rows${state.diffOnly ? ' differ' : ''}`;
}

function showModel(next: CompareModel): void {
  model = next;
  // Before the table is drawn: the host reads the first chart's histories meanwhile.
  charts.show(next);
  charts.prefetch();
  tableMessage.hidden = next.runs.length > 0;
  tableMessage.textContent = 'No run to show.';
  const names = next.runs.map((r) => r.label);
  title.textContent = `Compare ${next.runs.length} run${next.runs.length === 1 ? '' : 's'}`;
  subtitle.textContent = `${names.join(' · ')} — ${next.storeDescription}`;
  problems.replaceChildren(...next.problems.map((p) => el('li', { className: 'warning', text: p.message })));
  if (next.runs.length < 2) {
    problems.append(el('li', { className: 'warning', text: next.runs.length === 0 ? 'None of the runs can be read: there is nothing to compare.' : 'Only one of the runs can be read: the table shows it alone.' }));
  }
  for (const [select, fallback] of [[baseSelect, 0], [remoteSelect, 1]] as const) {
    const chosen = select === baseSelect ? state.codeRuns?.base : state.codeRuns?.remote;
    select.replaceChildren(...next.runs.map((r) => el('option', { text: r.label, attrs: { value: r.runId } })));
    select.value = chosen && next.runs.some((r) => r.runId === chosen) ? chosen : (next.runs[fallback]?.runId ?? next.runs[0]?.runId ?? '');
  }
  codeButton.disabled = next.runs.length < 2;
  imagesLoaded = false;
  selectTab(state.tab);
}

async function load(): Promise<void> {
  const seq = ++loadSeq;
  app.setAttribute('aria-busy', 'true');
  try {
    const next = await (takeComparison() ?? rpc.request('getComparison', { directions: state.directions }));
    if (seq !== loadSeq) return;
    alertBox.replaceChildren();
    showModel(next);
  } catch (err) {
    if (seq !== loadSeq) return;
    const retry = el('button', { text: 'Try again', attrs: { type: 'button', 'data-action': 'retry' } });
    retry.addEventListener('click', () => void load());
    alertBox.replaceChildren(el('span', { text: `Could not compare the runs: ${errorMessage(err)} ` }), retry);
    if (!model) tableMessage.textContent = 'Nothing to show until the runs can be read.';
  }
  app.setAttribute('aria-busy', 'false');
}

async function loadImages(): Promise<void> {
  if (!model) return;
  imagesLoaded = true;
  const runs = model.runs;
  artifactsPanel.replaceChildren(el('p', { className: 'muted', text: 'Looking for image artifacts…' }));
  try {
    const listing = await rpc.request('listImages', null);
    artifactsPanel.replaceChildren(renderImages(listing, runs, (runId, path) => rpc.request('getImage', { runId, path })));
  } catch (err) {
    imagesLoaded = false;
    artifactsPanel.replaceChildren(el('p', { className: 'error', attrs: { role: 'alert' }, text: `Could not list the artifacts: ${errorMessage(err)}` }));
  }
}

async function diffCode(): Promise<void> {
  const baseRun = baseSelect.value;
  const remoteRun = remoteSelect.value;
  update({ codeRuns: { base: baseRun, remote: remoteRun } });
  codeOutput.replaceChildren(el('p', { className: 'muted', text: 'Reading the code snapshots…' }));
  try {
    const code = await rpc.request('getCode', { baseRun, remoteRun });
    codeOutput.replaceChildren(
      ...renderCodeComparison(code, model?.runs ?? [], {
        openNotebookDiff: (path) => {
          rpc.request('openNotebookDiff', { baseRun, remoteRun, path }).catch((err: unknown) => codeOutput.prepend(el('p', { className: 'error', attrs: { role: 'alert' }, text: `Could not open the notebook diff: ${errorMessage(err)}` })));
        },
      }),
    );
  } catch (err) {
    codeOutput.replaceChildren(el('p', { className: 'error', attrs: { role: 'alert' }, text: `Could not read the code snapshots: ${errorMessage(err)}` }));
  }
}

aggregate.addEventListener('change', () => {
  update({ aggregate: aggregate.value as MetricAggregate });
  showTable();
});
diffOnly.addEventListener('change', () => {
  update({ diffOnly: diffOnly.checked });
  showTable();
});
transposed.addEventListener('change', () => {
  update({ transposed: transposed.checked, sort: null });
  showTable();
});
async function exportCsv(): Promise<void> {
  status.textContent = 'Exporting…';
  try {
    const { savedTo } = await rpc.request('exportCsv', { view: { aggregate: state.aggregate, diffOnly: state.diffOnly, transposed: state.transposed }, directions: state.directions });
    status.textContent = savedTo ? `Saved to ${savedTo}` : 'Export cancelled.';
  } catch (err) {
    status.textContent = `Could not export: ${errorMessage(err)}`;
  }
}
exportButton.addEventListener('click', () => void exportCsv());
compareDataButton.addEventListener('click', () => {
  rpc.request('compareData', { baseRun: baseSelect.value, remoteRun: remoteSelect.value }).catch((err: unknown) => (status.textContent = `Could not compare the data: ${errorMessage(err)}`));
});
codeButton.addEventListener('click', () => void diffCode());
tabList.addEventListener('click', (e) => {
  const tab = (e.target as HTMLElement).closest<HTMLElement>('[data-tab]')?.dataset.tab as CompareTab | undefined;
  if (tab) selectTab(tab);
});
tabList.addEventListener('keydown', (e) => {
  const current = TABS.indexOf(state.tab);
  const next = e.key === 'ArrowRight' ? current + 1 : e.key === 'ArrowLeft' ? current - 1 : e.key === 'Home' ? 0 : e.key === 'End' ? TABS.length - 1 : null;
  if (next === null) return;
  e.preventDefault();
  selectTab(TABS[(next + TABS.length) % TABS.length] as CompareTab, true);
});
onThemeChange(() => {
  if (state.tab === 'charts') charts.draw();
  else charts.outdated();
});

rpc.onEvent((event) => {
  switch (event.type) {
    case 'source':
      update({ source: event.source });
      return;
    case 'storeChanged':
      charts.invalidate();
      void load();
      return;
    default:
      assertNever(event, 'event');
  }
});

aggregate.value = state.aggregate;
diffOnly.checked = state.diffOnly;
transposed.checked = state.transposed;
selectTab(state.tab);
