// The Runs Table grid: an ARIA grid of divs in one scroller, rows AND columns virtualised by
// TanStack Virtual, so the DOM holds only the lines and columns on screen (plus overscan) whatever
// the run and column counts. Row elements are kept by line while the column window stays put, so
// a vertical scroll builds only the lines that came into view; a live patch rewrites only the
// patched cells. Geometry is set through the CSSOM (element.style), which the CSP allows. The
// header rows are drawn by gridHeader.ts, the lines by gridBody.ts.
import { elementScroll, observeElementOffset, observeElementRect, Virtualizer } from '@tanstack/virtual-core';
import type { Cell } from '../../src/protocol/runsTable.ts';
import { el } from '../shared/dom.ts';
import { cellId, lineOf, sparklineSvg } from './cells.ts';
import { SPARK_ID, type ColumnLayout } from './columns.ts';
import { formatCell, MISSING } from './format.ts';
import { renderLine, type LineHooks } from './gridBody.ts';
import { HEAD_ROW_HEIGHT, renderHeader, wireHeader, type HeaderHooks, type HeaderWindow } from './gridHeader.ts';
import type { Lines } from './lines.ts';

export const ROW_HEIGHT = 26;
/** Columns fetched beyond each side of the window, so a small sideways scroll finds them loaded. */
const COLUMN_OVERSCAN = 8;

export interface GridHooks extends LineHooks, HeaderHooks {
  onRowPointer(line: number, event: MouseEvent, onCheckbox: boolean): void;
  onOpen(line: number): void;
  onToggleGroup(group: number): void;
  /** At every render, before its lines are built: the lines and the columns on screen (to fetch rows and sparklines for). */
  onWindow(from: number, to: number, columns: readonly string[]): void;
  onScroll(scrollTop: number): void;
}

export class RunsGrid {
  readonly root: HTMLElement;
  private readonly head: HTMLElement;
  private readonly groupRow: HTMLElement;
  private readonly headerRow: HTMLElement;
  private readonly body: HTMLElement;
  private readonly rowV: Virtualizer<HTMLElement, Element>;
  private readonly colV: Virtualizer<HTMLElement, Element>;
  private readonly rendered = new Map<number, HTMLElement>();
  private windowKey = '';
  private rendering = false;
  private active = { line: 0, col: 1 };
  private readonly layout: ColumnLayout;
  private readonly lines: Lines;
  private readonly hooks: GridHooks;
  private headRows = 1;

  constructor(layout: ColumnLayout, lines: Lines, hooks: GridHooks) {
    this.layout = layout;
    this.lines = lines;
    this.hooks = hooks;
    this.groupRow = el('div', { className: 'rt-row rt-head-row rt-prefix-row', attrs: { role: 'row', 'aria-rowindex': '1' } });
    this.headerRow = el('div', { className: 'rt-row rt-head-row', attrs: { role: 'row' } });
    this.head = el('div', { className: 'rt-head', attrs: { role: 'rowgroup' } }, [this.groupRow, this.headerRow]);
    this.body = el('div', { className: 'rt-body', attrs: { role: 'rowgroup' } });
    this.root = el('div', {
      className: 'rt-scroll',
      attrs: { role: 'grid', tabindex: '0', 'aria-label': 'Runs', 'aria-multiselectable': 'true', 'data-testid': 'grid' },
    }, [this.head, this.body]);
    const common = {
      getScrollElement: () => this.root,
      scrollToFn: elementScroll,
      observeElementRect,
      observeElementOffset,
      initialRect: { width: 1200, height: 600 },
      onChange: () => this.render(),
    };
    this.rowV = new Virtualizer<HTMLElement, Element>({ ...common, count: 0, estimateSize: () => ROW_HEIGHT, overscan: 12, scrollMargin: HEAD_ROW_HEIGHT });
    this.colV = new Virtualizer<HTMLElement, Element>({ ...common, count: 0, estimateSize: (i) => this.layout.center[i]?.width ?? 100, overscan: 3, horizontal: true });
    this.rowV._didMount();
    this.colV._didMount();
    wireHeader(this.head, this.layout, this.hooks);
    this.wireBody();
    this.root.addEventListener('scroll', () => this.hooks.onScroll(this.root.scrollTop), { passive: true });
  }

  /** The columns or their widths changed: re-measure them and rebuild what is shown. */
  relayout(): void {
    const hasPrefix = this.layout.all.some((c) => c.group !== undefined);
    this.headRows = hasPrefix ? 2 : 1;
    this.groupRow.hidden = !hasPrefix;
    this.headerRow.setAttribute('aria-rowindex', String(this.headRows));
    this.quietly(() => {
      this.colV.setOptions({ ...this.colV.options, count: this.layout.center.length, paddingStart: this.layout.fixedWidth });
      this.colV._willUpdate();
      this.colV.measure();
      // The row count too, so a first layout and its lines come in one render.
      this.rowV.setOptions({ ...this.rowV.options, count: this.lines.count, scrollMargin: HEAD_ROW_HEIGHT * this.headRows });
      this.rowV._willUpdate();
    });
    this.refresh();
  }

