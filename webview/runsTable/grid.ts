// The Runs Table grid: an ARIA grid of divs in one scroller, rows AND columns virtualised by
// TanStack Virtual, so the DOM holds only the lines and columns on screen (plus overscan) whatever
// the run and column counts. Row elements are kept by line while the column window stays put, so
// a vertical scroll builds only the lines that came into view; a live patch rewrites only the
// patched cells. Geometry is set through the CSSOM (element.style), which the CSP allows.
import { elementScroll, observeElementOffset, observeElementRect, Virtualizer } from '@tanstack/virtual-core';
import type { Cell, ColumnDef } from '../../src/protocol/runsTable.ts';
import { el } from '../shared/dom.ts';
import { cellId, dataCell, fixedCell, lineOf, sparklineSvg, spacer } from './cells.ts';
import { SELECT_WIDTH, SPARK_ID, type ColumnLayout, type Shown } from './columns.ts';
import { formatAggregate, formatCell, groupLabel, MISSING } from './format.ts';
import type { Line, Lines } from './lines.ts';

export const ROW_HEIGHT = 26;
const HEAD_ROW_HEIGHT = 28;
/** Columns fetched beyond each side of the window, so a small sideways scroll finds them loaded. */
const COLUMN_OVERSCAN = 8;

export interface GridHooks {
  isSelected(runId: string): boolean;
  sparkline(runId: string): readonly number[] | undefined;
  groupBy(): readonly string[];
  onSort(columnId: string, multi: boolean): void;
  onHeaderMenu(columnId: string, anchor: HTMLElement): void;
  onResize(columnId: string, width: number, done: boolean): void;
  onMove(columnId: string, beforeId: string): void;
  onRowPointer(line: number, event: MouseEvent, onCheckbox: boolean): void;
  onOpen(line: number): void;
  onToggleGroup(group: number): void;
  /** After every render: the lines and the columns on screen (to fetch rows and sparklines for). */
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
    this.wireHeader();
    this.wireBody();
    this.root.addEventListener('scroll', () => this.hooks.onScroll(this.root.scrollTop), { passive: true });
  }

  /** The columns or their widths changed: re-measure them and rebuild what is shown. */
  relayout(): void {
    const hasPrefix = this.layout.all.some((c) => c.group !== undefined);
    this.headRows = hasPrefix ? 2 : 1;
    this.groupRow.hidden = !hasPrefix;
    this.headerRow.setAttribute('aria-rowindex', String(this.headRows));
    this.colV.setOptions({ ...this.colV.options, count: this.layout.center.length, paddingStart: this.layout.fixedWidth });
    this.colV._willUpdate();
    this.colV.measure();
    this.rowV.setOptions({ ...this.rowV.options, scrollMargin: HEAD_ROW_HEIGHT * this.headRows });
    this.refresh();
  }

  /** The lines changed (another view, a page arrived with a new count, a group opened). */
  recount(): void {
    this.rowV.setOptions({ ...this.rowV.options, count: this.lines.count });
    this.rowV._willUpdate();
    this.refresh();
  }

  /** Rows arrived: lays out the new count and fills the placeholder lines, keeping the rest. */
  update(): void {
    if (this.rowV.options.count !== this.lines.count) {
      this.rowV.setOptions({ ...this.rowV.options, count: this.lines.count });
      this.rowV._willUpdate();
    }
    this.render();
  }

  /** Rebuilds every shown line (rows arrived, selection semantics changed). */
  refresh(): void {
    this.windowKey = '';
    this.render();
  }

  /** Rebuilds the given lines if they are on screen. */
  refreshLines(from: number, to: number): void {
    for (const [line, node] of this.rendered) {
      if (line >= from && line < to) {
        node.remove();
        this.rendered.delete(line);
      }
    }
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
  private render(): void {
    if (this.rendering) return;
    this.rendering = true;
    try {
      this.renderNow();
    } finally {
      this.rendering = false;
    }
  }

  private renderNow(): void {
    const rowItems = this.rowV.getVirtualItems();
    const colItems = this.colV.getVirtualItems();
    const fixed = this.layout.fixedWidth;
    const width = fixed + this.layout.centerWidth;
    const first = colItems[0]?.index ?? 0;
    const last = colItems.at(-1)?.index ?? -1;
    const leftPad = (colItems[0]?.start ?? fixed) - fixed;
    const key = `${first}:${last}:${width}`;
    this.root.setAttribute('aria-rowcount', String(this.lines.flatSource && this.lines.flatSource.totalKnown === null ? -1 : this.lines.count + this.headRows));
    this.root.setAttribute('aria-colcount', String(this.columnCount));
    this.body.style.height = `${this.rowV.getTotalSize() - this.rowV.options.scrollMargin}px`;
    this.body.style.width = `${width}px`;
    const center = this.layout.center.slice(first, last + 1);
    if (key !== this.windowKey) {
      this.windowKey = key;
      for (const node of this.rendered.values()) node.remove();
      this.rendered.clear();
      this.renderHeader(center, leftPad, width);
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
        node = this.renderLine(item.index, line, center, leftPad, width);
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
    const from = rowItems[0]?.index ?? 0;
    // The columns to fetch: the pinned ones and the scrolling window with a few more each side.
    const wanted = [...this.layout.pinned, ...this.layout.center.slice(Math.max(0, first - COLUMN_OVERSCAN), last + 1 + COLUMN_OVERSCAN)];
    this.hooks.onWindow(from, (rowItems.at(-1)?.index ?? -1) + 1, wanted.map((c) => c.id).filter((id) => id !== SPARK_ID));
  }

  private renderHeader(center: readonly Shown[], leftPad: number, width: number): void {
    const pinned = this.layout.pinned;
    const pinnedCount = pinned.length;
    const colIndex = (shown: Shown, i: number) => (shown.pinned ? 2 + i : 2 + pinnedCount + i + (center[0] ? this.layout.center.indexOf(center[0]) : 0));
    const cells: HTMLElement[] = [el('div', { className: 'rt-cell rt-hcell rt-select rt-sticky', attrs: { role: 'columnheader', 'aria-colindex': '1', 'aria-label': 'Selected' } })];
    pinned.forEach((c, i) => cells.push(this.headerCell(c, colIndex(c, i))));
    cells.push(spacer(leftPad));
    center.forEach((c, i) => cells.push(this.headerCell(c, colIndex(c, i))));
    this.headerRow.replaceChildren(...cells);
    this.headerRow.style.width = `${width}px`;
    this.headerRow.style.height = `${HEAD_ROW_HEIGHT}px`;
    (cells[0] as HTMLElement).style.width = `${SELECT_WIDTH}px`;
    if (this.headRows === 2) {
      // Prefix groups: one cell over each run of neighbouring columns that share a prefix.
      const prefix: HTMLElement[] = [fixedCell('rt-select', SELECT_WIDTH, 0)];
      const spans = (list: readonly Shown[], sticky: boolean) => {
        let i = 0;
        while (i < list.length) {
          const group = (list[i] as Shown).group;
          let w = 0;
          let j = i;
          while (j < list.length && (list[j] as Shown).group === group) w += (list[j++] as Shown).width;
          const cell = el('div', { className: `rt-cell rt-hcell rt-prefix${group ? '' : ' empty'}`, text: group ?? '', attrs: { role: 'columnheader', 'aria-colspan': String(j - i), ...(group ? { title: group } : {}) } });
          cell.style.width = `${w}px`;
          if (sticky) {
            cell.classList.add('rt-sticky');
            cell.style.left = `${SELECT_WIDTH + (list[i] as Shown).start}px`;
          }
          prefix.push(cell);
          i = j;
        }
      };
      spans(pinned, true);
      prefix.push(spacer(leftPad));
      spans(center, false);
      this.groupRow.replaceChildren(...prefix);
      this.groupRow.style.width = `${width}px`;
    }
  }

  private headerCell(c: Shown, colIndex: number): HTMLElement {
    const sort = this.layout.sortOf(c.id);
    const sortable = c.def?.searchable ?? false;
    const label = el('button', {
      className: 'rt-sort',
      text: c.label,
      attrs: { type: 'button', tabindex: '-1', 'data-sort': c.id, title: sortable ? `${c.id} — click to sort, Shift-click to add to the sort` : c.id, ...(sortable ? {} : { 'aria-disabled': 'true' }) },
    });
    const glyph = el('span', { className: 'rt-sort-glyph', text: sort.direction === 'ascending' ? '▲' : sort.direction === 'descending' ? '▼' : '', attrs: { 'aria-hidden': 'true' } });
    if (sort.index >= 0 && this.layout.sort.length > 1) glyph.textContent += String(sort.index + 1);
    const menu = el('button', { className: 'rt-menu', text: '⋯', attrs: { type: 'button', tabindex: '-1', 'data-menu': c.id, 'aria-label': `Options for ${c.label}`, title: 'Filter, pin, hide…' } });
    const grip = el('div', { className: 'rt-resize', attrs: { 'data-resize': c.id, 'aria-hidden': 'true', title: 'Drag to resize' } });
    const cell = el('div', {
      className: `rt-cell rt-hcell${c.pinned ? ' rt-sticky' : ''}${c.def?.kind ? ` kind-${c.def.kind}` : ''}`,
      attrs: { role: 'columnheader', 'aria-colindex': String(colIndex), 'aria-sort': sort.direction, 'data-col': c.id, draggable: 'true' },
    }, [label, glyph, menu, grip]);
    cell.style.width = `${c.width}px`;
    if (c.pinned) cell.style.left = `${SELECT_WIDTH + c.start}px`;
    return cell;
  }

  private renderLine(index: number, line: Line, center: readonly Shown[], leftPad: number, width: number): HTMLElement {
    const rowIndex = String(index + this.headRows + 1);
    const pinnedCount = this.layout.pinned.length;
    const firstCenter = center[0] ? this.layout.center.indexOf(center[0]) : 0;
    const node = el('div', { className: 'rt-row', attrs: { role: 'row', 'aria-rowindex': rowIndex, 'data-line': String(index) } });
    node.style.width = `${width}px`;
    const select = el('div', { className: 'rt-cell rt-select rt-sticky', attrs: { role: 'gridcell', 'aria-colindex': '1', id: cellId(index, 0) } });
    select.style.width = `${SELECT_WIDTH}px`;
    const cells: HTMLElement[] = [select];
    const colOf = (c: Shown, i: number) => (c.pinned ? 1 + i : 1 + pinnedCount + firstCenter + i);
    if (line.kind === 'group') {
      node.classList.add('rt-group');
      node.setAttribute('aria-expanded', String(line.expanded));
      select.append(el('button', { className: 'rt-expander', text: line.expanded ? '▾' : '▸', attrs: { type: 'button', tabindex: '-1', 'data-toggle-group': String(line.group), 'aria-label': line.expanded ? 'Collapse group' : 'Expand group' } }));
      const groupBy = this.hooks.groupBy();
      const all = this.layout.all;
      const firstId = all[0]?.id;
      const value = (c: Shown): HTMLElement => {
        const cell = dataCell(c, index, colOf(c, c.pinned ? this.layout.pinned.indexOf(c) : center.indexOf(c)));
        const at = groupBy.indexOf(c.id);
        const agg = line.data.metrics[c.id];
        if (c.id === firstId && at < 0) {
          cell.textContent = `${groupLabel(groupBy.map((g) => this.layout.def(g)?.label ?? g), line.data.key)} (${line.data.count})`;
          cell.title = cell.textContent;
          cell.dataset.count = String(line.data.count);
        } else if (at >= 0) {
          cell.textContent = line.data.key[at] === null || line.data.key[at] === undefined ? MISSING : String(line.data.key[at]);
        } else if (agg) {
          const f = formatAggregate(agg);
          cell.append(el('span', { className: 'rt-agg', text: f.main, attrs: { 'data-agg': 'mean-std' } }));
          if (f.range) cell.append(el('span', { className: 'rt-range', text: f.range, attrs: { 'data-agg': 'range' } }));
          cell.title = f.title;
          cell.classList.add('num');
        } else if (c.id === 'attributes.run_name') {
          cell.textContent = `${line.data.count} run${line.data.count === 1 ? '' : 's'}`;
        }
        return cell;
      };
      for (const c of this.layout.pinned) cells.push(value(c));
      cells.push(spacer(leftPad));
      for (const c of center) cells.push(value(c));
      node.replaceChildren(...cells);
      return node;
    }
    const row = line.row;
    if (!row) {
      node.classList.add('rt-loading');
      node.setAttribute('aria-busy', 'true');
      select.append(el('span', { className: 'muted', text: '…' }));
      node.replaceChildren(...cells);
      return node;
    }
    if (line.group >= 0) node.classList.add('rt-member');
    node.dataset.run = row.runId;
    const status = row.cells['attributes.status'];
    if (status !== undefined && status !== null) node.dataset.status = String(status);
    const selected = this.hooks.isSelected(row.runId);
    node.setAttribute('aria-selected', String(selected));
    const box = el('input', { className: 'rt-check', attrs: { type: 'checkbox', tabindex: '-1', 'aria-label': 'Select run' } });
    box.checked = selected;
    select.append(box);
    const value = (c: Shown, i: number): HTMLElement => {
      const cell = dataCell(c, index, colOf(c, i));
      if (c.id === SPARK_ID) {
        cell.append(sparklineSvg(this.hooks.sparkline(row.runId)));
        return cell;
      }
      const def = c.def as ColumnDef;
      if (!(c.id in row.cells)) {
        // Not fetched yet (the column just scrolled into view): the page re-draws the line when it arrives.
        cell.classList.add('pending');
        cell.setAttribute('aria-busy', 'true');
        return cell;
      }
      const text = formatCell(row.cells[c.id], def.valueType);
      cell.textContent = text;
      if (text === MISSING) cell.classList.add('missing');
      if (typeof row.cells[c.id] === 'number') cell.classList.add('num');
      if (text.length > 16) cell.title = text;
      return cell;
    };
    this.layout.pinned.forEach((c, i) => cells.push(value(c, i)));
    cells.push(spacer(leftPad));
    center.forEach((c, i) => cells.push(value(c, i)));
    node.replaceChildren(...cells);
    return node;
  }

  // ── Events ─────────────────────────────────────────────────────────────────────────────────
  private wireHeader(): void {
    this.head.addEventListener('click', (e) => {
      const target = e.target as HTMLElement;
      const menu = target.closest<HTMLElement>('[data-menu]');
      if (menu?.dataset.menu) {
        this.hooks.onHeaderMenu(menu.dataset.menu, menu);
        return;
      }
      const sort = target.closest<HTMLElement>('[data-sort]')?.dataset.sort;
      if (sort && this.layout.def(sort)?.searchable) this.hooks.onSort(sort, e.shiftKey);
    });
    let dragged: string | undefined;
    this.head.addEventListener('dragstart', (e) => {
      const id = (e.target as HTMLElement).closest<HTMLElement>('[data-col]')?.dataset.col;
      if (!id || (e.target as HTMLElement).closest('[data-resize]')) return;
      dragged = id;
      e.dataTransfer?.setData('text/plain', id);
      if (e.dataTransfer) e.dataTransfer.effectAllowed = 'move';
    });
    this.head.addEventListener('dragover', (e) => {
      if (dragged && (e.target as HTMLElement).closest('[data-col]')) e.preventDefault();
    });
    this.head.addEventListener('drop', (e) => {
      const target = (e.target as HTMLElement).closest<HTMLElement>('[data-col]')?.dataset.col;
      e.preventDefault();
      if (dragged && target && target !== dragged) this.hooks.onMove(dragged, target);
      dragged = undefined;
    });
    this.head.addEventListener('pointerdown', (e) => {
      const grip = (e.target as HTMLElement).closest<HTMLElement>('[data-resize]');
      const id = grip?.dataset.resize;
      if (!grip || !id) return;
      e.preventDefault();
      const startX = e.clientX;
      const startWidth = this.layout.all.find((c) => c.id === id)?.width ?? 100;
      grip.setPointerCapture(e.pointerId);
      const move = (m: PointerEvent) => this.hooks.onResize(id, startWidth + m.clientX - startX, false);
      const up = (u: PointerEvent) => {
        grip.removeEventListener('pointermove', move);
        grip.removeEventListener('pointerup', up);
        this.hooks.onResize(id, startWidth + u.clientX - startX, true);
      };
      grip.addEventListener('pointermove', move);
      grip.addEventListener('pointerup', up);
    });
  }

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
