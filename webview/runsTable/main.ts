// The Runs Table panel (issue 14): every run of one or more experiments as a table whose sort,
// filter and grouping are pushed down to the store by the host; the page pages rows in as the user
// scrolls and keeps only the visible window of rows and columns in the DOM.
import type { Cell, QuickFilter, RowPage, RunsTableEvent, RunsTableRequests, RunsTableState, TableSchema, TableView } from '../../src/protocol/runsTable.ts';
import { assertNever } from '../../src/protocol/rpc.ts';
import { errorMessage } from '../../src/shared/errorMessage.ts';
import { el } from '../shared/dom.ts';
import { RpcClient } from '../shared/rpcClient.ts';
import { vscodeApi } from '../shared/vscodeApi.ts';
import { ColumnChooser } from './chooser.ts';
import { ColumnLayout } from './columns.ts';
import { RunsGrid } from './grid.ts';
import { gridKeys, type TableContext } from './keyboard.ts';
import { Lines } from './lines.ts';
import { columnMenu, groupByPicker, Popover } from './menus.ts';
import { PagedRows } from './rowCache.ts';
import { idsOfLines, idsOfRange, Selection } from './selection.ts';
import { readState } from './state.ts';

const api = vscodeApi<RunsTableState>();
const rpc = new RpcClient<RunsTableRequests, RunsTableEvent>(api, window, 60_000);
const app = document.getElementById('app') as HTMLElement;
let saved = readState(api.getState());
let schema: TableSchema | undefined;
let view: TableView | undefined;
let viewSeq = 0;
let restoreScroll: number | undefined = saved.scrollTop;
const selection = new Selection();
selection.set(saved.selected);
const sparks = new Map<string, readonly number[]>();
const sparkPending = new Set<string>();
const layout = new ColumnLayout();

// ── Page ────────────────────────────────────────────────────────────────────────────────────
const title = el('h1', { className: 'title', text: 'Runs', attrs: { 'data-testid': 'title' } });
const subtitle = el('p', { className: 'muted subtitle', attrs: { 'data-testid': 'subtitle' } });
const filterInput = el('input', { attrs: { type: 'search', placeholder: "Filter: metrics.loss < 0.5 and params.optimizer = 'adam'", 'aria-label': 'Filter runs (MLflow search syntax)', spellcheck: 'false', 'data-testid': 'filter' } });
const filterError = el('p', { className: 'error rt-filter-error', attrs: { role: 'alert', 'data-testid': 'filter-error' } });
const chips = el('div', { className: 'rt-chips', attrs: { 'data-testid': 'chips' } });
const button = (text: string, action: string, titleText?: string) => el('button', { text, attrs: { type: 'button', 'data-action': action, ...(titleText ? { title: titleText } : {}) } });
const columnsButton = button('Columns…', 'columns', 'Choose, reorder and pin columns');
const groupButton = button('Group by…', 'group-by', 'Group rows by params or tags, with mean ± std per metric');
const exportButton = button('Export CSV…', 'export-csv', 'All matching runs with the shown columns');
const compareButton = button('Compare', 'compare', 'Open the selected runs in Compare');
const groupedBox = el('input', { attrs: { type: 'checkbox', 'data-control': 'compare-grouped' } });
const groupedLabel = el('label', { className: 'toggle', attrs: { title: 'Charts draw each group as a mean line with a band' } }, [groupedBox, document.createTextNode(' as groups')]);
const diffButton = button('Diff Notebooks', 'diff-notebooks', 'Diff the notebooks of two selected runs');
const tagButton = button('Add Tag…', 'add-tag');
const pinButton = button('Pin', 'pin');
const unpinButton = button('Unpin', 'unpin');
const deleteButton = button('Delete', 'delete', 'Delete the selected runs (with Undo)');
const status = el('span', { className: 'muted status', attrs: { role: 'status', 'data-testid': 'status' } });
const alertBox = el('p', { className: 'error alert', attrs: { role: 'alert', 'data-testid': 'alert' } });
const popover = new Popover();
const context: TableContext = { lines: undefined as unknown as Lines, grid: undefined as unknown as RunsGrid, layout, selection, fetchIds, rpc, setStatus };
const lines = new Lines((group, total) => new PagedRows((offset, limit, ids) => fetchRows(offset, limit, ids, group), total, () => grid.refresh(), showError));
const chooser = new ColumnChooser(layout, { onChange: () => columnsChanged(), onPreset: (preset) => void applyView({ preset }, true) });
const grid = new RunsGrid(layout, lines, {
  isSelected: (runId) => selection.has(runId),
  sparkline: (runId) => sparks.get(runId),
  groupBy: () => view?.groupBy ?? [],
  onSort: (id, multi) => {
    layout.toggleSort(id, multi);
    void applyView({}, true);
  },
  onHeaderMenu: openColumnMenu,
  onResize: (id, width, done) => {
    layout.setWidth(id, width);
    grid.relayout();
    if (done) void applyView({}, false);
  },
  onMove: (id, before) => {
    layout.move(id, before);
    columnsChanged();
  },
  onRowPointer,
  onOpen: openLine,
  onToggleGroup: toggleGroup,
  onWindow: (from, to, columns) => {
    lines.ensure(from, to, withKeyColumns(columns));
    requestSparklines(from, to);
    if (restoreScroll === undefined) app.setAttribute('aria-busy', 'false');
  },
  onScroll: () => scheduleSave(),
});
context.lines = lines;
context.grid = grid;

