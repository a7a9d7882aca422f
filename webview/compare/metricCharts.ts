// Overlaid metric histories, one uPlot chart per chosen metric, runs in their colours. The host
// sends min/max/last buckets (the store's downsampling): each run draws its last-value line and a
// faint min–max band, so a single spike among a million points still shows.
import uPlot from 'uplot';
import type { CompareRun, MetricSeries, XAxisMode } from '../../src/protocol/compare.ts';
import { el } from '../shared/dom.ts';
import { formatNumber } from '../../src/shared/format.ts';
import { chartTheme, withAlpha } from './theme.ts';

export interface ChartSettings {
  readonly xAxis: XAxisMode;
  readonly smoothing: number;
  readonly logScale: boolean;
}

export const CHART_HEIGHT = 260;

/** TensorBoard's smoothing: an exponential moving average, debiased so the start is not pulled to 0. */
export function smooth(values: readonly (number | null)[], weight: number): (number | null)[] {
  if (weight <= 0) return [...values];
  let last = 0;
  let n = 0;
  return values.map((v) => {
    if (v === null || !Number.isFinite(v)) return v;
    last = last * weight + (1 - weight) * v;
    n++;
    return last / (1 - weight ** n);
  });
}

function xOf(mode: XAxisMode, run: CompareRun, step: number, timestamp: number): number {
  if (mode === 'step') return step;
  if (mode === 'wall') return timestamp / 1000;
  return (timestamp - run.startTime) / 1000;
}

/** One run's columns [x, min, max, last], sorted by x (timestamps need not follow steps). */
function runTable(series: MetricSeries, run: CompareRun, settings: ChartSettings): uPlot.AlignedData {
  const points = series.buckets.map((b) => ({ x: xOf(settings.xAxis, run, b.lastStep, b.lastTimestamp), min: b.min, max: b.max, last: b.last }));
  if (settings.xAxis !== 'step') points.sort((a, b) => a.x - b.x);
  // A log scale cannot show zero or less: those points become gaps.
  const y = (v: number): number | null => (!Number.isFinite(v) || (settings.logScale && v <= 0) ? null : v);
  const last = smooth(points.map((p) => y(p.last)), settings.smoothing);
  return [points.map((p) => p.x), points.map((p) => y(p.min)), points.map((p) => y(p.max)), last];
}

/** The run's value at `idx`, or at the closest index where it has one (runs log at different x). */
function nearest(values: uPlot.AlignedData[number] | undefined, idx: number): number | null | undefined {
  if (!values) return undefined;
  for (let d = 0; d < values.length; d++) {
    const before = values[idx - d];
    if (before !== null && before !== undefined) return before;
    const after = values[idx + d];
    if (after !== null && after !== undefined) return after;
    if (idx - d < 0 && idx + d >= values.length) break;
  }
  return undefined;
}

export interface MetricChart {
  readonly root: HTMLElement;
  resize(width: number): void;
  destroy(): void;
}

/**
 * A chart of `key` for the runs that have it. The chart element carries what it drew
 * (data-curves, data-points, data-y-min/max from the drawn scale) for tests and automation.
 */
