// The comparison table: keys as rows and runs as columns (or transposed), sorted by TanStack Table,
// both axes virtualized by TanStack Virtual so only the cells on screen exist (100 runs × 500 keys
// scroll like 10 × 10). A native <table> keeps its semantics; spacer cells stand in for the rest.
import {
  constructTable,
  createSortedRowModel,
  rowSortingFeature,
  tableFeatures,
  type Row,
} from '@tanstack/table-core';
import { storeReactivityBindings } from '@tanstack/table-core/store-reactivity-bindings';
import { elementScroll, observeElementOffset, observeElementRect, Virtualizer } from '@tanstack/virtual-core';
import type { CompareModel, CompareRow, CompareValue, MetricAggregate } from '../../src/protocol/compare.ts';
import { el } from '../shared/dom.ts';
import { compareValues, formatValue } from './format.ts';

export const ROW_HEIGHT = 26;

/**
 * TanStack's elementScroll, except to where the table already is: the virtualizers ask for that
 * on every show, and the browser, which would not move, still lays out the whole page first.
 */
const scrollUnlessThere: typeof elementScroll = (offset, options, instance) => {
  if (offset + (options.adjustments ?? 0) === (instance.scrollOffset ?? 0)) return;
  elementScroll(offset, options, instance);
};

/**
 * The scroller's size from a ResizeObserver only: TanStack's observeElementRect also reads it at
 * once, which lays the page out before the rows exist (and again after). Until the observer's
 * first report (before the first paint) the window's size stands in for it (initialRect).
 */
const observeRectWhenLaidOut: typeof observeElementRect = (instance, cb) => {
  const element = instance.scrollElement;
  if (!element) return undefined;
  const observer = new ResizeObserver(() => cb({ width: element.clientWidth, height: element.clientHeight }));
  observer.observe(element, { box: 'content-box' });
  return () => observer.disconnect();
};
const COLUMN_WIDTH = 150;
const KEY_WIDTH = 260;

export interface TableOptions {
  readonly aggregate: MetricAggregate;
  readonly diffOnly: boolean;
  readonly transposed: boolean;
  readonly sort: { readonly column: string; readonly desc: boolean } | null;
}

export interface TableCallbacks {
  onSort(sort: TableOptions['sort']): void;
  onToggleDirection(key: string): void;
}

/** One rendered line: a compare row (keys as rows) or a run (transposed). */
interface Line {
  readonly id: string;
  readonly header: string;
  readonly kind: string;
  readonly row?: CompareRow;
  readonly runIndex?: number;
}

/** One value column: a run (keys as rows) or a compare row (transposed). */
interface Column {
  readonly id: string;
  readonly header: string;
  readonly kind: string;
  readonly row?: CompareRow;
  readonly runIndex?: number;
}

const features = tableFeatures({ coreReactivityFeature: storeReactivityBindings(), rowSortingFeature, sortedRowModel: createSortedRowModel() });

function rowValue(row: CompareRow, aggregate: MetricAggregate, runIndex: number): CompareValue {
  const values = row.metric ? row.metric.values[aggregate] : (row.values ?? []);
  return values[runIndex] ?? null;
}

function rowDiffers(row: CompareRow, aggregate: MetricAggregate): boolean {
  return row.metric ? row.metric.differs[aggregate] : (row.differs ?? false);
}

export class CompareTableView {
  readonly root: HTMLElement;
  private readonly scroller: HTMLElement;
  private readonly table: HTMLTableElement;
  private readonly head: HTMLTableSectionElement;
  private readonly body: HTMLTableSectionElement;
  private readonly rowVirtualizer: Virtualizer<HTMLElement, Element>;
  private readonly columnVirtualizer: Virtualizer<HTMLElement, Element>;
  private model: CompareModel | null = null;
  private options: TableOptions = { aggregate: 'last', diffOnly: false, transposed: false, sort: null };
  private lines: Line[] = [];
  private columns: Column[] = [];
  private rendering = false;
  private readonly callbacks: TableCallbacks;

  constructor(callbacks: TableCallbacks) {
    this.callbacks = callbacks;
    this.head = el('thead');
    this.body = el('tbody');
    this.table = el('table', { className: 'compare-table', attrs: { 'data-testid': 'compare-table' } }, [this.head, this.body]);
    this.scroller = el('div', { className: 'table-scroll', attrs: { tabindex: '0', role: 'region', 'aria-label': 'Comparison table' } }, [this.table]);
    this.root = this.scroller;
    const common = {
      getScrollElement: () => this.scroller,
      scrollToFn: scrollUnlessThere,
      observeElementRect: observeRectWhenLaidOut,
      observeElementOffset,
      initialRect: { width: window.innerWidth, height: window.innerHeight },
      onChange: () => this.render(),
    };
    this.rowVirtualizer = new Virtualizer<HTMLElement, Element>({ ...common, count: 0, estimateSize: () => ROW_HEIGHT, overscan: 10 });
    this.columnVirtualizer = new Virtualizer<HTMLElement, Element>({ ...common, count: 0, estimateSize: () => COLUMN_WIDTH, overscan: 2, horizontal: true });
    this.rowVirtualizer._didMount();
    this.columnVirtualizer._didMount();
    this.head.addEventListener('click', (e) => this.onHeadClick(e));
    this.body.addEventListener('click', (e) => {
      const button = (e.target as HTMLElement).closest<HTMLElement>('button[data-direction-key]');
      if (button?.dataset.directionKey !== undefined) this.callbacks.onToggleDirection(button.dataset.directionKey);
    });
  }