app.replaceChildren(
  el('header', { className: 'panel-head rt-head-panel' }, [
    title,
    subtitle,
    el('div', { className: 'controls rt-toolbar' }, [filterInput, columnsButton, groupButton, exportButton]),
    filterError,
    chips,
    el('div', { className: 'controls rt-actions', attrs: { role: 'toolbar', 'aria-label': 'Selected runs' } }, [compareButton, groupedLabel, diffButton, tagButton, pinButton, unpinButton, deleteButton, status]),
    alertBox,
  ]),
  el('div', { className: 'rt-main' }, [grid.root, chooser.root]),
  popover.root,
);

// ── Data ────────────────────────────────────────────────────────────────────────────────────
/** The run name and status come with every page (type-to-find, the status colour), shown or not. */
function withKeyColumns(ids: readonly string[]): string[] {
  const out = [...ids];
  for (const id of ['attributes.run_name', 'attributes.status']) if (layout.def(id) && !out.includes(id)) out.push(id);
  return out;
}

function fetchRows(offset: number, limit: number, columnIds: readonly string[], group: readonly Cell[] | undefined): Promise<RowPage> {
  return rpc.request('getRows', { offset, limit, columnIds, ...(group ? { group } : {}) });
}

function fetchIds(offset: number, limit: number, group: readonly Cell[] | undefined): Promise<RowPage> {
  return rpc.request('getRows', { offset, limit, columnIds: [], ...(group ? { group } : {}) });
}

function showError(err: unknown): void {
  alertBox.textContent = `Could not read the runs: ${errorMessage(err)}`;
}

function setStatus(text: string): void {
  status.textContent = text;
}

function describeTitle(s: TableSchema): void {
  const names = s.experiments.map((e) => e.name);
  title.textContent = names.length === 1 ? `Runs of ${names[0] ?? ''}` : `Runs of ${names.length} experiments`;
  subtitle.textContent = `${names.join(' · ')} — ${s.storeLabel}`;
}

async function load(): Promise<void> {
  try {
    init(await rpc.request('getSchema', null));
  } catch (err) {
    showError(err);
    app.setAttribute('aria-busy', 'false');
  }
}

