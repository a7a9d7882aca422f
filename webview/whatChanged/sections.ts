// The What Changed page's sections, each built from the host's plain-JSON model. Every value is
// set as text (el() never parses HTML); colour says better/worse only where the host knew the
// metric's direction.
import type { CodeFile, ColumnChange, Side, SignatureFacts, WhatChanged } from '../../src/protocol/whatChanged.ts';
import { formatNumber, formatSignedPercent } from '../../src/shared/format.ts';
import { custom, el } from '../shared/dom.ts';

export interface SectionActions {
  openDiff(file: CodeFile): void;
  openNotebookDiff(): void;
  openRun(side: Side): void;
}

const dash = '—';

function text(value: string | null | undefined): string {
  return value === null || value === undefined || value === '' ? dash : value;
}

function num(value: number | null): string {
  return value === null ? dash : formatNumber(value);
}

function table(id: string, head: readonly string[], rows: readonly HTMLTableRowElement[]): HTMLElement {
  if (rows.length === 0) return el('p', { className: 'muted', text: 'Nothing recorded on either side.', attrs: { 'data-testid': `${id}-empty` } });
  return el('table', { className: 'wc-table', attrs: { 'data-testid': id } }, [
    el('thead', {}, [el('tr', {}, head.map((h) => el('th', { text: h })))]),
    el('tbody', {}, rows),
  ]);
}

function row(cells: readonly (string | HTMLElement)[], className = ''): HTMLTableRowElement {
  return el('tr', className ? { className } : {}, cells.map((c) => (typeof c === 'string' ? el('td', { text: c }) : el('td', {}, [c]))));
}

function notes(list: readonly string[]): HTMLElement[] {
  return list.length ? [el('ul', { className: 'wc-notes muted' }, list.map((n) => el('li', { text: n })))] : [];
}

function section(id: string, title: string, children: readonly Node[]): HTMLElement {
  return el('section', { className: 'wc-section', attrs: { 'data-section': id, 'aria-labelledby': `h-${id}` } }, [el('h2', { text: title, attrs: { id: `h-${id}` } }), ...children]);
}

function button(label: string, action: string, onClick: () => void, enabled = true): HTMLElement {
  const b = custom('vscode-button', { text: label, attrs: { secondary: '', 'data-action': action, ...(enabled ? {} : { disabled: '' }) } });
  b.addEventListener('click', () => {
    if (!b.hasAttribute('disabled')) onClick();
  });
  return b;
}

export function headerOf(w: WhatChanged, actions: SectionActions): HTMLElement {
  const side = (s: Side) => {
    const info = w[s];
    return el('div', { className: 'wc-side', attrs: { 'data-side': s } }, [
      el('span', { className: 'muted', text: s === 'base' ? 'From' : 'To' }),
      el('strong', { text: info.label }),
      el('span', { className: 'muted', text: info.runName ? `run ${info.runName}` : info.runId ? `run ${info.runId.slice(0, 8)}` : 'no source run' }),
      ...(info.runId ? [button('Open Run', `open-run-${s}`, () => actions.openRun(s))] : []),
    ]);
  };
  return el('header', { className: 'wc-head' }, [side('base'), el('span', { className: 'wc-arrow', text: '→' }), side('remote')]);
}

export function summarySection(w: WhatChanged): HTMLElement {
  return section('summary', 'Summary', [el('ul', { attrs: { 'data-testid': 'summary' } }, w.summary.map((line) => el('li', { text: line }))), ...notes(w.notes)]);
}

export function metricsSection(w: WhatChanged): HTMLElement {
  const origin = (o: 'model' | 'run' | null) => (o === 'model' ? "the logged model's linked metrics, else the run's" : o === 'run' ? "the run's latest metrics" : 'none');
  const rows = w.metrics.rows.map((m) =>
    row([m.key, num(m.base), num(m.remote), m.delta === null ? dash : `${m.delta > 0 ? '+' : ''}${formatNumber(m.delta)}`, m.deltaPercent === null ? dash : formatSignedPercent(m.deltaPercent)], `wc-${m.verdict ?? 'neutral'} wc-${m.change}`),
  );
  return section('metrics', 'Metrics', [
    el('p', { className: 'muted', text: `From: ${origin(w.metrics.origin.base)}; to: ${origin(w.metrics.origin.remote)}.` }),
    table('metrics', ['Metric', w.base.label, w.remote.label, 'Δ', 'Δ %'], rows),
    ...notes(w.metrics.notes),
  ]);
}

export function paramsSection(w: WhatChanged): HTMLElement {
  const differing = w.params.rows.filter((p) => p.change !== 'same');
  const same = w.params.rows.length - differing.length;
  return section('params', 'Params', [
    table('params', ['Param', w.base.label, w.remote.label, 'Change'], differing.map((p) => row([p.key, text(p.base), text(p.remote), p.change], `wc-${p.change}`))),
    el('p', { className: 'muted', text: `${same} param(s) are the same on both sides.` }),
  ]);
}

function columnRows(kind: string, list: readonly ColumnChange[]): HTMLTableRowElement[] {
  return list.map((c) => row([kind, c.name, text(c.base), text(c.remote), c.change], `wc-${c.change}`));
}

