// The Runs Table's head: title, filter box (MLflow search syntax) and its error, the chips of the
// quick filters and grouping, the toolbar (columns, group by, export) and the actions on the
// selected runs (compare, diff, tag, pin, delete), the status line and the alert line.
import type { QuickFilter, RunsTableEvent, RunsTableRequests, TableSchema, TableView } from '../../src/protocol/runsTable.ts';
import { errorMessage } from '../../src/shared/errorMessage.ts';
import { el } from '../shared/dom.ts';
import type { RpcClient } from '../shared/rpcClient.ts';
import type { Lines } from './lines.ts';
import type { Selection } from './selection.ts';

export interface ToolbarHooks {
  readonly rpc: RpcClient<RunsTableRequests, RunsTableEvent>;
  readonly selection: Selection;
  readonly lines: Lines;
  view(): TableView | undefined;
  applyView(patch: Partial<TableView>, rows: boolean): void;
  toggleChooser(): void;
  openGroupBy(anchor: HTMLElement): void;
}

function button(text: string, action: string, titleText?: string): HTMLButtonElement {
  return el('button', { text, attrs: { type: 'button', 'data-action': action, ...(titleText ? { title: titleText } : {}) } });
}

export class Toolbar {
  readonly root: HTMLElement;
  private readonly title = el('h1', { className: 'title', text: 'Runs', attrs: { 'data-testid': 'title' } });
  private readonly subtitle = el('p', { className: 'muted subtitle', attrs: { 'data-testid': 'subtitle' } });
  private readonly filterInput = el('input', { attrs: { type: 'search', placeholder: "Filter: metrics.loss < 0.5 and params.optimizer = 'adam'", 'aria-label': 'Filter runs (MLflow search syntax)', spellcheck: 'false', 'data-testid': 'filter' } });
  private readonly filterError = el('p', { className: 'error rt-filter-error', attrs: { role: 'alert', 'data-testid': 'filter-error' } });
  private readonly chips = el('div', { className: 'rt-chips', attrs: { 'data-testid': 'chips' } });
  private readonly compareButton = button('Compare', 'compare', 'Open the selected runs in Compare');
  private readonly groupedBox = el('input', { attrs: { type: 'checkbox', 'data-control': 'compare-grouped' } });
  private readonly groupedLabel = el('label', { className: 'toggle', attrs: { title: 'Charts draw each group as a mean line with a band' } }, [this.groupedBox, document.createTextNode(' as groups')]);
  private readonly diffButton = button('Diff Notebooks', 'diff-notebooks', 'Diff the notebooks of two selected runs');
  private readonly whatChangedButton = button('What Changed', 'what-changed', 'Params, metrics, data, code and environment of two selected runs');
  private readonly tagButton = button('Add Tag…', 'add-tag');
  private readonly pinButton = button('Pin', 'pin');
  private readonly unpinButton = button('Unpin', 'unpin');
  private readonly deleteButton = button('Delete', 'delete', 'Delete the selected runs (with Undo)');
  private readonly status = el('span', { className: 'muted status', attrs: { role: 'status', 'data-testid': 'status' } });
  private readonly alertBox = el('p', { className: 'error alert', attrs: { role: 'alert', 'data-testid': 'alert' } });
  private readonly hooks: ToolbarHooks;