function init(next: TableSchema): void {
  schema = next;
  view = next.view;
  saved = { ...saved, store: next.store, experimentIds: next.experiments.map((e) => e.experimentId) };
  // Saved at once (scroll and selection as they were read): the host revives the panel after a
  // reload from the store and experiment ids, even when the user never scrolled or selected.
  api.setState(saved);
  describeTitle(next);
  layout.load(next.columns, next.view.columns, next.view.sort, [], next.view.sparklineMetric);
  filterInput.value = next.view.filter;
  chooser.setPreset(next.view.preset);
  filterError.textContent = next.error ?? '';
  renderChips();
  grid.relayout();
  if (next.view.preset !== 'all') void applyView({}, true);
  else void reloadRows(next.total);
}

/** Sends the view to the host (which pushes it down and saves it); reloads rows when they depend on it. */
async function applyView(patch: Partial<TableView>, rows: boolean): Promise<void> {
  if (!view) return;
  view = { ...view, ...patch, columns: layout.choices(), sort: layout.sort };
  const seq = ++viewSeq;
  grid.relayout();
  renderChips();
  try {
    const result = await rpc.request('setView', { view });
    if (seq !== viewSeq) return;
    filterError.textContent = result.error ?? '';
    if (result.error) return;
    layout.setPresetHidden(result.hiddenByPreset);
    grid.relayout();
    chooser.render();
    if (rows) await reloadRows(result.total);
    else grid.refresh();
  } catch (err) {
    if (seq === viewSeq) showError(err);
  }
}

async function reloadRows(total: number | null): Promise<void> {
  if (!view) return;
  sparks.clear();
  alertBox.textContent = '';
  if (view.groupBy.length > 0) {
    const seq = viewSeq;
    const groups = await rpc.request('getGroups', null).catch((err: unknown) => (showError(err), null));
    if (!groups || seq !== viewSeq) return;
    lines.showGroups(groups, saved.expandedGroups);
  } else {
    lines.showFlat(new PagedRows((offset, limit, ids) => fetchRows(offset, limit, ids, undefined), total, (from, to) => {
      grid.update();
      grid.refreshLines(from, to);
      updateStatus();
    }, showError));
  }
  grid.recount();
  // Another filter, sort or grouping starts at the top; a reload or a store change keeps the place.
  grid.scrollTop = restoreScroll ?? 0;
  restoreScroll = undefined;
  updateStatus();
}

/** Columns were shown, hidden, pinned or moved: save the view; rows reload only for new columns. */
function columnsChanged(): void {
  grid.relayout();
  void applyView({}, false);
}

function requestSparklines(from: number, to: number): void {
  const metric = view?.sparklineMetric;
  if (!metric) return;
  const runIds: string[] = [];
  for (let i = from; i < to; i++) {
    const line = lines.at(i);
    if (line?.kind === 'run' && line.row && !sparks.has(line.row.runId) && !sparkPending.has(line.row.runId)) runIds.push(line.row.runId);
  }
  if (runIds.length === 0) return;
  for (const id of runIds) sparkPending.add(id);
  rpc.request('getSparklines', { runIds, metric, points: 40 })
    .then((answer) => {
      if (view?.sparklineMetric !== metric) return;
      for (const id of runIds) {
        sparks.set(id, answer[id] ?? []);
        grid.paintSparkline(id);
      }
    })
    .catch(showError)
    .finally(() => runIds.forEach((id) => sparkPending.delete(id)));
}

// ── Status, chips, state ────────────────────────────────────────────────────────────────────
function updateStatus(): void {
  const source = lines.flatSource;
  const total = source ? (source.totalKnown === null ? `${source.count}+` : String(source.totalKnown)) : String(lines.groups.reduce((n, g) => n + g.count, 0));
  const groups = lines.grouped ? ` in ${lines.groups.length} groups` : '';
  status.textContent = `${total} runs${groups} · ${selection.size} selected`;
  const none = selection.size === 0;
  for (const b of [compareButton, tagButton, pinButton, unpinButton, deleteButton]) b.disabled = none;
  compareButton.disabled = selection.size < 1;
  diffButton.disabled = selection.size !== 2;
  groupedLabel.hidden = !view || view.groupBy.length === 0;
}

