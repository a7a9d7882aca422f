// The Runs Table panel (issue 14): every run of one or more experiments as a table whose sort,
// filter and grouping are pushed down to the store by the host; the page pages rows in as the user
// scrolls and keeps only the visible window of rows and columns in the DOM. This file wires the
// parts together and keeps the view: the head (toolbar.ts), the grid (grid.ts), the column
// chooser and menus, row actions (rowActions.ts), keys (keyboard.ts) and sparklines.
import type { Cell, RowPage, RunsTableEvent, RunsTableRequests, RunsTableState, TableSchema, TableView } from '../../src/protocol/runsTable.ts';
import { assertNever } from '../../src/protocol/rpc.ts';
import { el } from '../shared/dom.ts';
import { RpcClient } from '../shared/rpcClient.ts';
import { vscodeApi } from '../shared/vscodeApi.ts';
import { ColumnChooser } from './chooser.ts';
import { openColumnMenu, type ColumnMenuContext } from './columnMenu.ts';
import { ColumnLayout } from './columns.ts';
import { RunsGrid } from './grid.ts';
import { gridKeys, type TableContext } from './keyboard.ts';
import { Lines } from './lines.ts';
import { groupByPicker, Popover } from './menus.ts';
import { RowActions } from './rowActions.ts';
import { PAGE_ROWS, PagedRows } from './rowCache.ts';
import { Selection } from './selection.ts';
import { Sparklines } from './sparklines.ts';
import { readState } from './state.ts';
import { Toolbar } from './toolbar.ts';

const api = vscodeApi<RunsTableState>();
const rpc = new RpcClient<RunsTableRequests, RunsTableEvent>(api, window, 60_000);
const app = document.getElementById('app') as HTMLElement;
let saved = readState(api.getState());
let view: TableView | undefined;
let viewSeq = 0;
/** Counts the views that reload the rows (another filter, sort or grouping): group answers asked before are for an older one. */
let reloadSeq = 0;
/** The columns the grid's window shows now (with the key columns): what a new view's first page is read in. */
let windowColumns: readonly string[] = [];
/** Columns taken as the window before the grid has laid one out (a table opened grouped). */
const FIRST_WINDOW_COLUMNS = 30;
let restoreScroll: number | undefined = saved.scrollTop;
const selection = new Selection();
selection.set(saved.selected);
const layout = new ColumnLayout();

// ── Page ────────────────────────────────────────────────────────────────────────────────────
const popover = new Popover();
const lines = new Lines((group, total) => new PagedRows((offset, limit, ids) => fetchRows(offset, limit, ids, group), total, () => grid.refresh(), showError));
const toolbar = new Toolbar({
  rpc,
  selection,
  lines,
  view: () => view,
  applyView: (patch, rows) => void applyView(patch, rows),
  toggleChooser: () => chooser.toggle(),
  openGroupBy: (anchor) => {
    if (!view) return;
    popover.open(anchor, 'Group rows by', groupByPicker(layout.defsInOrder, view.groupBy, (groupBy) => {
      popover.close();
      void applyView({ groupBy }, true);
    }));
  },
});
const chooser = new ColumnChooser(layout, { onChange: () => columnsChanged(), onPreset: (preset) => void applyView({ preset }, true) });
const sparklines = new Sparklines({ rpc, lines, metric: () => view?.sparklineMetric, paint: (runId) => grid.paintSparkline(runId), onError: showError });
const grid = new RunsGrid(layout, lines, {
  isSelected: (runId) => selection.has(runId),
  sparkline: (runId) => sparklines.get(runId),
  groupBy: () => view?.groupBy ?? [],
  groupMetricPending: (id) => !lines.hasGroupMetric(id),
  onSort: (id, multi) => {
    layout.toggleSort(id, multi);
    void applyView({}, true);
  },
  onHeaderMenu: (id, anchor) => openColumnMenu(menuContext, id, anchor),
  onResize: (id, width, done) => {
    layout.setWidth(id, width);
    grid.relayout();
    if (done) void applyView({}, false);
  },
  onMove: (id, before) => {
    layout.move(id, before);
    columnsChanged();
  },
  onRowPointer: (index, event, onCheckbox) => rows.pointer(index, event, onCheckbox),
  onOpen: (index) => rows.openLine(index),
  onToggleGroup: (group) => rows.toggleGroup(group),
  onWindow: (from, to, columns) => {
    windowColumns = withKeyColumns(columns);
    lines.ensure(from, to, windowColumns);
    if (lines.grouped && lines.groups.length > 0) ensureGroupMetrics(windowColumns);
    sparklines.request(from, to);
    if (restoreScroll === undefined) app.setAttribute('aria-busy', 'false');
  },
  onScroll: () => scheduleSave(),
});
const context: TableContext = { lines, grid, layout, selection, fetchIds, rpc, setStatus: (text) => toolbar.setStatus(text) };
const rows = new RowActions(context, {
  changed: () => {
    toolbar.updateStatus();
    saveState();
  },
  onError: showError,
});
const menuContext: ColumnMenuContext = { layout, lines, grid, popover, view: () => view, applyView, columnsChanged };

app.replaceChildren(toolbar.root, el('div', { className: 'rt-main' }, [grid.root, chooser.root]), popover.root);

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
  toolbar.showError(err);
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
  view = next.view;
  saved = { ...saved, store: next.store, experimentIds: next.experiments.map((e) => e.experimentId) };
  // Saved at once (scroll and selection as they were read): the host revives the panel after a
  // reload from the store and experiment ids, even when the user never scrolled or selected.
  api.setState(saved);
  layout.load(next.columns, next.view.columns, next.view.sort, [], next.view.sparklineMetric);
  toolbar.describe(next);
  chooser.setPreset(next.view.preset);
  toolbar.renderChips();
  if (next.view.preset !== 'all') {
    grid.relayout();
    void applyView({}, true);
  } else {
    // The first layout and the first rows' request come in one render.
    void reloadRows(next.total, true);
  }
}

