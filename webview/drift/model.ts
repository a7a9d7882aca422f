// Model drift: a run (or runs) evaluating a model, e.g. a job logging `accuracy` daily. Each
// metric's trend is drawn against the value its training run logged, and the predictions'
// distribution against the training run's. Absent when the current side evaluates no model.
import type { ModelDriftView } from '../../src/protocol/drift.ts';
import { DRIFT_TEST_NAMES } from '../../src/protocol/drift.ts';
import { formatNumber } from '../../src/shared/format.ts';
import { el } from '../shared/dom.ts';
import { distributionChart, trendChart } from './charts.ts';

export function modelSection(model: ModelDriftView | null): HTMLElement | null {
  if (!model || (model.metrics.length === 0 && model.predictions === null)) return null;
  const parts: Node[] = [el('h2', { text: model.model ? `Model drift: ${model.model}` : 'Model drift' })];
  if (model.trainingRunId) parts.push(el('p', { className: 'muted', text: `Against training run ${model.trainingRunId}` }));
  for (const trend of model.metrics) {
    const last = trend.points.at(-1);
    const delta = last && trend.training !== null ? ` (latest ${formatNumber(last.value)}, training ${formatNumber(trend.training)}, ${last.value - trend.training >= 0 ? '+' : ''}${formatNumber(last.value - trend.training)})` : last ? ` (latest ${formatNumber(last.value)})` : '';
    parts.push(el('div', { className: 'drift-model-metric', attrs: { 'data-metric': trend.key } }, [el('h3', { text: `${trend.key}${delta}` }), trendChart(trend)]));
  }
  const p = model.predictions;
  if (p) {
    const verdict = p.test && p.score !== undefined ? `${DRIFT_TEST_NAMES[p.test]} ${formatNumber(p.score)} (threshold ${formatNumber(p.threshold ?? Number.NaN)}): ${p.drifted ? '⚠ drift' : '✓ stable'}` : 'not compared';
    parts.push(
      el('div', { className: 'drift-model-predictions', attrs: { 'data-testid': 'predictions' } }, [
        el('h3', { text: `Predictions: ${p.column}` }),
        el('p', { className: p.drifted ? 'drift-mark drifted' : 'drift-mark stable', text: verdict }),
        distributionChart(p, { reference: 'training', current: 'current' }),
      ]),
    );
  }
  if (model.notes.length > 0) parts.push(el('ul', { className: 'drift-notes muted' }, model.notes.map((n) => el('li', { text: n }))));
  return el('section', { className: 'drift-section', attrs: { 'data-section': 'model' } }, parts);
}