  show(model: CompareModel, options: TableOptions): void {
    this.model = model;
    this.options = options;
    this.build();
    this.rowVirtualizer.setOptions({ ...this.rowVirtualizer.options, count: this.lines.length });
    this.columnVirtualizer.setOptions({ ...this.columnVirtualizer.options, count: this.columns.length });
    this.rowVirtualizer._willUpdate();
    this.columnVirtualizer._willUpdate();
    this.render();
  }

  /**
   * Lines and columns for the view, lines sorted by TanStack Table. Without a sort on a column the
   * view has, the lines keep the model's order and no table is made (on a first open, making one
   * took 2 ms of code not yet compiled, for nothing).
   */
  private build(): void {
    const model = this.model as CompareModel;
    const { aggregate, diffOnly, transposed } = this.options;
    const rows = model.rows.filter((r) => !diffOnly || rowDiffers(r, aggregate));
    const runLines = model.runs.map((run, i) => ({ id: `run:${run.runId}`, header: run.label, kind: 'run', runIndex: i }));
    const rowLines = rows.map((row) => ({ id: row.id, header: row.key, kind: row.kind, row }));
    const lines: Line[] = transposed ? runLines : rowLines;
    this.columns = transposed ? rowLines : runLines;
    const headerId = transposed ? 'run' : 'key';
    const sort = this.options.sort;
    if (!sort || (sort.column !== headerId && !this.columns.some((c) => c.id === sort.column))) {
      this.lines = lines;
      return;
    }
    const valueOf = (line: Line, column: Column): CompareValue => {
      const row = (line.row ?? column.row) as CompareRow;
      return rowValue(row, aggregate, (line.runIndex ?? column.runIndex) as number);
    };
    const sortFn = (a: Row<typeof features, Line>, b: Row<typeof features, Line>, id: string) => compareValues(a.getValue<CompareValue>(id), b.getValue<CompareValue>(id));
    const table = constructTable({
      features,
      data: lines,
      getRowId: (line: Line) => line.id,
      columns: [
        { id: headerId, accessorFn: (line: Line) => line.header, sortFn, sortUndefined: 'last' },
        // Missing values are undefined to TanStack, so they sort last in both directions.
        ...this.columns.map((column) => ({ id: column.id, accessorFn: (line: Line) => valueOf(line, column) ?? undefined, sortFn, sortUndefined: 'last' as const })),
      ],
      initialState: { sorting: [{ id: sort.column, desc: sort.desc }] },
    } as unknown as Parameters<typeof constructTable<typeof features, Line>>[0]);
    this.lines = table.getRowModel().rows.map((r) => r.original);
  }

  private render(): void {
    if (!this.model || this.rendering) return;
    this.rendering = true;
    try {
      this.renderNow(this.model);
    } finally {
      this.rendering = false;
    }
  }