  constructor(hooks: ToolbarHooks) {
    this.hooks = hooks;
    const columnsButton = button('Columns…', 'columns', 'Choose, reorder and pin columns');
    const groupButton = button('Group by…', 'group-by', 'Group rows by params or tags, with mean ± std per metric');
    const exportButton = button('Export CSV…', 'export-csv', 'All matching runs with the shown columns');
    this.root = el('header', { className: 'panel-head rt-head-panel' }, [
      this.title,
      this.subtitle,
      el('div', { className: 'controls rt-toolbar' }, [this.filterInput, columnsButton, groupButton, exportButton]),
      this.filterError,
      this.chips,
      el('div', { className: 'controls rt-actions', attrs: { role: 'toolbar', 'aria-label': 'Selected runs' } }, [
        this.compareButton, this.groupedLabel, this.diffButton, this.whatChangedButton, this.tagButton, this.pinButton, this.unpinButton, this.deleteButton, this.status,
      ]),
      this.alertBox,
    ]);
    this.filterInput.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') hooks.applyView({ filter: this.filterInput.value.trim() }, true);
    });
    this.filterInput.addEventListener('search', () => {
      if (this.filterInput.value === '' && hooks.view()?.filter) hooks.applyView({ filter: '' }, true);
    });
    columnsButton.addEventListener('click', () => hooks.toggleChooser());
    groupButton.addEventListener('click', () => hooks.openGroupBy(groupButton));
    const { rpc, selection } = hooks;
    exportButton.addEventListener('click', () => this.act(rpc.request('exportCsv', null), 'Exporting…'));
    this.compareButton.addEventListener('click', () => this.act(rpc.request('compareRuns', { runIds: selection.list, grouped: this.groupedBox.checked && (hooks.view()?.groupBy.length ?? 0) > 0 }), 'Opening Compare…'));
    this.diffButton.addEventListener('click', () => this.act(rpc.request('diffNotebooks', { runIds: selection.list }), 'Opening the notebook diff…'));
    this.whatChangedButton.addEventListener('click', () => this.act(rpc.request('whatChanged', { runIds: selection.list }), 'Opening What Changed…'));
    this.tagButton.addEventListener('click', () => this.act(rpc.request('addTag', { runIds: selection.list }), 'Adding a tag…'));
    this.pinButton.addEventListener('click', () => this.act(rpc.request('pinRuns', { runIds: selection.list, pinned: true }), 'Pinning…'));
    this.unpinButton.addEventListener('click', () => this.act(rpc.request('pinRuns', { runIds: selection.list, pinned: false }), 'Unpinning…'));
    this.deleteButton.addEventListener('click', () => this.act(rpc.request('deleteRuns', { runIds: selection.list }), 'Deleting…'));
  }

  /** The title and subtitle for the experiments shown; the filter box and its error from the schema. */
  describe(schema: TableSchema): void {
    const names = schema.experiments.map((e) => e.name);
    this.title.textContent = names.length === 1 ? `Runs of ${names[0] ?? ''}` : `Runs of ${names.length} experiments`;
    this.subtitle.textContent = `${names.join(' · ')} — ${schema.storeLabel}`;
    this.filterInput.value = schema.view.filter;
    this.setFilterError(schema.error);
  }

  setFilterError(error: string | undefined): void {
    this.filterError.textContent = error ?? '';
  }

  showError(err: unknown): void {
    this.alertBox.textContent = `Could not read the runs: ${errorMessage(err)}`;
  }

  clearAlert(): void {
    if (this.alertBox.firstChild) this.alertBox.textContent = '';
  }

  setStatus(text: string): void {
    this.status.textContent = text;
  }

  /** The run count, the selection's size, and the actions the selection allows. */
  updateStatus(): void {
    const { lines, selection } = this.hooks;
    const source = lines.flatSource;
    const total = source ? (source.totalKnown === null ? `${source.count}+` : String(source.totalKnown)) : String(lines.groups.reduce((n, g) => n + g.count, 0));
    const groups = lines.grouped ? ` in ${lines.groups.length} groups` : '';
    this.status.textContent = `${total} runs${groups} · ${selection.size} selected`;
    const none = selection.size === 0;
    for (const b of [this.compareButton, this.tagButton, this.pinButton, this.unpinButton, this.deleteButton]) b.disabled = none;
    this.compareButton.disabled = selection.size < 1;
    this.diffButton.disabled = selection.size !== 2;
    this.whatChangedButton.disabled = selection.size !== 2;
    const view = this.hooks.view();
    this.groupedLabel.hidden = !view || view.groupBy.length === 0;
  }

  /** One chip per quick filter and one for the grouping, each with a button that removes it. */
  renderChips(): void {
    const view = this.hooks.view();
    if (!view) return;
    const items: HTMLElement[] = view.quickFilters.map((f) => chip(describeFilter(f), () => this.hooks.applyView({ quickFilters: (this.hooks.view()?.quickFilters ?? []).filter((q) => q.columnId !== f.columnId) }, true)));
    if (view.groupBy.length) items.push(chip(`grouped by ${view.groupBy.join(', ')}`, () => this.hooks.applyView({ groupBy: [] }, true)));
    this.chips.replaceChildren(...items);
  }

  private act(promise: Promise<unknown>, doing: string): void {
    this.setStatus(doing);
    promise.then(() => this.updateStatus(), (err: unknown) => this.setStatus(`Failed: ${errorMessage(err)}`));
  }
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