function renderChips(): void {
  if (!view) return;
  const items: HTMLElement[] = view.quickFilters.map((f) => chip(describeFilter(f), () => void applyView({ quickFilters: (view?.quickFilters ?? []).filter((q) => q.columnId !== f.columnId) }, true)));
  if (view.groupBy.length) items.push(chip(`grouped by ${view.groupBy.join(', ')}`, () => void applyView({ groupBy: [] }, true)));
  chips.replaceChildren(...items);
}

function chip(text: string, remove: () => void): HTMLElement {
  const x = el('button', { className: 'rt-chip-x', text: '×', attrs: { type: 'button', 'aria-label': `Remove ${text}` } });
  x.addEventListener('click', remove);
  return el('span', { className: 'rt-chip' }, [el('span', { text }), x]);
}

function describeFilter(f: QuickFilter): string {
  if (f.kind === 'values') return `${f.columnId} in (${f.values.join(', ')})`;
  if (f.min !== undefined && f.max !== undefined) return `${f.min} ≤ ${f.columnId} ≤ ${f.max}`;
  return f.min !== undefined ? `${f.columnId} ≥ ${f.min}` : `${f.columnId} ≤ ${f.max ?? ''}`;
}

let saveQueued = false;
function scheduleSave(): void {
  if (saveQueued) return;
  saveQueued = true;
  requestAnimationFrame(() => {
    saveQueued = false;
    saveState();
  });
}

function saveState(): void {
  saved = { ...saved, scrollTop: grid.scrollTop, selected: selection.list, expandedGroups: lines.grouped ? [...lines.expandedIds] : saved.expandedGroups };
  api.setState(saved);
}

// ── Rows: selection, opening, groups ────────────────────────────────────────────────────────
function selectionChanged(): void {
  grid.paintSelection();
  updateStatus();
  saveState();
}

function onRowPointer(index: number, event: MouseEvent, onCheckbox: boolean): void {
  const line = lines.at(index);
  if (!line || line.kind !== 'run' || !line.row) return;
  const additive = onCheckbox || event.ctrlKey || event.metaKey;
  if (event.shiftKey && selection.anchor !== undefined) {
    const anchor = selection.anchor;
    void idsOfLines(lines, fetchIds, anchor, index, selection.knownIndex).then((ids) => {
      if (!additive) selection.clear();
      selection.add(ids);
      selectionChanged();
    }, showError);
    return;
  }
  if (additive) selection.toggle(line.row.runId);
  else selection.set([line.row.runId]);
  selection.anchor = index;
  selectionChanged();
}

async function selectAll(): Promise<void> {
  setStatus('Selecting every matching run…');
  try {
    const count = lines.grouped ? lines.groups.reduce((n, g) => n + g.count, 0) : (lines.flatSource?.totalKnown ?? 100_000);
    selection.set(await idsOfRange(fetchIds, 0, count, selection.knownIndex));
  } catch (err) {
    showError(err);
  }
  selectionChanged();
}

function openLine(index: number): void {
  const line = lines.at(index);
  if (line?.kind === 'group') toggleGroup(line.group);
  else if (line?.row) rpc.request('openRun', { runId: line.row.runId }).catch(showError);
}

function toggleGroup(group: number): void {
  lines.toggle(group);
  grid.recount();
  saveState();
}

