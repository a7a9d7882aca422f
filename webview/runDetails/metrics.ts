// The Metrics tab: each metric's latest value and step, a sparkline of its history, its min and max.
import type { RunDetails } from '../../src/protocol/runDetails.ts';
import { el } from '../shared/dom.ts';
import type { Ctx } from './context.ts';
import { plural } from './format.ts';
import { formatNumber } from '../../src/shared/format.ts';
import { renderSparkline } from './sparkline.ts';
import { filterBox, matches } from './table.ts';

export function renderMetrics(ctx: Ctx, panel: HTMLElement, details: RunDetails): void {
  if (details.metrics.length === 0) {
    panel.replaceChildren(el('p', { className: 'muted empty', text: 'This run has no metrics.' }));
    return;
  }
  const body = el('tbody');
  const count = el('span', { className: 'muted count', attrs: { 'data-testid': 'metrics-count', 'aria-live': 'polite' } });
  const fill = (): void => {
    const shown = details.metrics.filter((m) => matches(ctx.ui.metricFilter, m.key));
    body.replaceChildren(
      ...shown.map((m) => {
        const line = m.sparkline;
        return el('tr', { attrs: { 'data-metric': m.key } }, [
          el('td', { className: 'mono', text: m.key }),
          el('td', { className: 'num', text: formatNumber(m.latest), attrs: { title: `logged ${m.timestamp}` } }),
          el('td', { className: 'num', text: String(m.step) }),
          el('td', { className: 'spark' }, line ? [renderSparkline(m.key, line)] : [el('span', { className: 'muted', text: 'not read' })]),
          el('td', { className: 'num', text: line?.min === null || !line ? '—' : formatNumber(line.min), attrs: { 'data-cell': 'min' } }),
          el('td', { className: 'num', text: line?.max === null || !line ? '—' : formatNumber(line.max), attrs: { 'data-cell': 'max' } }),
          el('td', { className: 'num muted', text: line ? String(line.count) : '' }),
        ]);
      }),
    );
    count.textContent = shown.length === details.metrics.length ? plural(shown.length, 'metric') : `${shown.length} of ${plural(details.metrics.length, 'metric')}`;
  };
  const filter = filterBox('Filter metrics', ctx.ui.metricFilter, 'metrics-filter', (value) => {
    ctx.ui.metricFilter = value;
    ctx.save();
    fill();
  });
  fill();
  const head = ['Metric', 'Latest', 'Step', 'History', 'Min', 'Max', 'Values'].map((h) => el('th', { text: h, attrs: { scope: 'col' } }));
  const parts: Node[] = [el('div', { className: 'toolbar' }, [filter, count]), el('table', { className: 'grid', attrs: { 'data-testid': 'metrics' } }, [el('thead', {}, [el('tr', {}, head)]), body])];
  if (details.sparklinesOmitted > 0) parts.push(el('p', { className: 'muted', text: `${plural(details.sparklinesOmitted, 'metric')} past the first ${details.metrics.length - details.sparklinesOmitted} are shown without their history.` }));
  panel.replaceChildren(...parts);
}