  /** The lines changed (another view, a page arrived with a new count, a group opened). */
  recount(): void {
    this.quietly(() => {
      this.rowV.setOptions({ ...this.rowV.options, count: this.lines.count });
      this.rowV._willUpdate();
    });
    this.refresh();
  }

  /** Rows [from, to) arrived: lays out the new count and rebuilds those lines if shown, in one render. */
  linesArrived(from: number, to: number): void {
    for (const [line, node] of this.rendered) {
      if (line >= from && line < to) {
        node.remove();
        this.rendered.delete(line);
      }
    }
    if (this.rowV.options.count !== this.lines.count) {
      this.quietly(() => {
        this.rowV.setOptions({ ...this.rowV.options, count: this.lines.count });
        this.rowV._willUpdate();
      });
    }
    this.render();
  }

  /** Rebuilds every shown line (rows arrived, selection semantics changed). */
  refresh(): void {
    this.windowKey = '';
    this.render();
  }

  /** Rewrites the cells of a patched line in place: no other element is touched. */
  patchLine(line: number, cells: Readonly<Record<string, Cell>>): void {
    const node = this.rendered.get(line);
    if (!node) return;
    for (const [id, value] of Object.entries(cells)) {
      const cell = node.querySelector<HTMLElement>(`[data-col="${CSS.escape(id)}"]`);
      const def = this.layout.def(id);
      if (!cell || !def) continue;
      const text = formatCell(value, def.valueType);
      if (cell.textContent !== text) {
        cell.textContent = text;
        cell.classList.toggle('missing', text === MISSING);
        cell.classList.add('ticked');
      }
    }
    if (cells['attributes.status'] !== undefined) node.dataset.status = String(cells['attributes.status']);
  }

  /** Selection changed: classes and checkboxes on the shown lines only. */
  paintSelection(): void {
    for (const node of this.rendered.values()) {
      const runId = node.dataset.run;
      if (runId === undefined) continue;
      const selected = this.hooks.isSelected(runId);
      node.setAttribute('aria-selected', String(selected));
      const box = node.querySelector<HTMLInputElement>('input.rt-check');
      if (box) box.checked = selected;
    }
  }

  /** Draws the sparkline of `runId` wherever its line is shown. */
  paintSparkline(runId: string): void {
    for (const node of this.rendered.values()) {
      if (node.dataset.run !== runId) continue;
      const cell = node.querySelector<HTMLElement>(`[data-col="${SPARK_ID}"]`);
      if (cell) cell.replaceChildren(sparklineSvg(this.hooks.sparkline(runId)));
    }
  }

  get scrollTop(): number {
    return this.root.scrollTop;
  }

  set scrollTop(top: number) {
    this.root.scrollTop = top;
  }

  /** How many lines fit on screen (PageUp/PageDown). */
  get pageLines(): number {
    return Math.max(1, Math.floor((this.root.clientHeight - HEAD_ROW_HEIGHT * this.headRows) / ROW_HEIGHT) - 1);
  }

  get activeCell(): { line: number; col: number } {
    return this.active;
  }

  /** Display columns: 0 = selection, then the pinned and scrolling columns. */
  get columnCount(): number {
    return 1 + this.layout.all.length;
  }

  /** Moves the active cell, scrolls it into view and points aria-activedescendant at it. */
  setActive(line: number, col: number): void {
    this.active = { line: Math.max(0, Math.min(this.lines.count - 1, line)), col: Math.max(0, Math.min(this.columnCount - 1, col)) };
    this.rowV.scrollToIndex(this.active.line, { align: 'auto' });
    const pinned = this.layout.pinned.length;
    const centerIndex = this.active.col - 1 - pinned;
    if (centerIndex >= 0) this.colV.scrollToIndex(centerIndex, { align: 'auto' });
    this.render();
    this.paintActive();
  }

  private paintActive(): void {
    this.root.querySelector('.rt-cell.active')?.classList.remove('active');
    const id = cellId(this.active.line, this.active.col);
    const cell = this.root.querySelector<HTMLElement>(`#${id}`);
    if (cell) {
      cell.classList.add('active');
      this.root.setAttribute('aria-activedescendant', id);
    } else {
      this.root.removeAttribute('aria-activedescendant');
    }
  }

  scrollToLine(line: number): void {
    this.rowV.scrollToIndex(line, { align: 'start' });
  }

