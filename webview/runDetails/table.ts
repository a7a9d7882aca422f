// Small table helpers shared by the tabs: a filter box, and a plain text table.
import { el } from '../shared/dom.ts';

export function filterBox(label: string, value: string, testId: string, onInput: (value: string) => void): HTMLInputElement {
  const input = el('input', { className: 'filter', attrs: { type: 'search', placeholder: label, 'aria-label': label, 'data-testid': testId } });
  input.value = value;
  input.addEventListener('input', () => onInput(input.value));
  return input;
}

/** Case-insensitive "contains" over any of the cells. */
export function matches(filter: string, ...cells: string[]): boolean {
  const needle = filter.trim().toLowerCase();
  return needle === '' || cells.some((c) => c.toLowerCase().includes(needle));
}

export function textTable(headers: readonly string[], rows: readonly (readonly string[])[], attrs: Record<string, string> = {}): HTMLTableElement {
  return el('table', { className: 'grid', attrs }, [
    el('thead', {}, [el('tr', {}, headers.map((h) => el('th', { text: h, attrs: { scope: 'col' } })))]),
    el('tbody', {}, rows.map((r) => el('tr', {}, r.map((c) => el('td', { text: c }))))),
  ]);
}