/** Sends the view to the host (which pushes it down and saves it); reloads rows when they depend on it. */
async function applyView(patch: Partial<TableView>, reload: boolean): Promise<void> {
  if (!view) return;
  view = { ...view, ...patch, columns: layout.choices(), sort: layout.sort };
  const seq = ++viewSeq;
  if (reload) reloadSeq++;
  // A flat view's first page comes with the answer, in the columns on screen now (a new view starts
  // at the top). Asked before the page lays itself out again, so the host works meanwhile.
  const first = reload && view.groupBy.length === 0 && windowColumns.length > 0 ? { offset: 0, limit: PAGE_ROWS, columnIds: windowColumns } : undefined;
  const answer = rpc.request('setView', { view, ...(first ? { rows: first } : {}) });
  // Rows that reload are drawn once, when they come: only the header (sort marks) changes now.
  if (reload) grid.refreshHeader();
  else grid.relayout();
  toolbar.renderChips();
  try {
    const result = await answer;
    if (seq !== viewSeq) return;
    toolbar.setFilterError(result.error);
    if (result.error) return;
    if (layout.setPresetHidden(result.hiddenByPreset)) grid.relayout();
    chooser.render();
    if (reload) await reloadRows(result.total, false, first && result.page ? { page: result.page, columnIds: first.columnIds } : undefined);
    else grid.refresh();
  } catch (err) {
    if (seq === viewSeq) showError(err);
  }
}

/** Shows the view's rows (flat or grouped) from the top, or where a reload or store change left them. */
async function reloadRows(total: number | null, relayout = false, seed?: { readonly page: RowPage; readonly columnIds: readonly string[] }): Promise<void> {
  if (!view) return;
  sparklines.clear();
  toolbar.clearAlert();
  // Another filter, sort or grouping starts at the top; a reload or a store change keeps the place.
  // The top is set before the new lines are built, so the browser lays out the old ones (already
  // laid out) and not the new ones twice.
  if (restoreScroll === undefined && grid.scrollTop !== 0) grid.scrollTop = 0;
  if (view.groupBy.length > 0) {
    if (relayout) grid.relayout();
    const seq = viewSeq;
    // The aggregates of the metric columns on screen (each costs a pass over every run's value);
    // others are asked for as they scroll into view.
    const metricColumns = metricIds(windowColumns.length > 0 ? windowColumns : [...layout.pinned, ...layout.center.slice(0, FIRST_WINDOW_COLUMNS)].map((c) => c.id));
    const groups = await rpc.request('getGroups', { metricColumns }).catch((err: unknown) => (showError(err), null));
    if (!groups || seq !== viewSeq) return;
    lines.showGroups(groups, saved.expandedGroups, metricColumns);
    grid.recount();
    prepareColumnsWhenIdle();
  } else {
    const flat = new PagedRows((offset, limit, ids) => fetchRows(offset, limit, ids, undefined), total, (from, to) => {
      grid.linesArrived(from, to);
      toolbar.updateStatus();
      prepareColumnsWhenIdle();
    }, showError);
    if (seed) flat.seed(seed.page, seed.columnIds);
    lines.showFlat(flat);
    if (relayout) grid.relayout();
    else grid.recount();
  }
  if (restoreScroll !== undefined) grid.scrollTop = restoreScroll;
  restoreScroll = undefined;
  toolbar.updateStatus();
}

/** The metric columns among `ids`. */
function metricIds(ids: readonly string[]): string[] {
  return ids.filter((id) => layout.def(id)?.kind === 'metric');
}

/**
 * Asks for the group aggregates of the window's metric columns that the groups lack; draws them
 * when they come. A failed ask is not repeated (it would be, at every frame) until the groups are
 * shown again; an answer for a view the page has since left (another filter or grouping on its way)
 * is dropped, and its columns asked for again by the groups that view brings.
 */
function ensureGroupMetrics(ids: readonly string[]): void {
  const missing = lines.claimGroupMetrics(metricIds(ids));
  if (missing.length === 0) return;
  const shown = lines.generation;
  const reloads = reloadSeq;
  rpc.request('getGroups', { metricColumns: missing }).then(
    (more) => {
      if (lines.generation !== shown) return;
      if (reloads !== reloadSeq) return lines.releaseGroupMetrics(missing);
      lines.mergeGroupMetrics(more);
      grid.refresh();
    },
    (err: unknown) => {
      if (lines.generation === shown) showError(err);
    },
  );
}

/** TanStack's table over every column is built once the first lines are drawn (see columns.ts). */
function prepareColumnsWhenIdle(): void {
  requestIdleCallback(() => layout.prepare(), { timeout: 2000 });
}

/** Columns were shown, hidden, pinned or moved: save the view; rows reload only for new columns. */
function columnsChanged(): void {
  grid.relayout();
  void applyView({}, false);
}

// ── State ───────────────────────────────────────────────────────────────────────────────────
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

// ── Keyboard (keyboard.ts): arrows, Home/End, PageUp/PageDown, Enter, Space, Ctrl/Cmd-A/C, type-to-find
grid.root.addEventListener('keydown', gridKeys(context, rows));

rpc.onEvent((event) => {
  switch (event.type) {
    case 'rows':
      for (const row of event.rows) {
        for (const index of lines.patch(row)) grid.patchLine(index, row.cells);
        if (view?.sparklineMetric) sparklines.forget(row.runId);
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

toolbar.updateStatus();
rpc.ready();
void load();
