// The Params tab: a table sortable by name or value (numbers compare as numbers) and filterable.
import type { RunDetails } from '../../src/protocol/runDetails.ts';
import { el } from '../shared/dom.ts';
import type { Ctx } from './context.ts';
import { plural } from './format.ts';
import { filterBox, matches } from './table.ts';

type Param = RunDetails['params'][number];

function asNumber(value: string): number | null {
  const n = Number(value);
  return value.trim() !== '' && Number.isFinite(n) ? n : null;
}

/** Numbers first, by value; then text, in natural order (a total order, so sorting is stable). */
export function compareValues(a: string, b: string): number {
  const x = asNumber(a);
  const y = asNumber(b);
  if (x !== null && y !== null) return x - y;
  if (x !== null) return -1;
  if (y !== null) return 1;
  return a.localeCompare(b, undefined, { numeric: true });
}

export function renderParams(ctx: Ctx, panel: HTMLElement, details: RunDetails): void {
  if (details.params.length === 0) {
    panel.replaceChildren(el('p', { className: 'muted empty', text: 'This run has no params.' }));
    return;
  }
  const count = el('span', { className: 'muted count', attrs: { 'data-testid': 'params-count', 'aria-live': 'polite' } });
  const body = el('tbody');
  const headers = (['key', 'value'] as const).map((column) => {
    const button = el('button', { className: 'sort', text: column === 'key' ? 'Name' : 'Value', attrs: { type: 'button', 'data-sort': column } });
    button.addEventListener('click', () => {
      const sort = ctx.ui.paramSort;
      ctx.ui.paramSort = { column, descending: sort.column === column ? !sort.descending : false };
      ctx.save();
      fill();
    });
    return el('th', { attrs: { scope: 'col', 'data-column': column } }, [button]);
  });
  const fill = (): void => {
    const { column, descending } = ctx.ui.paramSort;
    const shown = details.params.filter((p) => matches(ctx.ui.paramFilter, p.key, p.value));
    const sorted = [...shown].sort((a: Param, b: Param) => (descending ? -1 : 1) * (column === 'key' ? a.key.localeCompare(b.key) : compareValues(a.value, b.value)));
    body.replaceChildren(...sorted.map((p) => el('tr', {}, [el('td', { className: 'mono', text: p.key }), el('td', { className: 'mono', text: p.value })])));
    for (const th of headers) {
      const active = th.dataset.column === column;
      th.setAttribute('aria-sort', active ? (descending ? 'descending' : 'ascending') : 'none');
    }
    count.textContent = shown.length === details.params.length ? plural(details.params.length, 'param') : `${shown.length} of ${plural(details.params.length, 'param')}`;
  };
  const filter = filterBox('Filter params', ctx.ui.paramFilter, 'params-filter', (value) => {
    ctx.ui.paramFilter = value;
    ctx.save();
    fill();
  });
  fill();
  panel.replaceChildren(
    el('div', { className: 'toolbar' }, [filter, count]),
    el('table', { className: 'grid', attrs: { 'data-testid': 'params' } }, [el('thead', {}, [el('tr', {}, headers)]), body]),
  );
}
