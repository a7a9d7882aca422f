// The Feast skew page: the verdict against the threshold the user sets, one row per feature of the
// service (mismatches, differences, staleness, the drift test), the mismatching entities, and the
// entities one store lacks. Every value is set as text; the host sent them as JSON text already.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import { readFeastSkewState, type FeastSkewEvent, type FeastSkewRequests, type FeastSkewState, type SkewPage, type SkewResult, type SkewSource } from '../../src/protocol/feastSkew.ts';
import { assertNever } from '../../src/protocol/rpc.ts';
import { errorMessage } from '../../src/shared/errorMessage.ts';
import { formatNumber } from '../../src/shared/format.ts';
import { custom, el } from '../shared/dom.ts';
import { RpcClient } from '../shared/rpcClient.ts';
import { vscodeApi } from '../shared/vscodeApi.ts';

const api = vscodeApi<FeastSkewState>();
// Feast imports and two retrievals: a check takes seconds, more on a big sample.
const rpc = new RpcClient<FeastSkewRequests, FeastSkewEvent>(api, window, 300_000);
const app = document.getElementById('app') as HTMLElement;
const alert = el('p', { className: 'error', attrs: { role: 'alert', 'data-testid': 'alert' } });

let { source, result, threshold } = readFeastSkewState(api.getState());
let checking = false;
let checkSeq = 0;

function save(): void {
  if (source) api.setState({ source, result, threshold });
}

const pct = (x: number) => `${(100 * x).toFixed(x > 0 && x < 0.01 ? 2 : 1)}%`;
const num = (x: number | null) => (x === null ? '—' : formatNumber(x));

const again = custom('vscode-button', { text: 'Check Again', attrs: { 'data-action': 'check', title: 'Ask Feast for both sides again' } });
again.addEventListener('click', () => void check());
const entitiesButton = custom('vscode-button', { text: 'Open Entities File', attrs: { secondary: '', 'data-action': 'open-entities' } });
entitiesButton.addEventListener('click', () => {
  alert.textContent = '';
  rpc.request('openEntities', null).catch((err: unknown) => (alert.textContent = errorMessage(err)));
});
const thresholdInput = el('input', { attrs: { type: 'number', min: '0', max: '100', step: 'any', 'aria-label': 'Largest mismatch share a feature may have, in percent', 'data-testid': 'threshold' } });
thresholdInput.addEventListener('change', () => {
  const value = Number(thresholdInput.value);
  if (!(value >= 0 && value <= 100)) {
    thresholdInput.value = String(threshold * 100);
    return;
  }
  threshold = value / 100;
  save();
  render();
});
const toolbar = el('div', { className: 'skew-toolbar', attrs: { role: 'toolbar', 'aria-label': 'Skew check' } }, [
  again,
  entitiesButton,
  el('label', { className: 'skew-threshold' }, [el('span', { text: 'Threshold per feature (%)' }), thresholdInput]),
]);

function featureTable(report: SkewPage): HTMLElement {
  const head = ['', 'feature', 'type', 'mismatched', 'share', 'missing online', 'missing offline', 'max |diff|', 'mean |diff|', 'older than TTL', 'drift test'];
  const rows = report.features.map((f) => {
    const over = f.mismatchShare > threshold;
    const cells = [
      over ? '✗' : '✓',
      f.name,
      f.dtype,
      `${f.mismatches} of ${f.compared}`,
      pct(f.mismatchShare),
      String(f.missingOnline),
      String(f.missingOffline),
      num(f.maxAbsDiff),
      num(f.meanAbsDiff),
      f.ttlSeconds === null ? '—' : String(f.stale),
      f.drift ? `${f.drift.test} ${formatNumber(f.drift.score)}${f.drift.drifted ? ' (drifted)' : ''}` : '—',
    ];
    return el('tr', { className: over ? 'skew-over' : 'skew-ok', attrs: { 'data-feature': f.name, 'data-over': String(over) } }, cells.map((c) => el('td', { text: c })));
  });
  return el('table', { className: 'skew-table', attrs: { 'data-testid': 'features' } }, [el('thead', {}, [el('tr', {}, head.map((h) => el('th', { text: h })))]), el('tbody', {}, rows)]);
}