export function metricChart(key: string, runs: readonly CompareRun[], colours: readonly string[], all: readonly MetricSeries[], settings: ChartSettings, width: number): MetricChart {
  const theme = chartTheme();
  const drawn = runs.map((run, i) => ({ run, colour: colours[i] ?? theme.foreground, series: all.find((s) => s.runId === run.runId && s.key === key) })).filter((d) => d.series && d.series.buckets.length > 0);
  const title = el('h3', { className: 'chart-title', text: key });
  const plotBox = el('div', { className: 'chart-plot' });
  const legend = el('ul', { className: 'chart-legend', attrs: { 'aria-label': `Runs in ${key}` } });
  const root = el('figure', { className: 'metric-chart', attrs: { 'data-metric': key, 'aria-label': `${key} over ${settings.xAxis === 'step' ? 'steps' : 'time'}` } }, [title, plotBox, legend]);
  if (drawn.length === 0) {
    plotBox.append(el('p', { className: 'muted', text: `No run has a history of ${key}.` }));
    return { root, resize: () => undefined, destroy: () => undefined };
  }

  const tables = drawn.map((d) => runTable(d.series as MetricSeries, d.run, settings));
  const data = tables.length === 1 ? (tables[0] as uPlot.AlignedData) : uPlot.join(tables);
  const series: uPlot.Series[] = [{ label: settings.xAxis === 'step' ? 'step' : 'time' }];
  const bands: uPlot.Band[] = [];
  drawn.forEach((d, i) => {
    const base = 1 + i * 3;
    const faint = withAlpha(d.colour, 0.45);
    series.push(
      { label: `${d.run.label} min`, stroke: faint, width: 1, spanGaps: true, points: { show: false } },
      { label: `${d.run.label} max`, stroke: faint, width: 1, spanGaps: true, points: { show: false } },
      // Points only where there are few (uPlot's own density rule): a metric logged once still shows.
      { label: d.run.label, stroke: d.colour, width: 2, spanGaps: true, points: { size: 6, fill: d.colour } },
    );
    bands.push({ series: [base + 1, base], fill: withAlpha(d.colour, 0.15) });
  });

  const valueCells = drawn.map((d) => {
    const swatch = el('span', { className: 'swatch', attrs: { 'aria-hidden': 'true' } });
    swatch.style.background = d.colour;
    const value = el('span', { className: 'legend-value' });
    legend.append(el('li', { attrs: { 'data-run': d.run.runId } }, [swatch, el('span', { className: 'legend-name', text: d.run.label }), value]));
    return value;
  });
  const xLabel = el('span', { className: 'legend-x muted' });
  legend.prepend(el('li', { className: 'legend-head' }, [xLabel]));

  const axis = { stroke: theme.foreground, grid: { stroke: theme.grid, width: 1 }, ticks: { stroke: theme.grid, width: 1 }, font: `11px ${theme.fontFamily}` };
  const opts: uPlot.Options = {
    width: Math.max(200, width),
    height: CHART_HEIGHT,
    series,
    bands,
    legend: { show: false },
    scales: { x: { time: settings.xAxis === 'wall' }, y: settings.logScale ? { distr: 3 } : {} },
    axes: [{ ...axis }, { ...axis, size: 60, values: (_u, splits) => splits.map((v) => formatNumber(v)) }],
    cursor: { points: { show: false }, drag: { x: true, y: false } },
    hooks: {
      draw: [
        (u) => {
          root.dataset.curves = String(drawn.length);
          root.dataset.points = String(u.data[0].length);
          root.dataset.yMin = String(u.scales.y?.min);
          root.dataset.yMax = String(u.scales.y?.max);
        },
      ],
      setCursor: [
        (u) => {
          const idx = u.cursor.idx;
          const xs = u.data[0];
          xLabel.textContent = idx === null || idx === undefined ? '' : `${settings.xAxis === 'step' ? 'step' : settings.xAxis === 'wall' ? 'time' : 'seconds'} ${settings.xAxis === 'wall' ? new Date((xs[idx] ?? 0) * 1000).toISOString() : formatNumber(xs[idx] ?? 0)}`;
          valueCells.forEach((cell, i) => {
            const v = idx === null || idx === undefined ? undefined : nearest(u.data[1 + i * 3 + 2], idx);
            cell.textContent = v === null || v === undefined ? '' : formatNumber(v);
          });
        },
      ],
    },
  };
  const plot = new uPlot(opts, data, plotBox);
  return {
    root,
    resize: (w) => plot.setSize({ width: Math.max(200, w), height: CHART_HEIGHT }),
    destroy: () => plot.destroy(),
  };
}
