// The Runs Table grid's lines: a run (checkbox, its cells as text; a column not fetched yet is a
// pending cell the page re-draws when it arrives), a run still loading (a placeholder), or a group
// header (its key, count, and mean ± std with the range for each metric column, pending until the
// column's aggregates come).
import type { ColumnDef } from '../../src/protocol/runsTable.ts';
import { el } from '../shared/dom.ts';
import { cellId, dataCell, sparklineSvg, spacer } from './cells.ts';
import { SELECT_WIDTH, SPARK_ID, type ColumnLayout, type Shown } from './columns.ts';
import { formatAggregate, formatCell, groupLabel, MISSING } from './format.ts';
import type { HeaderWindow } from './gridHeader.ts';
import type { Line } from './lines.ts';

export interface LineHooks {
  isSelected(runId: string): boolean;
  sparkline(runId: string): readonly number[] | undefined;
  groupBy(): readonly string[];
  /** A metric column whose group aggregates have not come yet. */
  groupMetricPending(id: string): boolean;
}

type GroupLine = Extract<Line, { kind: 'group' }>;
type RunLine = Extract<Line, { kind: 'run' }>;

/** Line `index` over the window `w`: the fixed cells, a spacer, then the window's columns. */
export function renderLine(layout: ColumnLayout, hooks: LineHooks, index: number, line: Line, w: HeaderWindow): HTMLElement {
  const node = el('div', { className: 'rt-row', attrs: { role: 'row', 'aria-rowindex': String(index + w.headRows + 1), 'data-line': String(index) } });
  node.style.width = `${w.width}px`;
  const select = el('div', { className: 'rt-cell rt-select rt-sticky', attrs: { role: 'gridcell', 'aria-colindex': '1', id: cellId(index, 0) } });
  select.style.width = `${SELECT_WIDTH}px`;
  if (line.kind === 'group') groupLine(layout, hooks, node, select, index, line, w);
  else runLine(layout, hooks, node, select, index, line, w);
  return node;
}

/** Fills `node` with `select`, the pinned cells, the spacer and the window's cells, each from `value`. */
function fill(layout: ColumnLayout, node: HTMLElement, select: HTMLElement, w: HeaderWindow, value: (c: Shown, col: number) => HTMLElement): void {
  const cells: HTMLElement[] = [select];
  const pinnedCount = layout.pinned.length;
  layout.pinned.forEach((c, i) => cells.push(value(c, 1 + i)));
  cells.push(spacer(w.leftPad));
  w.center.forEach((c, i) => cells.push(value(c, 1 + pinnedCount + w.firstCenter + i)));
  node.replaceChildren(...cells);
}

function groupLine(layout: ColumnLayout, hooks: LineHooks, node: HTMLElement, select: HTMLElement, index: number, line: GroupLine, w: HeaderWindow): void {
  node.classList.add('rt-group');
  node.setAttribute('aria-expanded', String(line.expanded));
  select.append(el('button', { className: 'rt-expander', text: line.expanded ? '▾' : '▸', attrs: { type: 'button', tabindex: '-1', 'data-toggle-group': String(line.group), 'aria-label': line.expanded ? 'Collapse group' : 'Expand group' } }));
  const groupBy = hooks.groupBy();
  const firstId = layout.all[0]?.id;
  fill(layout, node, select, w, (c, col) => {
    const cell = dataCell(c, index, col);
    const at = groupBy.indexOf(c.id);
    const agg = line.data.metrics[c.id];
    if (c.id === firstId && at < 0) {
      cell.textContent = `${groupLabel(groupBy.map((g) => layout.def(g)?.label ?? g), line.data.key)} (${line.data.count})`;
      cell.title = cell.textContent;
      cell.dataset.count = String(line.data.count);
    } else if (at >= 0) {
      cell.textContent = line.data.key[at] === null || line.data.key[at] === undefined ? MISSING : String(line.data.key[at]);
    } else if (c.def?.kind === 'metric' && hooks.groupMetricPending(c.id)) {
      // Asked for as the column scrolled into view: the lines are drawn again when it comes.
      cell.classList.add('pending');
      cell.setAttribute('aria-busy', 'true');
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
  });
}

function runLine(layout: ColumnLayout, hooks: LineHooks, node: HTMLElement, select: HTMLElement, index: number, line: RunLine, w: HeaderWindow): void {
  const row = line.row;
  if (!row) {
    node.classList.add('rt-loading');
    node.setAttribute('aria-busy', 'true');
    select.append(el('span', { className: 'muted', text: '…' }));
    node.replaceChildren(select);
    return;
  }
  if (line.group >= 0) node.classList.add('rt-member');
  node.dataset.run = row.runId;
  const status = row.cells['attributes.status'];
  if (status !== undefined && status !== null) node.dataset.status = String(status);
  const selected = hooks.isSelected(row.runId);
  node.setAttribute('aria-selected', String(selected));
  const box = el('input', { className: 'rt-check', attrs: { type: 'checkbox', tabindex: '-1', 'aria-label': 'Select run' } });
  box.checked = selected;
  select.append(box);
  fill(layout, node, select, w, (c, col) => {
    const cell = dataCell(c, index, col);
    if (c.id === SPARK_ID) {
      cell.append(sparklineSvg(hooks.sparkline(row.runId)));
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
  });
}