function examples(report: SkewPage): HTMLElement[] {
  const withExamples = report.features.filter((f) => f.examples.length > 0);
  if (!withExamples.length) return [];
  return [
    el('h2', { text: 'Mismatching entities' }),
    el('table', { className: 'skew-table', attrs: { 'data-testid': 'examples' } }, [
      el('thead', {}, [el('tr', {}, ['feature', 'entity', 'offline (training)', 'online (serving)'].map((h) => el('th', { text: h })))]),
      el('tbody', {}, withExamples.flatMap((f) => f.examples.map((e) => el('tr', {}, [f.name, e.entity, e.offline, e.online].map((c) => el('td', { text: c })))))),
    ]),
  ];
}

function missing(title: string, list: readonly string[], id: string): HTMLElement[] {
  if (!list.length) return [];
  return [el('h2', { text: `${title} (${list.length})` }), el('ul', { className: 'skew-missing', attrs: { 'data-testid': id } }, list.slice(0, 100).map((m) => el('li', { text: m })))];
}

function render(): void {
  thresholdInput.value = String(Number((threshold * 100).toFixed(4)));
  app.setAttribute('aria-busy', String(checking));
  const title = el('h1', { text: source ? `Training–serving skew: ${source.service}` : 'Training–serving skew' });
  const where = source ? [el('p', { className: 'muted', text: `${source.repo} · entities ${source.entities} · a sample of at most ${source.sample}` })] : [];
  if (!result) {
    app.replaceChildren(title, ...where, toolbar, el('p', { className: 'muted', attrs: { 'data-testid': 'state' }, text: checking ? 'Asking Feast for the offline and online values…' : 'No check yet.' }), alert);
    return;
  }
  if (result.kind === 'failed') {
    app.replaceChildren(title, ...where, toolbar, el('p', { className: 'error', attrs: { 'data-testid': 'failed' }, text: result.message }), alert);
    return;
  }
  const report = result.report;
  const skewed = report.features.some((f) => f.mismatchShare > threshold);
  const verdict = el('p', { className: skewed ? 'skew-verdict skew-bad' : 'skew-verdict skew-good', attrs: { 'data-testid': 'verdict', 'data-skewed': String(skewed) } }, [
    el('strong', { text: skewed ? 'Skew' : 'No skew' }),
    document.createTextNode(
      ` — ${report.features.filter((f) => f.mismatchShare > threshold).length} of ${report.features.length} features over ${pct(threshold)}; mismatches ${pct(report.mismatchShare)} overall; ${report.sampled} of ${report.total} entities (${report.keys.join(', ')}); project ${report.project}, Feast ${report.feastVersion}; checked ${report.checkedAt}${checking ? ' (checking again…)' : ''}`,
    ),
  ]);
  app.replaceChildren(
    title,
    ...where,
    toolbar,
    alert,
    verdict,
    featureTable(report),
    ...examples(report),
    ...missing('Not in the online store', report.missingOnline, 'missing-online'),
    ...missing('Not in the offline store', report.missingOffline, 'missing-offline'),
  );
}

async function check(): Promise<void> {
  const seq = ++checkSeq;
  checking = true;
  alert.textContent = '';
  render();
  try {
    const next: SkewResult = await rpc.request('check', null);
    if (seq !== checkSeq) return;
    result = next;
    save();
  } catch (err) {
    if (seq !== checkSeq) return;
    alert.textContent = `The check failed: ${errorMessage(err)}`;
  }
  checking = false;
  render();
}

rpc.onEvent((event) => {
  switch (event.type) {
    case 'source': {
      const changed = !source || JSON.stringify(source) !== JSON.stringify(event.source);
      source = event.source satisfies SkewSource;
      if (changed) result = null;
      save();
      render();
      // A new panel checks at once; a restored one shows its last result and waits for Check Again.
      if (!result && !checking) void check();
      return;
    }
    default:
      assertNever(event.type, 'event');
  }
});

rpc.ready();
try {
  render();
} catch {
  result = null;
  render();
}
