// The cells in the diff's reading order: each changed cell as a block, each run of unchanged cells
// as one collapsed row (cheap, so a 1000-cell notebook renders at once) that expands on demand.
import type { DiffLayout, NotebookDiffData } from '../../src/protocol/notebookDiff.ts';
import { el } from '../shared/dom.ts';
import { renderMarkdown } from './markdown.ts';
import { type MarkdownView, markdownViewKey } from './markdownViews.ts';
import { renderKeyChanges, renderOutputs } from './outputView.ts';
import { renderTextDiff } from './textDiffView.ts';
import type { CellDiff } from './types.ts';

/** The view the user picked for a markdown cell, by its markdownViewKey. */
export interface MarkdownViewLookup {
  get(key: string): MarkdownView | undefined;
}

/**
 * Renders every cell; `expanded` holds the first diff index of each unchanged run the user opened,
 * `views` the view picked for each markdown cell (else modified cells show their source diff, the rest rendered).
 */
export function renderCells(data: NotebookDiffData, layout: DiffLayout, expanded: ReadonlySet<number>, views: MarkdownViewLookup = new Map()): DocumentFragment {
  const out = document.createDocumentFragment();
  const cells = data.diff.cells;
  let change = 0;
  for (let i = 0; i < cells.length; ) {
    const cell = cells[i] as CellDiff;
    if (cell.kind !== 'unchanged') {
      out.append(renderChangedCell(cell, i, change++, data, layout, views));
      i++;
      continue;
    }
    let end = i;
    while (end < cells.length && (cells[end] as CellDiff).kind === 'unchanged') end++;
    out.append(expanded.has(i) ? renderExpandedRun(data, i, end, layout, views) : renderCollapsedRun(i, end));
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

export function renderExpandedRun(data: NotebookDiffData, start: number, end: number, layout: DiffLayout, views: MarkdownViewLookup): HTMLElement {
  const n = end - start;
  const collapse = el('button', {
    className: 'run expanded',
    text: `Hide ${n} unchanged cell${n === 1 ? '' : 's'}`,
    attrs: { type: 'button', 'data-run-start': String(start), 'data-run-end': String(end), 'aria-expanded': 'true' },
  });
  const cells = data.diff.cells.slice(start, end).map((cell, k) => renderUnchangedCell(cell, start + k, data, layout, views));
  return el('div', { className: 'run-group' }, [collapse, ...cells]);
}

function renderUnchangedCell(cell: CellDiff, index: number, data: NotebookDiffData, layout: DiffLayout, views: MarkdownViewLookup): HTMLElement {
  const source = sourceOf(cell, data, 'remote') ?? sourceOf(cell, data, 'base') ?? '';
  const section = el('section', { className: 'cell kind-unchanged', attrs: { 'data-index': String(index), 'aria-label': cellLabel(cell) } });
  const plain = el('pre', { className: 'plain', text: source });
  section.append(...(cell.cellType === 'markdown' ? markdownParts(section, cell, data, layout, views, [plain]) : [cellHead(cell), plain]));
  return section;
}

function renderChangedCell(cell: CellDiff, index: number, change: number, data: NotebookDiffData, layout: DiffLayout, views: MarkdownViewLookup): HTMLElement {
  const section = el('section', {
    className: `cell kind-${cell.kind}`,
    attrs: { 'data-index': String(index), 'data-change': String(change), tabindex: '-1', 'aria-label': cellLabel(cell) },
  });
  const parts: Node[] = [];
  const source: Node[] = [];
  if (cell.source && cell.source.hunks.length) source.push(renderTextDiff(cell.source, layout, `${cell.cellType} source`));
  else if (cell.kind === 'moved') {
    parts.push(el('p', { className: 'muted note', text: 'Moved without changes.' }));
    if (cell.cellType === 'markdown') source.push(el('pre', { className: 'plain', text: sourceOf(cell, data, 'remote') ?? '' }));
  }
  if (cell.cellType === 'markdown') parts.push(...markdownParts(section, cell, data, layout, views, source));
  else parts.unshift(cellHead(cell), ...source);
  if (cell.metadata?.length) parts.push(renderKeyChanges(cell.metadata, 'metadata'));
  if (cell.attachments?.length) parts.push(renderKeyChanges(cell.attachments, 'attachments'));
  const outputs = renderOutputs(cell, data, layout);
  if (outputs) parts.push(outputs);
  section.append(...parts);
  return section;
}

function sourceOf(cell: CellDiff, data: NotebookDiffData, side: 'base' | 'remote'): string | undefined {
  const index = side === 'base' ? cell.baseIndex : cell.remoteIndex;
  return index === null ? undefined : data[side].cells[index]?.source;
}

/**
 * A markdown cell's head with a Source | Rendered switch, then both views (CSS shows the one named
 * by the section's data-md-view). Rendered shows the remote side (base when removed); a modified
 * cell side by side shows base rendered left and remote rendered right.
 */
function markdownParts(section: HTMLElement, cell: CellDiff, data: NotebookDiffData, layout: DiffLayout, views: MarkdownViewLookup, source: Node[]): Node[] {
  const key = markdownViewKey(cell);
  const view = views.get(key) ?? (cell.kind === 'modified' || (cell.kind === 'moved' && cell.source?.hunks.length) ? 'source' : 'rendered');
  section.dataset.mdKey = key;
  section.dataset.mdView = view;
  const button = (v: MarkdownView, label: string) =>
    el('button', { className: 'md-view', text: label, attrs: { type: 'button', 'data-md-view-button': v, 'aria-pressed': String(v === view) } });
  const toggle = el('div', { className: 'md-toggle', attrs: { role: 'group', 'aria-label': 'Markdown view' } }, [button('source', 'Source'), button('rendered', 'Rendered')]);
  const base = sourceOf(cell, data, 'base');
  const remote = sourceOf(cell, data, 'remote');
  let rendered: Node[];
  if (cell.kind === 'modified' && layout === 'sideBySide' && base !== undefined && remote !== undefined) {
    const [left, right] = [renderMarkdown(base), renderMarkdown(remote)];
    left.classList.add('base');
    right.classList.add('remote');
    rendered = [el('div', { className: 'md-pair' }, [left, right])];
  } else rendered = [renderMarkdown(remote ?? base ?? '')];
  return [
    el('div', { className: 'cell-top' }, [cellHead(cell), toggle]),
    el('div', { className: 'md-source' }, source),
    el('div', { className: 'md-rendered' }, rendered),
  ];
}

/** Shows a markdown cell's other view from its switch; returns the cell's key and the view. */
export function switchMarkdownView(button: HTMLElement): [string, MarkdownView] | null {
  const cell = button.closest<HTMLElement>('.cell');
  const view = button.dataset.mdViewButton;
  if (!cell?.dataset.mdKey || (view !== 'source' && view !== 'rendered')) return null;
  cell.dataset.mdView = view;
  for (const b of cell.querySelectorAll(':scope > .cell-top [data-md-view-button]')) b.setAttribute('aria-pressed', String(b === button));
  return [cell.dataset.mdKey, view];
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
