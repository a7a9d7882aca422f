// Best so far, by trial: each finished trial's objective as a point, pruned trials as hollow grey
// points at the last value they reported (when the curves are of the objective), and the best so
// far as a step line. uPlot on canvas; the legend is ours, built as text.
import uPlot from 'uplot';
import type { SweepView } from '../../src/protocol/sweep.ts';
import { formatNumber } from '../../src/shared/format.ts';
import { el } from '../shared/dom.ts';
import { chartTheme, runColours } from '../compare/theme.ts';

export interface SweepChart {
  readonly root: HTMLElement;
  /** Draws; call once the root is in the document (the chart takes its box's width). */
  start(): void;
  resize(): void;
  destroy(): void;
}

const HEIGHT = 220;
const numberTicks = (_u: uPlot, splits: number[]): string[] => splits.map((v) => formatNumber(v));

export function idleChart(root: HTMLElement): SweepChart {
  return { root, start: () => undefined, resize: () => undefined, destroy: () => undefined };
}

/** Where a pruned trial shows on the objective's scale: its value, or its curve's last point when the curve is the objective. */
export function prunedValue(view: SweepView, trial: SweepView['trials'][number]): number | null {
  if (trial.value !== null) return trial.value;
  const last = trial.intermediate[trial.intermediate.length - 1];
  return last && view.curveMetric === view.objective.metric ? last.value : null;
}

export function legendItem(className: string, label: string, colour: string): HTMLElement {
  const swatch = el('span', { className: `swatch ${className}`, attrs: { 'aria-hidden': 'true' } });
  swatch.style.borderColor = colour;
  if (className !== 'hollow') swatch.style.background = colour;
  return el('li', {}, [swatch, el('span', { text: label })]);
}

export function bestChart(view: SweepView): SweepChart {
  const box = el('div', { className: 'sweep-uplot' });
  const legend = el('ul', { className: 'sweep-legend' });
  const root = el('figure', { className: 'sweep-chart', attrs: { 'data-testid': 'best-chart', 'aria-label': `${view.objective.metric} per trial, with the best so far` } }, [box, legend]);
  const trials = view.trials;
  const finished = trials.map((t) => (t.state === 'finished' ? t.value : null));
  const pruned = trials.map((t) => (t.state === 'pruned' ? prunedValue(view, t) : null));
  if (!finished.some((v) => v !== null) && !pruned.some((v) => v !== null)) {
    box.append(el('p', { className: 'muted', text: 'No trial has a value yet.' }));
    return idleChart(root);
  }
  const [blue = '#3794ff', orange = '#d18616'] = runColours(2);
  const theme = chartTheme();
  legend.append(legendItem('dot', `${view.objective.metric} (finished)`, blue), legendItem('line', `best so far (${view.objective.goal})`, orange));
  if (pruned.some((v) => v !== null)) legend.append(legendItem('hollow', 'pruned (last reported)', theme.muted));
  let plot: uPlot | undefined;
  const width = () => Math.max(240, root.clientWidth || 480);
  const axis = { stroke: theme.foreground, grid: { stroke: theme.grid, width: 1 }, ticks: { stroke: theme.grid, width: 1 }, font: `11px ${theme.fontFamily}` };
  const stepped = uPlot.paths.stepped?.({ align: 1 });
  const options = (): uPlot.Options => ({
    width: width(),
    height: HEIGHT,
    legend: { show: false },
    cursor: { drag: { x: true, y: false } },
    scales: { x: { time: false } },
    axes: [
      { ...axis, values: numberTicks, label: 'trial', labelSize: 16, labelFont: `11px ${theme.fontFamily}` },
      { ...axis, values: numberTicks, size: 60 },
    ],
    series: [
      { label: 'trial' },
      { label: view.objective.metric, stroke: blue, paths: () => null, points: { show: true, size: 7, fill: blue, stroke: blue } },
      { label: 'best so far', stroke: orange, width: 2, spanGaps: true, ...(stepped ? { paths: stepped } : {}), points: { show: false } },
      { label: 'pruned', stroke: theme.muted, paths: () => null, points: { show: true, size: 7, fill: 'transparent', stroke: theme.muted, width: 1.5 } },
    ],
    hooks: { draw: [() => (root.dataset.drawn = 'true')] },
  });
  const data: uPlot.AlignedData = [trials.map((t) => t.number), finished, trials.map((t) => t.bestSoFar), pruned];
  root.dataset.points = String(finished.filter((v) => v !== null).length);
  root.dataset.pruned = String(pruned.filter((v) => v !== null).length);
  return {
    root,
    start: () => {
      plot ??= new uPlot(options(), data, box);
    },
    resize: () => plot?.setSize({ width: width(), height: HEIGHT }),
    destroy: () => plot?.destroy(),
  };
}
