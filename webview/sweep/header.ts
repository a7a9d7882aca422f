// The sweep panel's header: name, method, objective and state, a progress bar made of one segment
// per trial state, the counts in words, the best trial so far and the panel's actions. Every value
// is set as text; segment widths are set through the CSSOM (allowed under the strict CSP).
import '@vscode-elements/elements/dist/vscode-button/index.js';
import type { SweepView, TrialState } from '../../src/protocol/sweep.ts';
import { formatNumber } from '../../src/shared/format.ts';
import { custom, el } from '../shared/dom.ts';

/** How each state reads and looks, in the progress bar's order. */
export const STATES: readonly { readonly state: TrialState; readonly label: string; readonly glyph: string }[] = [
  { state: 'finished', label: 'done', glyph: '✓' },
  { state: 'running', label: 'running', glyph: '●' },
  { state: 'queued', label: 'queued', glyph: '○' },
  { state: 'pruned', label: 'pruned', glyph: '✂' },
  { state: 'failed', label: 'failed', glyph: '✗' },
  { state: 'killed', label: 'killed', glyph: '■' },
  { state: 'cancelled', label: 'cancelled', glyph: '⊘' },
];

export function stateInfo(state: TrialState): { readonly label: string; readonly glyph: string } {
  return STATES.find((s) => s.state === state) ?? { label: state, glyph: '?' };
}

export interface HeaderActions {
  readonly compareTop: () => void;
  readonly stop: () => void;
  readonly openFile: () => void;
  readonly openRun: (runId: string) => void;
}

/** How many trials the sweep will make at most, when it says. */
function plannedOf(view: SweepView): number | null {
  return view.budget.trials ?? null;
}

function progressBar(view: SweepView): HTMLElement {
  const total = view.trials.length;
  const planned = Math.max(plannedOf(view) ?? 0, total);
  const bar = el('div', { className: 'sweep-progress', attrs: { role: 'img', 'data-testid': 'progress' } });
  const ended = view.trials.filter((t) => t.state !== 'queued' && t.state !== 'running').length;
  bar.setAttribute('aria-label', `${ended} of ${planned || total} trials ended`);
  for (const { state, label } of STATES) {
    const n = view.counts[state] ?? 0;
    if (n === 0 || planned === 0) continue;
    const segment = el('span', { className: `sweep-segment state-${state}`, attrs: { title: `${n} ${label}`, 'data-state': state } });
    segment.style.width = `${(100 * n) / planned}%`;
    bar.append(segment);
  }
  return bar;
}

function counts(view: SweepView): HTMLElement {
  const shown = STATES.filter(({ state }) => ['finished', 'running', 'queued', 'pruned', 'failed'].includes(state) || (view.counts[state] ?? 0) > 0);
  const planned = plannedOf(view);
  return el('div', { className: 'sweep-counts', attrs: { 'data-testid': 'counts' } }, [
    ...shown.map(({ state, label, glyph }) =>
      el('span', { className: `sweep-count state-${state}`, attrs: { 'data-count': state } }, [el('span', { className: 'glyph', text: glyph, attrs: { 'aria-hidden': 'true' } }), el('strong', { text: String(view.counts[state] ?? 0) }), el('span', { text: ` ${label}` })]),
    ),
    el('span', { className: 'muted', text: planned === null ? `${view.trials.length} trials so far` : `${view.trials.length} of ${planned} trials`, attrs: { 'data-testid': 'planned' } }),
  ]);
}

function bestLine(view: SweepView, actions: HeaderActions): HTMLElement {
  if (!view.best) return el('p', { className: 'sweep-best muted', text: 'No trial has finished yet.', attrs: { 'data-testid': 'best' } });
  const runId = view.best.runIds[0];
  const children: Node[] = [
    el('span', { className: 'muted', text: 'Best ' }),
    el('strong', { text: `trial #${view.best.number}` }),
    el('span', { text: ` — ${view.objective.metric} ` }),
    el('strong', { className: 'sweep-best-value', text: formatNumber(view.best.value) }),
  ];
  if (runId) {
    const link = el('button', { className: 'link', text: 'open run', attrs: { type: 'button', 'data-action': 'open-best', title: runId } });
    link.addEventListener('click', () => actions.openRun(runId));
    children.push(el('span', { text: ' ' }), link);
  }
  return el('p', { className: 'sweep-best', attrs: { 'data-testid': 'best' } }, children);
}

export function headerOf(view: SweepView, actions: HeaderActions): HTMLElement {
  const goal = view.objective.goal === 'minimize' ? 'minimize' : 'maximize';
  const finished = view.counts.finished ?? 0;
  const compare = custom('vscode-button', { text: 'Compare Top 5', attrs: { 'data-action': 'compare-top', title: 'Open the five best finished trials in Compare' } });
  if (finished < 2) compare.setAttribute('disabled', '');
  compare.addEventListener('click', () => actions.compareTop());
  const open = custom('vscode-button', { text: 'Open YAML', attrs: { secondary: '', 'data-action': 'open-file', title: view.file || 'This sweep was not started from a file' } });
  if (!view.file) open.setAttribute('disabled', '');
  open.addEventListener('click', () => actions.openFile());
  const stop = custom('vscode-button', { text: 'Stop', attrs: { secondary: '', 'data-action': 'stop', title: 'Stop the sweep: running trials are cancelled, no new ones start' } });
  if (view.state !== 'running' && view.state !== 'paused') stop.setAttribute('disabled', '');
  stop.addEventListener('click', () => actions.stop());
  const facts = [`${view.method}`, `${goal} ${view.objective.metric}`];
  if (view.budget.minutes !== null) facts.push(`budget ${formatNumber(view.budget.minutes)} min`);
  if (view.startedAt) facts.push(`started ${view.startedAt.replace('T', ' ').slice(0, 16)} UTC`);
  const children: (Node | null)[] = [
    el('div', { className: 'sweep-title' }, [
      el('h1', { text: view.name, attrs: { 'data-testid': 'name' } }),
      el('span', { className: `sweep-state sweep-state-${view.state}`, text: view.state, attrs: { 'data-testid': 'state' } }),
      el('div', { className: 'sweep-actions', attrs: { role: 'toolbar', 'aria-label': 'Sweep' } }, [compare, open, stop]),
    ]),
    el('p', { className: 'muted sweep-facts', text: facts.join(' · '), attrs: { 'data-testid': 'facts' } }),
    progressBar(view),
    counts(view),
    bestLine(view, actions),
    view.earlyStopping ? el('p', { className: 'muted small', text: `Early stopping: ${view.earlyStopping}`, attrs: { 'data-testid': 'early-stopping' } }) : null,
    view.note ? el('p', { className: 'sweep-note', text: view.note, attrs: { 'data-testid': 'note' } }) : null,
  ];
  return el('header', { className: 'sweep-head', attrs: { 'data-testid': 'head' } }, children.filter((c): c is Node => c !== null));
}
