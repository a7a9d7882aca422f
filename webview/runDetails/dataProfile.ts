// The Data tab's profiles (labbook/data/profile.json): per file a table of its columns (type, nulls,
// distinct, min, max, mean, std) with a small histogram, or the top values of a categorical
// column; and the files that could not be profiled, with their reasons. Values are text; the
// histograms are SVG rectangles.
import type { ColumnProfile, DataProfile, RunProfiles } from '../../src/protocol/runDetails.ts';
import { formatNumber } from '../../src/shared/format.ts';
import { el, svg } from '../shared/dom.ts';
import { formatBytes } from './format.ts';

const BAR_W = 4;
const BAR_GAP = 1;
const HEIGHT = 24;
/** Top values listed in a categorical column's cell. */
const TOP_SHOWN = 3;

function histogramOf(counts: readonly number[], label: string): SVGSVGElement {
  const max = Math.max(1, ...counts);
  const width = counts.length * (BAR_W + BAR_GAP);
  return svg('svg', { class: 'profile-hist', width, height: HEIGHT, viewBox: `0 0 ${width} ${HEIGHT}`, role: 'img', 'aria-label': label, 'data-bins': counts.length }, [
    svg('title', {}, [], label),
    ...counts.map((c, i) => {
      const h = c === 0 ? 0 : Math.max(1, Math.round((c / max) * HEIGHT));
      return svg('rect', { x: i * (BAR_W + BAR_GAP), y: HEIGHT - h, width: BAR_W, height: h });
    }),
  ]);
}

function bound(value: number | string | undefined): string {
  return value === undefined ? '' : typeof value === 'number' ? formatNumber(value) : value;
}

function distribution(c: ColumnProfile): Node {
  if (c.histogram && c.histogram.counts.length > 0) {
    const { edges, counts } = c.histogram;
    return histogramOf(counts, `${c.name}: ${counts.length} bins from ${formatNumber(edges[0] ?? 0)} to ${formatNumber(edges.at(-1) ?? 0)}`);
  }
  if (c.topValues && c.topValues.length > 0) {
    const total = c.count - c.nulls;
    const share = (n: number) => (total > 0 ? ` ${formatNumber(Number(((n / total) * 100).toFixed(1)))}%` : '');
    const shown = c.topValues.slice(0, TOP_SHOWN).map((t) => `${t.value}${share(t.count)}`);
    const rest = c.topValues.length - TOP_SHOWN + (c.otherCount ? 1 : 0);
    return el('span', { className: 'profile-top', text: `${shown.join(', ')}${rest > 0 ? ', …' : ''}` });
  }
  return el('span', { className: 'muted', text: '' });
}

function columnRow(c: ColumnProfile): HTMLTableRowElement {
  const cells = [
    c.name,
    `${c.type}${c.role === 'feature' ? '' : ` (${c.role})`}`,
    `${formatNumber(Number((c.nullShare * 100).toFixed(2)))}%`,
    `${c.distinctApprox ? '≈' : ''}${formatNumber(c.distinct)}`,
    bound(c.min),
    bound(c.max),
    c.mean === undefined ? '' : formatNumber(c.mean),
    c.std === undefined ? '' : formatNumber(c.std),
  ];
  const row = el('tr', { attrs: { 'data-column': c.name } }, cells.map((text) => el('td', { text })));
  if (c.roleReason) row.title = `Left out of drift: ${c.roleReason}`;
  row.append(el('td', {}, [distribution(c)]));
  return row;
}

function profileBlock(p: DataProfile): HTMLElement {
  const facts = [`${formatNumber(p.rows)} rows`, `${p.columns.length} columns`, p.source.format.toUpperCase(), formatBytes(p.source.size)].filter(Boolean).join(' · ');
  const head = ['Column', 'Type', 'Nulls', 'Distinct', 'Min', 'Max', 'Mean', 'Std', 'Distribution'];
  return el('div', { className: 'profile', attrs: { 'data-profile': p.source.path } }, [
    el('h3', { className: 'mono', text: p.source.path }),
    el('p', { className: 'muted', text: facts }),
    el('div', { className: 'table-scroll' }, [
      el('table', { className: 'grid profile-table', attrs: { 'data-testid': 'profile-table' } }, [
        el('thead', {}, [el('tr', {}, head.map((h) => el('th', { text: h, attrs: { scope: 'col' } })))]),
        el('tbody', {}, p.columns.map(columnRow)),
      ]),
    ]),
    ...(p.notes.length > 0 ? [el('ul', { className: 'muted' }, p.notes.map((n) => el('li', { text: n })))] : []),
  ]);
}

/** The Profiles part of the Data tab, or nothing when the run has no profile.json. */
export function profilesSection(profiles: RunProfiles | undefined): Node[] {
  if (!profiles) return [];
  const parts: Node[] = [el('h2', { text: 'Profiles' })];
  if (profiles.profiles.length === 0 && profiles.failures.length === 0) parts.push(el('p', { className: 'muted empty', text: 'No tabular input was profiled.' }));
  parts.push(...profiles.profiles.map(profileBlock));
  if (profiles.failures.length > 0) {
    parts.push(
      el('h3', { text: 'Not profiled' }),
      el('ul', { className: 'profile-failures', attrs: { 'data-testid': 'profile-failures' } }, profiles.failures.map((f) => el('li', {}, [el('span', { className: 'mono', text: f.path }), el('span', { className: 'muted', text: `: ${f.error}` })]))),
    );
  }
  return [el('section', { attrs: { 'data-testid': 'profiles' } }, parts)];
}
