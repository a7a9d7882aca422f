// The panel's header, built once so focus stays on a control while the cells below re-render:
// title, where the sides come from, "N of M conflicts left", conflict navigation and Mark as Resolved.
import type { NotebookMergeData } from '../../src/protocol/notebookMerge.ts';
import { custom, el } from '../shared/dom.ts';

export interface Header {
  readonly root: HTMLElement;
  readonly title: HTMLElement;
  readonly sides: HTMLElement;
  readonly left: HTMLElement;
  readonly prev: HTMLElement;
  readonly next: HTMLElement;
  readonly position: HTMLElement;
  readonly markResolved: HTMLElement;
  readonly status: HTMLElement;
  readonly alert: HTMLElement;
}

const ORIGIN_TEXT: Readonly<Record<NotebookMergeData['origin'], string>> = {
  git: 'from git’s merge stages',
  markers: 'from the conflicts Labbook’s merge driver recorded in the file',
  files: 'from three files',
};

export function buildHeader(): Header {
  const prev = custom('vscode-button', { text: 'Previous conflict', attrs: { secondary: '', 'data-nav': 'prev', title: 'Previous conflict (Shift+F7)' } });
  const next = custom('vscode-button', { text: 'Next conflict', attrs: { secondary: '', 'data-nav': 'next', title: 'Next conflict (F7)' } });
  const markResolved = custom('vscode-button', { text: 'Mark as Resolved', attrs: { 'data-action': 'mark-resolved', disabled: '', title: 'Write the merged notebook and stage it' } });
  const position = el('span', { className: 'position', attrs: { 'data-testid': 'position' } });
  const left = el('strong', { className: 'left', attrs: { 'data-testid': 'left', 'aria-live': 'polite' } });
  const title = el('h1', { className: 'title', attrs: { 'data-testid': 'title' } });
  const sides = el('p', { className: 'sides muted', attrs: { 'data-testid': 'sides' } });
  const status = el('p', { className: 'status', attrs: { role: 'status', 'data-testid': 'status' } });
  const alert = el('p', { className: 'error', attrs: { role: 'alert', 'data-testid': 'alert' } });
  const root = el('header', { className: 'panel-head' }, [
    title,
    sides,
    el('div', { className: 'controls', attrs: { role: 'toolbar', 'aria-label': 'Merge' } }, [left, prev, next, position, markResolved]),
    status,
    alert,
  ]);
  return { root, title, sides, left, prev, next, position, markResolved, status, alert };
}

export function showSummary(header: Header, data: NotebookMergeData): void {
  header.title.textContent = data.title;
  const { names } = data.merge;
  header.sides.textContent = `base: ${names.base} · local: ${names.local} · remote: ${names.remote} (${data.from ?? ORIGIN_TEXT[data.origin]}); writes ${data.output}`;
}

export function setEnabled(button: HTMLElement, enabled: boolean): void {
  if (enabled) button.removeAttribute('disabled');
  else button.setAttribute('disabled', '');
}

/** "N of M conflicts left", the position among the conflicts, and what is enabled. */
export function showProgress(header: Header, left: number, total: number, current: number): void {
  header.left.textContent = total === 0 ? 'No conflicts' : `${left} of ${total} conflict${total === 1 ? '' : 's'} left`;
  header.position.textContent = total === 0 || current < 0 ? '' : `conflict ${current + 1} of ${total}`;
  setEnabled(header.prev, total > 0);
  setEnabled(header.next, total > 0);
  setEnabled(header.markResolved, left === 0);
}