  private renderNow(model: CompareModel): void {
    const { aggregate, transposed, sort } = this.options;
    const rowItems = this.rowVirtualizer.getVirtualItems();
    const colItems = this.columnVirtualizer.getVirtualItems();
    const totalWidth = this.columnVirtualizer.getTotalSize();
    const leftPad = colItems[0]?.start ?? 0;
    const rightPad = totalWidth - (colItems.at(-1)?.end ?? 0);
    this.table.setAttribute('aria-rowcount', String(this.lines.length + 1));
    this.table.setAttribute('aria-colcount', String(this.columns.length + 1));
    this.table.style.width = `${KEY_WIDTH + totalWidth}px`;

    const headerId = transposed ? 'run' : 'key';
    const sortButton = (id: string, label: string, title: string): HTMLElement => {
      const sorted = sort?.column === id ? (sort.desc ? 'descending' : 'ascending') : 'none';
      const th = el('th', { attrs: { scope: 'col', 'aria-sort': sorted, 'data-column': id } }, [
        el('button', { className: 'sort', text: label, attrs: { type: 'button', title, 'data-sort': id } }),
      ]);
      return th;
    };
    const corner = sortButton(headerId, transposed ? 'Run' : 'Key', transposed ? 'Sort the runs by name' : 'Sort by key');
    corner.classList.add('sticky-col');
    corner.style.width = `${KEY_WIDTH}px`;
    const headCells: HTMLElement[] = [corner, spacer('th', leftPad)];
    for (const item of colItems) {
      const column = this.columns[item.index] as Column;
      const th = sortButton(column.id, column.header, `Sort by ${column.header}`);
      th.setAttribute('aria-colindex', String(item.index + 2));
      th.style.width = `${COLUMN_WIDTH}px`;
      if (column.kind !== 'run') th.append(el('span', { className: `kind kind-${column.kind}`, text: column.kind }));
      headCells.push(th);
    }
    headCells.push(spacer('th', rightPad));
    this.head.replaceChildren(el('tr', { attrs: { 'aria-rowindex': '1' } }, headCells));

    const span = colItems.length + 3;
    const top = rowItems[0]?.start ?? 0;
    const bottom = this.rowVirtualizer.getTotalSize() - (rowItems.at(-1)?.end ?? 0);
    const trs: HTMLElement[] = [spacerRow(top, span)];
    for (const item of rowItems) {
      const line = this.lines[item.index] as Line;
      const th = el('th', { className: 'sticky-col', attrs: { scope: 'row' } }, [el('span', { className: 'key', text: line.header, attrs: { title: line.header } })]);
      if (line.kind !== 'run') th.append(el('span', { className: `kind kind-${line.kind}`, text: line.kind }));
      if (line.row?.metric) th.append(directionButton(line.row));
      const cells: HTMLElement[] = [th, spacer('td', leftPad)];
      for (const c of colItems) {
        const column = this.columns[c.index] as Column;
        const row = (line.row ?? column.row) as CompareRow;
        const runIndex = (line.runIndex ?? column.runIndex) as number;
        const value = rowValue(row, aggregate, runIndex);
        const best = row.metric?.best[aggregate].includes(runIndex) ?? false;
        const td = el('td', {
          className: `${typeof value === 'number' ? 'num' : ''}${value === null ? ' missing' : ''}${best ? ' best' : ''}`,
          text: formatValue(value),
          attrs: { 'aria-colindex': String(c.index + 2), 'data-row': row.id, 'data-run': model.runs[runIndex]?.runId ?? '' },
        });
        if (best) td.setAttribute('aria-description', 'best value');
        if (typeof value === 'string' && value.length > 18) td.title = value;
        cells.push(td);
      }
      cells.push(spacer('td', rightPad));
      trs.push(el('tr', { className: `line kind-${line.kind}`, attrs: { 'aria-rowindex': String(item.index + 2), 'data-line': line.id } }, cells));
    }
    trs.push(spacerRow(bottom, span));
    this.body.replaceChildren(...trs);
  }

  private onHeadClick(e: Event): void {
    const id = (e.target as HTMLElement).closest<HTMLElement>('button[data-sort]')?.dataset.sort;
    if (id === undefined) return;
    const current = this.options.sort;
    // Ascending, descending, then unsorted.
    const next = current?.column !== id ? { column: id, desc: false } : current.desc ? null : { column: id, desc: true };
    this.callbacks.onSort(next);
  }

  /** Scrolls so that line `index` is on screen (for tests and keyboard users). */
  scrollToLine(index: number): void {
    this.rowVirtualizer.scrollToIndex(index, { align: 'start' });
  }

  get lineCount(): number {
    return this.lines.length;
  }
}

function directionButton(row: CompareRow): HTMLElement {
  const lower = row.metric?.direction === 'lower';
  return el('button', {
    className: `direction${row.metric?.guessed ? '' : ' chosen'}`,
    text: lower ? '↓' : '↑',
    attrs: {
      type: 'button',
      'data-direction-key': row.key,
      'aria-label': `${lower ? 'Lower' : 'Higher'} is better for ${row.key}${row.metric?.guessed ? ' (guessed from the name)' : ''}; press to switch`,
      title: `${lower ? 'Lower' : 'Higher'} is better${row.metric?.guessed ? ' (guessed)' : ''}: click to switch`,
    },
  });
}

function spacer(tag: 'th' | 'td', width: number): HTMLElement {
  const cell = el(tag, { className: 'spacer', attrs: { 'aria-hidden': 'true' } });
  cell.style.width = `${width}px`;
  if (width === 0) cell.classList.add('empty');
  return cell;
}

function spacerRow(height: number, span: number): HTMLElement {
  const td = el('td', { attrs: { colspan: String(span) } });
  const tr = el('tr', { className: 'spacer-row', attrs: { 'aria-hidden': 'true' } }, [td]);
  tr.style.height = `${height}px`;
  if (height === 0) tr.classList.add('empty');
  return tr;
}
