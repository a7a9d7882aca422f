// The drift panel's sections above the columns: the two sides, the dataset summary, schema and
// null-share changes, the thresholds form, the report's notes. Every value is set as text.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import { DRIFT_TEST_NAMES, DRIFT_TESTS, DRIFT_WHEN_BELOW, type DriftReport, type DriftSide, type DriftSideName, type DriftThresholds, type DriftTest } from '../../src/protocol/drift.ts';
import { formatNumber } from '../../src/shared/format.ts';
import { custom, el } from '../shared/dom.ts';

export function percent(share: number): string {
  return `${formatNumber(Number((share * 100).toFixed(1)))}%`;
}

function section(id: string, title: string, children: readonly Node[]): HTMLElement {
  return el('section', { className: 'drift-section', attrs: { 'data-section': id } }, [el('h2', { text: title }), ...children]);
}

function table(head: readonly string[], rows: readonly (readonly string[])[], testid: string): HTMLTableElement {
  return el('table', { className: 'drift-table', attrs: { 'data-testid': testid } }, [
    el('thead', {}, [el('tr', {}, head.map((h) => el('th', { text: h, attrs: { scope: 'col' } })))]),
    el('tbody', {}, rows.map((r) => el('tr', {}, r.map((c) => el('td', { text: c }))))),
  ]);
}

function sideBlock(name: DriftSideName, side: DriftSide, openRun: (side: DriftSideName) => void): HTMLElement {
  const children: Node[] = [
    el('span', { className: 'muted', text: name === 'reference' ? 'Reference' : 'Current' }),
    el('strong', { text: side.label, attrs: { 'data-testid': `${name}-label` } }),
    el('span', { text: `${formatNumber(side.rows)} rows`, attrs: { 'data-testid': `${name}-rows` } }),
  ];
  if (side.path && side.path !== side.label) children.push(el('span', { className: 'muted mono', text: side.path }));
  if (side.fromProfile) children.push(el('span', { className: 'drift-approx', text: 'approximate: from stored profile', attrs: { 'data-testid': `${name}-approx`, title: 'The file changed or is gone: scores come from the profile stored with the run' } }));
  if (side.runId) {
    const open = custom('vscode-button', { text: 'Open Run', attrs: { secondary: '', 'data-action': `open-${name}` } });
    open.addEventListener('click', () => openRun(name));
    children.push(open);
  }
  return el('div', { className: 'drift-side' }, children);
}

export function headerOf(report: DriftReport, openRun: (side: DriftSideName) => void): HTMLElement {
  return el('div', { className: 'drift-head', attrs: { 'data-testid': 'head' } }, [
    sideBlock('reference', report.reference, openRun),
    el('span', { className: 'drift-arrow', text: '→', attrs: { 'aria-hidden': 'true' } }),
    sideBlock('current', report.current, openRun),
  ]);
}

export function summaryOf(report: DriftReport): HTMLElement {
  const d = report.dataset;
  const verdict = el('p', {
    className: d.drifted ? 'drift-verdict drifted' : 'drift-verdict stable',
    text: d.drifted ? '⚠ Dataset drift detected' : '✓ No dataset drift',
    attrs: { 'data-testid': 'verdict' },
  });
  const facts = el('dl', { className: 'facts', attrs: { 'data-testid': 'dataset' } }, [
    el('dt', { text: 'Drifted columns' }),
    el('dd', { text: `${d.driftedColumns} of ${d.comparedColumns} compared` }),
    el('dt', { text: 'Share drifted' }),
    el('dd', { text: `${percent(d.share)} (dataset drift at ${percent(report.options.datasetShare)} or more)` }),
  ]);
  return section('summary', 'Dataset', [verdict, facts]);
}

export function schemaOf(report: DriftReport): HTMLElement | null {
  const s = report.dataset.schema;
  const rows = [
    ...s.added.map((c) => [c.column, 'added', c.type]),
    ...s.removed.map((c) => [c.column, 'removed', c.type]),
    ...s.typeChanged.map((c) => [c.column, 'type changed', `${c.from} → ${c.to}`]),
  ];
  if (rows.length === 0) return null;
  return section('schema', 'Schema changes', [table(['Column', 'Change', 'Type'], rows, 'schema')]);
}

export function nullsOf(report: DriftReport): HTMLElement | null {
  const changes = report.dataset.nullShareChanges;
  if (changes.length === 0) return null;
  return section('nulls', 'Null share changes', [table(['Column', 'Reference', 'Current'], changes.map((c) => [c.column, percent(c.reference), percent(c.current)]), 'nulls')]);
}

export function notesOf(report: DriftReport): HTMLElement | null {
  if (report.notes.length === 0) return null;
  return el('ul', { className: 'drift-notes muted', attrs: { 'data-testid': 'notes' } }, report.notes.map((n) => el('li', { text: n })));
}

/** The thresholds, editable; `apply` gets them checked (numbers ≥ 0, the share at most 1). */
export function thresholdsForm(current: DriftThresholds, open: boolean, onToggle: (open: boolean) => void, apply: (next: DriftThresholds) => void, reset: () => void): HTMLElement {
  const inputs = new Map<DriftTest | 'share', HTMLInputElement>();
  const field = (key: DriftTest | 'share', label: string, value: number, title: string) => {
    const input = el('input', { attrs: { type: 'number', min: '0', step: 'any', value: String(value), 'data-threshold': key, 'aria-label': label, title } });
    if (key === 'share') input.max = '1';
    inputs.set(key, input);
    return el('label', { className: 'drift-threshold' }, [el('span', { text: label }), input]);
  };
  const problem = el('p', { className: 'error', attrs: { role: 'alert', 'data-testid': 'threshold-problem' } });
  const fields = DRIFT_TESTS.map((t) => field(t, DRIFT_TEST_NAMES[t], current.thresholds[t], DRIFT_WHEN_BELOW[t] ? 'Drift when the p-value is below this' : 'Drift when the distance is above this'));
  fields.push(field('share', 'Dataset drift share', current.datasetShare, 'The dataset drifts when at least this share of the compared columns drift'));
  const applyButton = custom('vscode-button', { text: 'Apply', attrs: { 'data-action': 'apply-thresholds', title: 'Recompute with these thresholds (kept for this workspace)' } });
  const resetButton = custom('vscode-button', { text: 'Reset to Defaults', attrs: { secondary: '', 'data-action': 'reset-thresholds' } });
  applyButton.addEventListener('click', () => {
    const read = (key: DriftTest | 'share') => Number(inputs.get(key)?.value ?? Number.NaN);
    const bad = [...inputs.keys()].find((k) => !(Number.isFinite(read(k)) && read(k) >= 0 && (k !== 'share' || read(k) <= 1)));
    if (bad) {
      problem.textContent = bad === 'share' ? 'The dataset drift share must be a number from 0 to 1.' : `The ${DRIFT_TEST_NAMES[bad]} threshold must be a number of at least 0.`;
      return;
    }
    problem.textContent = '';
    const thresholds = Object.fromEntries(DRIFT_TESTS.map((t) => [t, read(t)])) as Record<DriftTest, number>;
    apply({ thresholds, datasetShare: read('share') });
  });
  resetButton.addEventListener('click', () => reset());
  const body = el('div', { className: 'drift-thresholds' }, [...fields, el('div', { className: 'drift-actions' }, [applyButton, resetButton]), problem]);
  const details = el('details', { className: 'drift-section', attrs: { 'data-section': 'thresholds' } }, [el('summary', { text: 'Thresholds' }), body]);
  details.open = open;
  details.addEventListener('toggle', () => onToggle(details.open));
  return details;
}
