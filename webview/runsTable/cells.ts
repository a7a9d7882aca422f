// The Runs Table grid's cells, built as text (no markup parsed) with geometry set through the
// CSSOM, and the sparkline drawn as one themed polyline.
import { el, svg } from '../shared/dom.ts';
import { SELECT_WIDTH, SPARK_WIDTH, type Shown } from './columns.ts';

export function lineOf(target: HTMLElement): number | undefined {
  const value = target.closest<HTMLElement>('[data-line]')?.dataset.line;
  return value === undefined ? undefined : Number(value);
}

export function cellId(line: number, col: number): string {
  return `rt-c-${line}-${col}`;
}

export function dataCell(c: Shown, line: number, col: number): HTMLElement {
  const cell = el('div', { className: `rt-cell${c.pinned ? ' rt-sticky' : ''}`, attrs: { role: 'gridcell', 'aria-colindex': String(col + 1), 'data-col': c.id, id: cellId(line, col) } });
  cell.style.width = `${c.width}px`;
  if (c.pinned) cell.style.left = `${SELECT_WIDTH + c.start}px`;
  return cell;
}

export function fixedCell(className: string, width: number, left: number): HTMLElement {
  const cell = el('div', { className: `rt-cell rt-hcell rt-sticky ${className}`, attrs: { role: 'columnheader' } });
  cell.style.width = `${width}px`;
  cell.style.left = `${left}px`;
  return cell;
}

export function spacer(width: number): HTMLElement {
  const node = el('div', { className: 'rt-spacer', attrs: { 'aria-hidden': 'true' } });
  node.style.width = `${width}px`;
  return node;
}

const SPARK_H = 18;
/** A metric's history as one themed polyline (no markup parsed); empty when there is none. */
export function sparklineSvg(values: readonly number[] | undefined): SVGSVGElement {
  const w = SPARK_WIDTH - 16;
  const finite = (values ?? []).filter((v) => Number.isFinite(v));
  const root = svg('svg', { class: 'rt-spark', viewBox: `0 0 ${w} ${SPARK_H}`, width: w, height: SPARK_H, role: 'img', 'aria-label': values ? `${finite.length} points` : 'loading', 'data-points': finite.length });
  if (finite.length < 2) return root;
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  const points = finite.map((v, i) => `${((i * (w - 2)) / (finite.length - 1) + 1).toFixed(1)},${(hi === lo ? SPARK_H / 2 : 1 + ((hi - v) * (SPARK_H - 2)) / (hi - lo)).toFixed(1)}`);
  root.append(svg('polyline', { class: 'rt-spark-line', points: points.join(' '), fill: 'none' }));
  return root;
}