  // ── Rendering ──────────────────────────────────────────────────────────────────────────────
  /** Runs `change` without the renders the virtualizers' change callbacks ask for: one render follows. */
  private quietly(change: () => void): void {
    const was = this.rendering;
    this.rendering = true;
    try {
      change();
    } finally {
      this.rendering = was;
    }
  }

  private render(): void {
    if (this.rendering) return;
    this.rendering = true;
    try {
      this.renderNow();
    } finally {
      this.rendering = false;
    }
  }

  /** The header's window: the scrolling columns shown now, their left padding and the grid's width. */
  private headerWindow(): { w: HeaderWindow; first: number; last: number } {
    const colItems = this.colV.getVirtualItems();
    const fixed = this.layout.fixedWidth;
    const width = fixed + this.layout.centerWidth;
    const first = colItems[0]?.index ?? 0;
    const last = colItems.at(-1)?.index ?? -1;
    const leftPad = (colItems[0]?.start ?? fixed) - fixed;
    return { w: { center: this.layout.center.slice(first, last + 1), firstCenter: first, leftPad, width, headRows: this.headRows }, first, last };
  }

  /** The sort changed, nothing else yet: only the header is drawn again (the lines follow with the new rows). */
  refreshHeader(): void {
    renderHeader(this.layout, this.headerRow, this.groupRow, this.headerWindow().w);
  }

  private renderNow(): void {
    const rowItems = this.rowV.getVirtualItems();
    const { w, first, last } = this.headerWindow();
    const width = w.width;
    const key = `${first}:${last}:${width}`;
    this.root.setAttribute('aria-rowcount', String(this.lines.flatSource && this.lines.flatSource.totalKnown === null ? -1 : this.lines.count + this.headRows));
    this.root.setAttribute('aria-colcount', String(this.columnCount));
    this.body.style.height = `${this.rowV.getTotalSize() - this.rowV.options.scrollMargin}px`;
    this.body.style.width = `${width}px`;
    // The rows and columns to fetch are asked for before the lines are built: the host reads them
    // while this frame is drawn. The columns: the pinned ones and the window with a few more each side.
    const wanted = [...this.layout.pinned, ...this.layout.center.slice(Math.max(0, first - COLUMN_OVERSCAN), last + 1 + COLUMN_OVERSCAN)];
    this.hooks.onWindow(rowItems[0]?.index ?? 0, (rowItems.at(-1)?.index ?? -1) + 1, wanted.map((c) => c.id).filter((id) => id !== SPARK_ID));
    if (key !== this.windowKey) {
      this.windowKey = key;
      for (const node of this.rendered.values()) node.remove();
      this.rendered.clear();
      renderHeader(this.layout, this.headerRow, this.groupRow, w);
    }
    const shownLines = new Set<number>();
    for (const item of rowItems) {
      shownLines.add(item.index);
      let node = this.rendered.get(item.index);
      const line = this.lines.at(item.index);
      if (!line) continue;
      // A placeholder line is rebuilt once its row has arrived.
      if (node && node.classList.contains('rt-loading') && line.kind === 'run' && line.row) {
        node.remove();
        node = undefined;
      }
      if (!node) {
        node = renderLine(this.layout, this.hooks, item.index, line, w);
        this.rendered.set(item.index, node);
        this.body.append(node);
      }
      node.style.transform = `translateY(${item.start - this.rowV.options.scrollMargin}px)`;
    }
    for (const [index, node] of this.rendered) {
      if (!shownLines.has(index)) {
        node.remove();
        this.rendered.delete(index);
      }
    }
    this.paintActive();
  }

  // ── Events ─────────────────────────────────────────────────────────────────────────────────
  private wireBody(): void {
    this.body.addEventListener('click', (e) => {
      const target = e.target as HTMLElement;
      const toggle = target.closest<HTMLElement>('[data-toggle-group]')?.dataset.toggleGroup;
      if (toggle !== undefined) {
        this.hooks.onToggleGroup(Number(toggle));
        return;
      }
      const line = lineOf(target);
      if (line === undefined) return;
      const cell = target.closest<HTMLElement>('[aria-colindex]');
      this.active = { line, col: cell ? Number(cell.getAttribute('aria-colindex')) - 1 : this.active.col };
      this.hooks.onRowPointer(line, e, target.classList.contains('rt-check'));
      this.paintActive();
      this.root.focus({ preventScroll: true });
    });
    // A ticked cell flashes once per patch.
    this.body.addEventListener('animationend', (e) => (e.target as HTMLElement).classList.remove('ticked'));
    this.body.addEventListener('dblclick', (e) => {
      const line = lineOf(e.target as HTMLElement);
      if (line !== undefined) this.hooks.onOpen(line);
    });
  }
}
