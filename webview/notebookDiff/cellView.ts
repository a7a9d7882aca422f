// The cells in the diff's reading order: each changed cell as a block, each run of unchanged cells
// as one collapsed row (cheap, so a 1000-cell notebook renders at once) that expands on demand.
import type { DiffLayout, NotebookDiffData } from '../../src/protocol/notebookDiff.ts';
import { el } from '../shared/dom.ts';
import { renderKeyChanges, renderOutputs } from './outputView.ts';
import { renderTextDiff } from './textDiffView.ts';
import type { CellDiff } from './types.ts';

/** Renders every cell; `expanded` holds the first diff index of each unchanged run the user opened. */
export function renderCells(data: NotebookDiffData, layout: DiffLayout, expanded: ReadonlySet<number>): DocumentFragment {
  const out = document.createDocumentFragment();
  const cells = data.diff.cells;
  let change = 0;
  for (let i = 0; i < cells.length; ) {
    const cell = cells[i] as CellDiff;
    if (cell.kind !== 'unchanged') {
      out.append(renderChangedCell(cell, i, change++, data, layout));
      i++;
      continue;
    }
    let end = i;
    while (end < cells.length && (cells[end] as CellDiff).kind === 'unchanged') end++;
    out.append(expanded.has(i) ? renderExpandedRun(data, i, end) : renderCollapsedRun(i, end));
    i = end;
  }
  return out;
}

export function renderCollapsedRun(start: number, end: number): HTMLElement {
  const n = end - start;
  return el('button', {
    className: 'run collapsed',
    text: `… ${n} unchanged cell${n === 1 ? '' : 's'} …`,
    attrs: { type: 'button', 'data-run-start': String(start), 'data-run-end': String(end), 'aria-expanded': 'false' },
  });
}

export function renderExpandedRun(data: NotebookDiffData, start: number, end: number): HTMLElement {
  const n = end - start;
  const collapse = el('button', {
    className: 'run expanded',
    text: `Hide ${n} unchanged cell${n === 1 ? '' : 's'}`,
    attrs: { type: 'button', 'data-run-start': String(start), 'data-run-end': String(end), 'aria-expanded': 'true' },
  });
  const cells = data.diff.cells.slice(start, end).map((cell, k) => renderUnchangedCell(cell, start + k, data));
  return el('div', { className: 'run-group' }, [collapse, ...cells]);
}

function renderUnchangedCell(cell: CellDiff, index: number, data: NotebookDiffData): HTMLElement {
  const source = (cell.remoteIndex !== null ? data.remote.cells[cell.remoteIndex] : cell.baseIndex !== null ? data.base.cells[cell.baseIndex] : undefined)?.source ?? '';
  return el('section', { className: 'cell kind-unchanged', attrs: { 'data-index': String(index), 'aria-label': cellLabel(cell) } }, [
    cellHead(cell),
    el('pre', { className: 'plain', text: source }),
  ]);
}

function renderChangedCell(cell: CellDiff, index: number, change: number, data: NotebookDiffData, layout: DiffLayout): HTMLElement {
  const parts: Node[] = [cellHead(cell)];
  if (cell.source && cell.source.hunks.length) parts.push(renderTextDiff(cell.source, layout, `${cell.cellType} source`));
  else if (cell.kind === 'moved') parts.push(el('p', { className: 'muted note', text: 'Moved without changes.' }));
  if (cell.metadata?.length) parts.push(renderKeyChanges(cell.metadata, 'metadata'));
  if (cell.attachments?.length) parts.push(renderKeyChanges(cell.attachments, 'attachments'));
  const outputs = renderOutputs(cell, data, layout);
  if (outputs) parts.push(outputs);
  return el(
    'section',
    { className: `cell kind-${cell.kind}`, attrs: { 'data-index': String(index), 'data-change': String(change), tabindex: '-1', 'aria-label': cellLabel(cell) } },
    parts,
  );
}

function cellHead(cell: CellDiff): HTMLElement {
  const facts: string[] = [cell.cellType, indices(cell)];
  if (cell.executionCount) facts.push(`execution count ${cell.executionCount.base ?? '—'} → ${cell.executionCount.remote ?? '—'}`);
  if (cell.matchedBy === 'similarity') facts.push('matched by similarity');
  return el('header', { className: 'cell-head' }, [
    el('span', { className: `badge badge-${cell.kind}`, text: cell.kind }),
    ...facts.map((text) => el('span', { className: 'fact', text })),
  ]);
}

function indices(cell: CellDiff): string {
  const base = cell.baseIndex === null ? null : cell.baseIndex + 1;
  const remote = cell.remoteIndex === null ? null : cell.remoteIndex + 1;
  if (base === null) return `remote ${remote}`;
  if (remote === null) return `base ${base}`;
  return `base ${base} → remote ${remote}`;
}

function cellLabel(cell: CellDiff): string {
  return `${cell.kind} ${cell.cellType} cell, ${indices(cell)}`;
}
