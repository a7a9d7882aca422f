// One row per compared column, most drifted first: the deciding test by name, its score against
// its threshold, PSI beside it, and both distributions overlaid. Columns left out (ids, row
// numbers, timestamps, one-sided) are listed apart with their reason.
import { DRIFT_TEST_NAMES, DRIFT_WHEN_BELOW, type ColumnDrift, type DriftReport } from '../../src/protocol/drift.ts';
import { formatNumber } from '../../src/shared/format.ts';
import { el } from '../shared/dom.ts';
import { distributionChart } from './charts.ts';

/** How far past its threshold a column is (> 1: drifted), whichever way its test reads. */
export function severity(c: ColumnDrift): number {
  if (c.test === undefined || c.score === undefined || c.threshold === undefined) return -1;
  if (DRIFT_WHEN_BELOW[c.test]) return c.threshold / Math.max(c.score, Number.MIN_VALUE);
  return c.threshold > 0 ? c.score / c.threshold : c.score > 0 ? Number.POSITIVE_INFINITY : 0;
}

/** Compared columns sorted by drift score (drifted first, then by severity, then by name). */
export function sortedColumns(report: DriftReport): ColumnDrift[] {
  return report.columns
    .filter((c) => c.skipped === undefined)
    .sort((a, b) => Number(b.drifted) - Number(a.drifted) || severity(b) - severity(a) || a.column.localeCompare(b.column));
}

export interface ColumnFilter {
  readonly text: string;
  readonly driftedOnly: boolean;
}

function matches(c: ColumnDrift, filter: ColumnFilter): boolean {
  if (filter.driftedOnly && !c.drifted) return false;
  return filter.text === '' || c.column.toLowerCase().includes(filter.text.toLowerCase());
}

function mark(drifted: boolean): HTMLElement {
  return el('span', { className: drifted ? 'drift-mark drifted' : 'drift-mark stable', text: drifted ? '⚠ drift' : '✓ stable', attrs: { 'data-testid': 'mark' } });
}

function scoreText(c: ColumnDrift): string {
  return c.score === undefined ? '—' : formatNumber(c.score);
}

function also(c: ColumnDrift): Node[] {
  return (c.also ?? []).map((a) =>
    el('div', { className: a.drifted ? 'drift-also drifted' : 'drift-also', attrs: { 'data-testid': `also-${a.test}` } }, [
      el('span', { className: 'muted', text: `${DRIFT_TEST_NAMES[a.test]}: ` }),
      el('span', { text: `${formatNumber(a.score)} (threshold ${formatNumber(a.threshold)})` }),
    ]),
  );
}

function columnRow(c: ColumnDrift, names: { reference: string; current: string }): HTMLTableRowElement {
  const stats = (side: 'reference' | 'current') => {
    const s = c[side];
    const parts = [`${formatNumber(s.count)} rows`];
    if (s.mean !== undefined) parts.push(`mean ${formatNumber(s.mean)}`);
    if (s.std !== undefined) parts.push(`std ${formatNumber(s.std)}`);
    return parts.join(', ');
  };
  return el('tr', { className: c.drifted ? 'drifted' : '', attrs: { 'data-column': c.column } }, [
    el('td', {}, [el('strong', { text: c.column, attrs: { 'data-testid': 'column' } }), el('div', { className: 'muted', text: c.kind })]),
    el('td', {}, [
      el('div', { text: c.test ? DRIFT_TEST_NAMES[c.test] : '—', attrs: { 'data-testid': 'test' } }),
      el('div', {}, [el('span', { text: scoreText(c), attrs: { 'data-testid': 'score' } }), el('span', { className: 'muted', text: ` (threshold ${c.threshold === undefined ? '—' : formatNumber(c.threshold)})`, attrs: { 'data-testid': 'threshold' } })]),
      mark(c.drifted),
      ...also(c),
      el('div', { className: 'muted small', text: `${names.reference}: ${stats('reference')}` }),
      el('div', { className: 'muted small', text: `${names.current}: ${stats('current')}` }),
    ]),
    el('td', { className: 'drift-chart-cell' }, [distributionChart(c, names)]),
  ]);
}

/** The columns table as filtered, or a line saying nothing matches. */
export function columnsSection(report: DriftReport, filter: ColumnFilter, controls: HTMLElement): HTMLElement {
  const names = { reference: `reference (${report.reference.label})`, current: `current (${report.current.label})` };
  const all = sortedColumns(report);
  const shown = all.filter((c) => matches(c, filter));
  const body: Node[] = [controls];
  if (shown.length === 0) {
    body.push(el('p', { className: 'muted', text: all.length === 0 ? 'No column was compared.' : 'No column matches the filter.', attrs: { 'data-testid': 'no-columns' } }));
  } else {
    body.push(
      el('table', { className: 'drift-table drift-columns', attrs: { 'data-testid': 'columns' } }, [
        el('thead', {}, [el('tr', {}, ['Column', 'Test and score', 'Reference and current'].map((h) => el('th', { text: h, attrs: { scope: 'col' } })))]),
        el('tbody', {}, shown.map((c) => columnRow(c, names))),
      ]),
    );
  }
  if (shown.length < all.length) body.push(el('p', { className: 'muted', text: `${shown.length} of ${all.length} compared columns shown.`, attrs: { 'data-testid': 'shown-count' } }));
  return el('section', { className: 'drift-section', attrs: { 'data-section': 'columns' } }, [el('h2', { text: 'Columns' }), ...body]);
}

export function skippedSection(report: DriftReport): HTMLElement | null {
  const skipped = report.columns.filter((c) => c.skipped !== undefined);
  if (skipped.length === 0) return null;
  return el('section', { className: 'drift-section', attrs: { 'data-section': 'skipped' } }, [
    el('h2', { text: 'Not compared' }),
    el('ul', { className: 'drift-skipped', attrs: { 'data-testid': 'skipped' } }, skipped.map((c) => el('li', {}, [el('strong', { text: c.column }), el('span', { className: 'muted', text: ` (${c.role}): ${c.skipped ?? ''}` })]))),
  ]);
}