export function dataSection(w: WhatChanged): HTMLElement {
  const files = w.data.files.map((f) => row([f.path, text(f.base?.slice(0, 12)), text(f.remote?.slice(0, 12)), f.change], `wc-${f.change}`));
  const datasets = w.data.datasets.map((d) =>
    row([d.name, text(d.base?.digest), text(d.remote?.digest), text(d.remote?.source ?? d.base?.source), text(d.remote?.context ?? d.base?.context), d.change], `wc-${d.change}`),
  );
  const schemas = w.data.datasets.filter((d) => d.schema?.some((c) => c.change !== 'same'));
  return section('data', 'Training data', [
    el('h3', { text: 'Labbook data files' }),
    table('data-files', ['Path', 'From hash', 'To hash', 'Change'], files),
    el('h3', { text: 'MLflow datasets' }),
    table('datasets', ['Name', 'From digest', 'To digest', 'Source', 'Context', 'Change'], datasets),
    ...schemas.map((d) => el('div', {}, [el('h4', { text: `Schema of ${d.name}` }), table(`schema-${d.name}`, ['', 'Column', 'From type', 'To type', 'Change'], columnRows('column', (d.schema ?? []).filter((c) => c.change !== 'same')))])),
    ...notes(w.data.notes),
  ]);
}

export function codeSection(w: WhatChanged, actions: SectionActions): HTMLElement {
  const c = w.code;
  const facts = (s: 'base' | 'remote') => {
    const f = c[s];
    return [text(f?.commit?.slice(0, 12)), text(f?.branch), f?.dirty === null || f?.dirty === undefined ? dash : f.dirty ? 'yes' : 'no', text(f?.snapshotPath), f?.hasPatch ? 'yes' : 'no'];
  };
  const [a, b] = [facts('base'), facts('remote')];
  const rows = ['Commit', 'Branch', 'Dirty', 'Snapshot', 'Git patch'].map((label, i) => row([label, a[i] ?? dash, b[i] ?? dash]));
  const differ = (flag: boolean | null) => (flag === null ? 'cannot tell' : flag ? 'differs' : 'same');
  const canDiff = (file: CodeFile) => (file === 'patch' ? Boolean(c.base?.hasPatch || c.remote?.hasPatch) : Boolean(c.base?.snapshotPath && c.remote?.snapshotPath && !c.base.notebook && !c.remote.notebook));
  return section('code', 'Code', [
    el('p', { attrs: { 'data-testid': 'commit-range' }, text: c.range ? `Commits ${c.range} (${c.sameCommit ? 'the same commit' : 'different commits'})` : 'The commits are not known on both sides.' }),
    table('code', ['', w.base.label, w.remote.label], rows),
    el('p', { text: `Snapshot: ${differ(c.snapshotDiffers)} · patch: ${differ(c.patchDiffers)}` }),
    el('div', { className: 'actions' }, [
      button('Open Diff of Snapshot', 'open-diff-snapshot', () => actions.openDiff('snapshot'), canDiff('snapshot')),
      button('Open Diff of Patch', 'open-diff-patch', () => actions.openDiff('patch'), canDiff('patch')),
      ...(c.notebookPath ? [button('Open Notebook Diff', 'open-notebook-diff', () => actions.openNotebookDiff())] : []),
    ]),
    ...notes(c.notes),
  ]);
}

export function environmentSection(w: WhatChanged): HTMLElement {
  const e = w.environment;
  const count = (n: number | null) => (n === null ? 'no pip freeze' : `${n} requirement(s)`);
  return section('environment', 'Environment', [
    el('p', { text: `Python ${text(e.python.base)} → ${text(e.python.remote)} · ${count(e.counts.base)} → ${count(e.counts.remote)}` }),
    table('packages', ['Package', 'From', 'To', 'Change'], e.packages.map((p) => row([p.name, text(p.base), text(p.remote), p.change], `wc-${p.change}`))),
    ...notes(e.notes),
  ]);
}

function example(facts: SignatureFacts | null): HTMLElement {
  if (!facts?.example) return el('p', { className: 'muted', text: 'No input example.' });
  return el('div', {}, [el('p', { className: 'muted', text: `${facts.example.path}${facts.example.truncated ? ' (cut)' : ''}` }), el('pre', { className: 'wc-example', text: facts.example.text })]);
}

export function signatureSection(w: WhatChanged): HTMLElement {
  const s = w.signature;
  const rows = [...columnRows('input', s.inputs), ...columnRows('output', s.outputs), ...columnRows('param', s.params)];
  return section('signature', 'Signature & example', [
    el('p', { className: 'muted', text: `From: ${s.base?.from ?? 'no MLmodel'} · to: ${s.remote?.from ?? 'no MLmodel'}` }),
    table('signature', ['', 'Column', 'From type', 'To type', 'Change'], rows),
    el('h3', { text: s.exampleDiffers === null ? 'Input example' : s.exampleDiffers ? 'Input example (differs)' : 'Input example (same)' }),
    el('div', { className: 'wc-examples', attrs: { 'data-testid': 'examples' } }, [example(s.base), example(s.remote)]),
    ...notes(s.notes),
  ]);
}
