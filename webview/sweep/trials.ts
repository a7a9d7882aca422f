// The trials table (number, state, params, objective, duration, runs) and the parameter importance
// bars. A pruned trial says so, with the step it was cut at; run links ask the host to open Run
// Details. Every value is set as text.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import type { ImportanceView, ParamValue, SweepTrialView, SweepView, TableSort } from '../../src/protocol/sweep.ts';
import { formatDuration, formatNumber } from '../../src/shared/format.ts';
import { custom, el } from '../shared/dom.ts';
import { stateInfo } from './header.ts';

export function formatParam(value: ParamValue | undefined): string {
  if (value === undefined) return '—';
  return typeof value === 'number' ? formatNumber(value) : String(value);
}

function stateCell(trial: SweepTrialView): HTMLTableCellElement {
  const { glyph, label } = stateInfo(trial.state);
  const text = trial.state === 'pruned' && trial.prunedAtStep !== undefined ? `${label} at step ${formatNumber(trial.prunedAtStep)}` : label;
  const cell = el('td', { className: `trial-state state-${trial.state}`, attrs: { 'data-testid': 'trial-state' } }, [el('span', { className: 'glyph', text: glyph, attrs: { 'aria-hidden': 'true' } }), el('span', { text: ` ${text}` })]);
  if (trial.note) {
    cell.title = trial.note;
    cell.append(el('div', { className: 'muted small trial-note', text: trial.note }));
  }
  return cell;
}

function runsCell(trial: SweepTrialView, openRun: (runId: string) => void): HTMLTableCellElement {
  const cell = el('td', { className: 'trial-runs' });
  trial.runIds.forEach((runId, i) => {
    const link = el('button', { className: 'link mono', text: trial.runIds.length > 1 ? `seed ${i + 1}` : runId.slice(0, 8), attrs: { type: 'button', 'data-run': runId, title: `Open run ${runId}` } });
    link.addEventListener('click', () => openRun(runId));
    if (i > 0) cell.append(el('span', { text: ' ' }));
    cell.append(link);
  });
  if (trial.runIds.length === 0) cell.append(el('span', { className: 'muted', text: '—' }));
  return cell;
}

/** Trials in the table's order: by number, or the best objective first (trials without one last, by number). */
export function sortedTrials(view: SweepView, sort: TableSort): SweepTrialView[] {
  const trials = [...view.trials];
  if (sort === 'number') return trials.sort((a, b) => a.number - b.number);
  const sign = view.objective.goal === 'minimize' ? 1 : -1;
  return trials.sort((a, b) => {
    if (a.value === null || b.value === null) return a.value === b.value ? a.number - b.number : a.value === null ? 1 : -1;
    return sign * (a.value - b.value) || a.number - b.number;
  });
}

export function trialsSection(view: SweepView, sort: TableSort, onSort: (sort: TableSort) => void, openRun: (runId: string) => void): HTMLElement {
  const bestNumber = view.best?.number;
  const sortBy = el('select', { attrs: { 'aria-label': 'Order the trials', 'data-testid': 'table-sort' } }, [
    el('option', { text: 'By trial number', attrs: { value: 'number' } }),
    el('option', { text: `Best ${view.objective.metric} first`, attrs: { value: 'value' } }),
  ]);
  sortBy.value = sort;
  sortBy.addEventListener('change', () => onSort(sortBy.value === 'value' ? 'value' : 'number'));
  const head = ['#', 'State', ...view.params.map((p) => p.name), view.objective.metric, 'Duration', 'Runs'];
  const rows = sortedTrials(view, sort).map((t) =>
    el('tr', { className: `state-row-${t.state}${t.number === bestNumber ? ' best' : ''}`, attrs: { 'data-trial': String(t.number), 'data-state': t.state } }, [
      el('td', { className: 'num', text: t.number === bestNumber ? `★ ${t.number}` : String(t.number) }),
      stateCell(t),
      ...view.params.map((p) => el('td', { className: 'param', text: formatParam(t.params[p.name]), attrs: { 'data-param': p.name } })),
      el('td', { className: 'num value', text: t.value === null ? '—' : formatNumber(t.value), attrs: { 'data-testid': 'trial-value' } }),
      el('td', { className: 'num', text: formatDuration(t.durationMs) ?? '—' }),
      runsCell(t, openRun),
    ]),
  );
  const body: Node[] =
    rows.length === 0
      ? [el('p', { className: 'muted', text: 'No trial yet.', attrs: { 'data-testid': 'no-trials' } })]
      : [
          el('div', { className: 'sweep-table-wrap' }, [
            el('table', { className: 'sweep-table', attrs: { 'data-testid': 'trials' } }, [
              el('thead', {}, [el('tr', {}, head.map((h) => el('th', { text: h, attrs: { scope: 'col' } })))]),
              el('tbody', {}, rows),
            ]),
          ]),
        ];
  return el('section', { className: 'sweep-section', attrs: { 'data-section': 'trials' } }, [el('div', { className: 'sweep-section-head' }, [el('h2', { text: `Trials (${view.trials.length})` }), sortBy]), ...body]);
}

/** Importance bars, the method named; or why there are none (and the fix); or a Compute button before the first ask. */
export function importanceSection(importance: ImportanceView | null, computing: boolean, compute: () => void): HTMLElement {
  const button = custom('vscode-button', { text: importance ? 'Recompute' : 'Compute', attrs: { secondary: '', 'data-action': 'compute-importance', title: 'fANOVA over the finished trials (Optuna, in the selected Python)' } });
  if (computing) button.setAttribute('disabled', '');
  button.addEventListener('click', () => compute());
  const body: Node[] = [];
  if (computing) body.push(el('p', { className: 'muted', text: 'Computing…', attrs: { 'data-testid': 'importance-status' } }));
  else if (!importance) body.push(el('p', { className: 'muted', text: 'Which parameters matter most, from the finished trials.', attrs: { 'data-testid': 'importance-status' } }));
  else if (importance.method === null) {
    body.push(el('p', { className: 'muted', text: importance.reason, attrs: { 'data-testid': 'importance-reason' } }));
    if (importance.fix) body.push(el('pre', { className: 'mono sweep-fix', text: importance.fix, attrs: { 'data-testid': 'importance-fix' } }));
  } else {
    const values = [...importance.values].sort((a, b) => b.importance - a.importance);
    const top = Math.max(...values.map((v) => v.importance), Number.MIN_VALUE);
    body.push(
      el('p', { className: 'muted small', text: `${importance.method} over ${importance.trials} finished trial(s)`, attrs: { 'data-testid': 'importance-method' } }),
      el(
        'ul',
        { className: 'importance-bars', attrs: { 'data-testid': 'importance' } },
        values.map((v) => {
          const bar = el('span', { className: 'importance-bar' });
          bar.style.width = `${Math.max(0, (100 * v.importance) / top)}%`;
          return el('li', { attrs: { 'data-param': v.param } }, [el('span', { className: 'importance-name', text: v.param }), el('span', { className: 'importance-track' }, [bar]), el('span', { className: 'importance-value num', text: formatNumber(Number(v.importance.toFixed(3))) })]);
        }),
      ),
    );
  }
  return el('section', { className: 'sweep-section sweep-card', attrs: { 'data-section': 'importance' } }, [el('div', { className: 'sweep-section-head' }, [el('h2', { text: 'Parameter importance' }), button]), ...body]);
}