// ── Popovers ────────────────────────────────────────────────────────────────────────────────
function openColumnMenu(id: string, anchor: HTMLElement): void {
  const def = layout.def(id);
  if (!def || !view) return;
  const current = view;
  const seen = new Set<string>();
  for (let i = 0; i < Math.min(lines.count, 2000) && seen.size < 50; i++) {
    const line = lines.at(i);
    const value = line?.kind === 'run' ? line.row?.cells[id] : undefined;
    if (value !== undefined && value !== null) seen.add(String(value));
  }
  popover.open(anchor, `Options for ${def.id}`, columnMenu(
    {
      def,
      sort: layout.sortOf(id).direction,
      pinned: layout.isPinned(id),
      metricValue: layout.metricValue(id),
      grouped: current.groupBy.includes(id),
      sparkline: current.sparklineMetric === def.key,
      filter: current.quickFilters.find((f) => f.columnId === id),
      seenValues: [...seen],
    },
    {
      sort: (descending) => {
        layout.setSort(descending === null ? layout.sort.filter((s) => s.columnId !== id) : [{ columnId: id, descending }]);
        void applyView({}, true);
      },
      filter: (f) => void applyView({ quickFilters: [...current.quickFilters.filter((q) => q.columnId !== id), ...(f ? [f] : [])] }, true),
      pin: (pinned) => {
        layout.setPinned(id, pinned);
        columnsChanged();
      },
      hide: () => {
        layout.setVisible(id, false);
        columnsChanged();
      },
      metricValue: (value) => {
        layout.setMetricValue(id, value);
        grid.relayout();
        // The loaded values are dropped once the host has the new view, so they are fetched again under it.
        void applyView({}, false).then(() => {
          lines.forget(id);
          grid.refresh();
        });
      },
      groupBy: (on) => void applyView({ groupBy: on ? [...current.groupBy, id] : current.groupBy.filter((g) => g !== id) }, true),
      sparkline: (on) => {
        layout.setSparkline(on ? def.key : undefined);
        void applyView({ sparklineMetric: on ? def.key : undefined }, false).then(() => grid.refresh());
      },
    },
    () => popover.close(),
  ));
}

// ── Toolbar ─────────────────────────────────────────────────────────────────────────────────
function act(promise: Promise<unknown>, doing: string): void {
  setStatus(doing);
  promise.then(() => updateStatus(), (err: unknown) => setStatus(`Failed: ${errorMessage(err)}`));
}

filterInput.addEventListener('keydown', (e) => {
  if (e.key === 'Enter') void applyView({ filter: filterInput.value.trim() }, true);
});
filterInput.addEventListener('search', () => {
  if (filterInput.value === '' && view?.filter) void applyView({ filter: '' }, true);
});
columnsButton.addEventListener('click', () => chooser.toggle());
groupButton.addEventListener('click', () => {
  if (!schema || !view) return;
  popover.open(groupButton, 'Group rows by', groupByPicker(layout.defsInOrder, view.groupBy, (groupBy) => {
    popover.close();
    void applyView({ groupBy }, true);
  }));
});
exportButton.addEventListener('click', () => act(rpc.request('exportCsv', null), 'Exporting…'));
compareButton.addEventListener('click', () => act(rpc.request('compareRuns', { runIds: selection.list, grouped: groupedBox.checked && (view?.groupBy.length ?? 0) > 0 }), 'Opening Compare…'));
diffButton.addEventListener('click', () => act(rpc.request('diffNotebooks', { runIds: selection.list }), 'Opening the notebook diff…'));
tagButton.addEventListener('click', () => act(rpc.request('addTag', { runIds: selection.list }), 'Adding a tag…'));
pinButton.addEventListener('click', () => act(rpc.request('pinRuns', { runIds: selection.list, pinned: true }), 'Pinning…'));
unpinButton.addEventListener('click', () => act(rpc.request('pinRuns', { runIds: selection.list, pinned: false }), 'Unpinning…'));
deleteButton.addEventListener('click', () => act(rpc.request('deleteRuns', { runIds: selection.list }), 'Deleting…'));

// ── Keyboard (keyboard.ts): arrows, Home/End, PageUp/PageDown, Enter, Space, Ctrl/Cmd-A/C, type-to-find
grid.root.addEventListener('keydown', gridKeys(context, { openLine, toggleGroup, selectionChanged, selectAll: () => void selectAll() }));

rpc.onEvent((event) => {
  switch (event.type) {
    case 'rows':
      for (const row of event.rows) {
        for (const index of lines.patch(row)) grid.patchLine(index, row.cells);
        if (view?.sparklineMetric) sparks.delete(row.runId);
      }
      return;
    case 'changed':
      restoreScroll = grid.scrollTop;
      init(event.schema);
      return;
    default:
      assertNever(event, 'event');
  }
});

updateStatus();
rpc.ready();
void load();
