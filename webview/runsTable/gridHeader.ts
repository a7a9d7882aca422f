// The Runs Table grid's header: the column header row (sort button, glyph, menu button, resize
// grip; draggable to reorder) over the shown window of columns, the prefix-group row above it when
// nested keys share a prefix, and the header's pointer events (sort, menu, drag, resize).
import { el } from '../shared/dom.ts';
import { fixedCell, spacer } from './cells.ts';
import { SELECT_WIDTH, type ColumnLayout, type Shown } from './columns.ts';

export const HEAD_ROW_HEIGHT = 28;

export interface HeaderHooks {
  onSort(columnId: string, multi: boolean): void;
  onHeaderMenu(columnId: string, anchor: HTMLElement): void;
  onResize(columnId: string, width: number, done: boolean): void;
  onMove(columnId: string, beforeId: string): void;
}

/** What the header rows show: the scrolling window of columns after a spacer of `leftPad`. */
export interface HeaderWindow {
  readonly center: readonly Shown[];
  /** The index of `center[0]` among the layout's scrolling columns. */
  readonly firstCenter: number;
  readonly leftPad: number;
  readonly width: number;
  /** 2 when the prefix-group row is shown. */
  readonly headRows: number;
}

export function renderHeader(layout: ColumnLayout, headerRow: HTMLElement, groupRow: HTMLElement, w: HeaderWindow): void {
  const pinned = layout.pinned;
  const pinnedCount = pinned.length;
  const colIndex = (shown: Shown, i: number) => (shown.pinned ? 2 + i : 2 + pinnedCount + i + w.firstCenter);
  const cells: HTMLElement[] = [el('div', { className: 'rt-cell rt-hcell rt-select rt-sticky', attrs: { role: 'columnheader', 'aria-colindex': '1', 'aria-label': 'Selected' } })];
  pinned.forEach((c, i) => cells.push(headerCell(layout, c, colIndex(c, i))));
  cells.push(spacer(w.leftPad));
  w.center.forEach((c, i) => cells.push(headerCell(layout, c, colIndex(c, i))));
  headerRow.replaceChildren(...cells);
  headerRow.style.width = `${w.width}px`;
  headerRow.style.height = `${HEAD_ROW_HEIGHT}px`;
  (cells[0] as HTMLElement).style.width = `${SELECT_WIDTH}px`;
  if (w.headRows === 2) {
    // Prefix groups: one cell over each run of neighbouring columns that share a prefix.
    const prefix: HTMLElement[] = [fixedCell('rt-select', SELECT_WIDTH, 0)];
    prefixSpans(pinned, true, prefix);
    prefix.push(spacer(w.leftPad));
    prefixSpans(w.center, false, prefix);
    groupRow.replaceChildren(...prefix);
    groupRow.style.width = `${w.width}px`;
  }
}

function prefixSpans(list: readonly Shown[], sticky: boolean, out: HTMLElement[]): void {
  let i = 0;
  while (i < list.length) {
    const group = (list[i] as Shown).group;
    let width = 0;
    let j = i;
    while (j < list.length && (list[j] as Shown).group === group) width += (list[j++] as Shown).width;
    const cell = el('div', { className: `rt-cell rt-hcell rt-prefix${group ? '' : ' empty'}`, text: group ?? '', attrs: { role: 'columnheader', 'aria-colspan': String(j - i), ...(group ? { title: group } : {}) } });
    cell.style.width = `${width}px`;
    if (sticky) {
      cell.classList.add('rt-sticky');
      cell.style.left = `${SELECT_WIDTH + (list[i] as Shown).start}px`;
    }
    out.push(cell);
    i = j;
  }
}

function headerCell(layout: ColumnLayout, c: Shown, colIndex: number): HTMLElement {
  const sort = layout.sortOf(c.id);
  const sortable = c.def?.searchable ?? false;
  const label = el('button', {
    className: 'rt-sort',
    text: c.label,
    attrs: { type: 'button', tabindex: '-1', 'data-sort': c.id, title: sortable ? `${c.id} — click to sort, Shift-click to add to the sort` : c.id, ...(sortable ? {} : { 'aria-disabled': 'true' }) },
  });
  const glyph = el('span', { className: 'rt-sort-glyph', text: sort.direction === 'ascending' ? '▲' : sort.direction === 'descending' ? '▼' : '', attrs: { 'aria-hidden': 'true' } });
  if (sort.index >= 0 && layout.sort.length > 1) glyph.textContent += String(sort.index + 1);
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

/** Sort and menu clicks, drag to reorder, and the resize grips, delegated on the header. */
export function wireHeader(head: HTMLElement, layout: ColumnLayout, hooks: HeaderHooks): void {
  head.addEventListener('click', (e) => {
    const target = e.target as HTMLElement;
    const menu = target.closest<HTMLElement>('[data-menu]');
    if (menu?.dataset.menu) {
      hooks.onHeaderMenu(menu.dataset.menu, menu);
      return;
    }
    const sort = target.closest<HTMLElement>('[data-sort]')?.dataset.sort;
    if (sort && layout.def(sort)?.searchable) hooks.onSort(sort, e.shiftKey);
  });
  let dragged: string | undefined;
  head.addEventListener('dragstart', (e) => {
    const id = (e.target as HTMLElement).closest<HTMLElement>('[data-col]')?.dataset.col;
    if (!id || (e.target as HTMLElement).closest('[data-resize]')) return;
    dragged = id;
    e.dataTransfer?.setData('text/plain', id);
    if (e.dataTransfer) e.dataTransfer.effectAllowed = 'move';
  });
  head.addEventListener('dragover', (e) => {
    if (dragged && (e.target as HTMLElement).closest('[data-col]')) e.preventDefault();
  });
  head.addEventListener('drop', (e) => {
    const target = (e.target as HTMLElement).closest<HTMLElement>('[data-col]')?.dataset.col;
    e.preventDefault();
    if (dragged && target && target !== dragged) hooks.onMove(dragged, target);
    dragged = undefined;
  });
  head.addEventListener('pointerdown', (e) => {
    const grip = (e.target as HTMLElement).closest<HTMLElement>('[data-resize]');
    const id = grip?.dataset.resize;
    if (!grip || !id) return;
    e.preventDefault();
    const startX = e.clientX;
    const startWidth = layout.all.find((c) => c.id === id)?.width ?? 100;
    grip.setPointerCapture(e.pointerId);
    const move = (m: PointerEvent) => hooks.onResize(id, startWidth + m.clientX - startX, false);
    const up = (u: PointerEvent) => {
      grip.removeEventListener('pointermove', move);
      grip.removeEventListener('pointerup', up);
      hooks.onResize(id, startWidth + u.clientX - startX, true);
    };
    grip.addEventListener('pointermove', move);
    grip.addEventListener('pointerup', up);
  });
}
