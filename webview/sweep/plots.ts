// Parallel coordinates (params → objective) and one scatter per param (value against the
// objective): ECharts core with only the modules they need, canvas renderer, tooltips as rich text
// (never HTML). Categorical params get category axes, log params log axes. Finished trials are
// coloured by their objective; pruned ones are grey and dashed, failed ones red and dashed, each
// named in the legend.
import { ParallelChart, ScatterChart } from 'echarts/charts';
import { GridComponent, LegendComponent, ParallelComponent, TooltipComponent, VisualMapContinuousComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import type { ParamValue, SweepTrialView, SweepView } from '../../src/protocol/sweep.ts';
import { formatNumber } from '../../src/shared/format.ts';
import { el } from '../shared/dom.ts';
import { chartTheme, runColours, withAlpha } from '../compare/theme.ts';
import { idleChart, legendItem, prunedValue, type SweepChart } from './bestChart.ts';
import { formatParam } from './trials.ts';

echarts.use([ParallelChart, ScatterChart, ParallelComponent, GridComponent, LegendComponent, TooltipComponent, VisualMapContinuousComponent, CanvasRenderer]);

type ParamAxis = SweepView['params'][number];

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

function palette(): { good: string; mid: string; bad: string; pruned: string; failed: string; best: string } {
  return {
    good: cssVar('--vscode-charts-green', '#89d185'),
    mid: cssVar('--vscode-charts-yellow', '#cca700'),
    bad: cssVar('--vscode-charts-red', '#f14c4c'),
    pruned: chartTheme().muted,
    failed: cssVar('--vscode-charts-red', '#f14c4c'),
    best: runColours(2)[1] ?? '#d18616',
  };
}

/** The categories a categorical axis shows: the sweep file's values, then any other seen. */
function categoriesOf(param: ParamAxis, trials: readonly SweepTrialView[]): string[] {
  const out = (param.values ?? []).map((v) => formatParam(v));
  for (const t of trials) {
    const v = t.params[param.name];
    if (v !== undefined && !out.includes(formatParam(v))) out.push(formatParam(v));
  }
  return out;
}

/** A param's value as its axis takes it: text on a category axis, else the number ('-' is ECharts' "no value"). */
function axisValue(param: ParamAxis, value: ParamValue | undefined): string | number {
  if (value === undefined) return '-';
  if (param.kind === 'categorical') return formatParam(value);
  return typeof value === 'number' && (param.kind !== 'log' || value > 0) ? value : '-';
}

function base(): Record<string, unknown> {
  const theme = chartTheme();
  return {
    backgroundColor: 'transparent',
    animation: false,
    textStyle: { color: theme.foreground, fontFamily: theme.fontFamily },
    tooltip: { renderMode: 'richText', backgroundColor: theme.background, borderColor: theme.grid, textStyle: { color: theme.foreground } },
  };
}

function mount(root: HTMLElement, box: HTMLElement, option: () => echarts.EChartsCoreOption): SweepChart {
  let chart: echarts.ECharts | undefined;
  return {
    root,
    start: () => {
      if (chart) return;
      chart = echarts.init(box, undefined, { renderer: 'canvas' });
      chart.setOption(option());
      root.dataset.drawn = 'true';
    },
    resize: () => chart?.resize(),
    destroy: () => chart?.dispose(),
  };
}

/** One line per trial across the params and the objective. */
export function parallelPlot(view: SweepView): SweepChart {
  const box = el('div', { className: 'sweep-echart sweep-parallel-box' });
  const root = el('figure', { className: 'sweep-chart', attrs: { 'data-testid': 'parallel', 'aria-label': `Parallel coordinates: ${view.params.map((p) => p.name).join(', ')} → ${view.objective.metric}` } }, [box]);
  const drawn = view.trials.filter((t) => t.state === 'finished' || t.state === 'pruned' || t.state === 'failed' || t.state === 'killed');
  if (view.params.length === 0 || drawn.length === 0) {
    root.replaceChildren(el('p', { className: 'muted', text: 'The parallel coordinates appear once trials have ended.' }));
    return idleChart(root);
  }
  const theme = chartTheme();
  const colours = palette();
  const axisStyle = { nameTextStyle: { color: theme.foreground, fontWeight: 'bold' }, axisLine: { lineStyle: { color: theme.muted } }, axisLabel: { color: theme.foreground, formatter: (v: unknown) => (typeof v === 'number' ? formatNumber(v) : String(v)) } };
  const parallelAxis = [
    ...view.params.map((p, dim) =>
      p.kind === 'categorical' ? { dim, name: p.name, type: 'category', data: categoriesOf(p, drawn), ...axisStyle, axisLabel: { ...axisStyle.axisLabel, width: 110, overflow: 'truncate' } } : { dim, name: p.name, type: p.kind === 'log' ? 'log' : 'value', scale: true, ...axisStyle },
    ),
    { dim: view.params.length, name: view.objective.metric, type: 'value', scale: true, ...axisStyle, nameTextStyle: { color: colours.best, fontWeight: 'bold' } },
  ];
  const row = (t: SweepTrialView, value: number | null) => ({ name: `trial #${t.number}`, value: [...view.params.map((p) => axisValue(p, t.params[p.name])), value ?? '-'] });
  const finished = drawn.filter((t) => t.state === 'finished' && t.value !== null);
  const values = finished.map((t) => t.value as number);
  const series: Record<string, unknown>[] = [
    { type: 'parallel', name: 'pruned', lineStyle: { color: colours.pruned, type: 'dashed', width: 1, opacity: 0.7 }, data: drawn.filter((t) => t.state === 'pruned').map((t) => row(t, prunedValue(view, t))) },
    { type: 'parallel', name: 'failed', lineStyle: { color: colours.failed, type: 'dashed', width: 1, opacity: 0.7 }, data: drawn.filter((t) => t.state === 'failed' || t.state === 'killed').map((t) => row(t, null)) },
    // Coloured by the visual map; the series colour is what its legend entry shows.
    { type: 'parallel', name: 'finished', color: colours.mid, lineStyle: { width: 1.5, opacity: 0.85 }, data: finished.map((t) => row(t, t.value)) },
  ];
  const best = view.best ? finished.find((t) => t.number === view.best?.number) : undefined;
  if (best) series.push({ type: 'parallel', name: 'best', lineStyle: { color: colours.best, width: 3.5, opacity: 1 }, data: [row(best, best.value)] });
  root.dataset.lines = String(drawn.length);
  root.dataset.axes = parallelAxis.map((a) => a.type).join(',');
  const ramp = view.objective.goal === 'minimize' ? [colours.good, colours.mid, colours.bad] : [colours.bad, colours.mid, colours.good];
  return mount(root, box, () => ({
    ...base(),
    legend: { top: 0, data: ['finished', 'best', 'pruned', 'failed'].filter((n) => series.some((s) => s.name === n && (s.data as unknown[]).length > 0)), textStyle: { color: theme.foreground } },
    parallel: { left: 50, right: 110, top: 56, bottom: 28, parallelAxisDefault: { nameLocation: 'end', nameGap: 14 } },
    parallelAxis,
    visualMap:
      values.length > 0
        ? { type: 'continuous', seriesIndex: 2, dimension: view.params.length, min: Math.min(...values), max: Math.max(...values), inRange: { color: ramp }, right: 8, top: 'middle', itemHeight: 120, calculable: false, text: [formatNumber(Math.max(...values)), formatNumber(Math.min(...values))], textStyle: { color: theme.foreground } }
        : undefined,
    series,
  }));
}

/** One scatter per param: its value against the objective; pruned trials hollow and grey, the best one a diamond. */
export function scatterPlots(view: SweepView): { readonly root: HTMLElement; readonly charts: readonly SweepChart[] } {
  const colours = palette();
  const [blue = '#3794ff'] = runColours(1);
  const charts = view.params.map((param) => scatterOf(view, param, { point: blue, pruned: colours.pruned, best: colours.best }));
  const legend = el('ul', { className: 'sweep-legend' }, [
    legendItem('dot', 'finished', blue),
    legendItem('hollow', 'pruned (last reported)', colours.pruned),
    legendItem('diamond', 'best', colours.best),
  ]);
  return { root: el('div', {}, [legend, el('div', { className: 'sweep-scatters', attrs: { 'data-testid': 'scatters' } }, charts.map((c) => c.root))]), charts };
}

function scatterOf(view: SweepView, param: ParamAxis, colours: { point: string; pruned: string; best: string }): SweepChart {
  const box = el('div', { className: 'sweep-echart sweep-scatter-box' });
  const root = el('figure', { className: 'sweep-chart sweep-scatter', attrs: { 'data-param': param.name, 'aria-label': `${view.objective.metric} against ${param.name}` } }, [el('figcaption', { text: param.name }), box]);
  const theme = chartTheme();
  const point = (t: SweepTrialView, y: number | null) => (y === null || t.params[param.name] === undefined ? null : { name: `trial #${t.number}`, value: [axisValue(param, t.params[param.name]), y] });
  const finished = view.trials.filter((t) => t.state === 'finished').map((t) => point(t, t.value)).filter((p) => p !== null);
  const pruned = view.trials.filter((t) => t.state === 'pruned').map((t) => point(t, prunedValue(view, t))).filter((p) => p !== null);
  const bestTrial = view.best ? view.trials.find((t) => t.number === view.best?.number) : undefined;
  const best = bestTrial ? point(bestTrial, bestTrial.value) : null;
  root.dataset.points = String(finished.length);
  root.dataset.pruned = String(pruned.length);
  if (finished.length + pruned.length === 0) {
    box.replaceWith(el('p', { className: 'muted', text: 'No value yet.' }));
    return idleChart(root);
  }
  const axis = { axisLine: { lineStyle: { color: theme.muted } }, axisLabel: { color: theme.foreground, hideOverlap: true, formatter: (v: unknown) => (typeof v === 'number' ? formatNumber(v) : String(v)) }, splitLine: { lineStyle: { color: theme.grid } } };
  // Every category gets its label, shortened: long values must not hide their neighbours'.
  const categoryLabels = { ...axis.axisLabel, hideOverlap: false, interval: 0, width: 72, overflow: 'truncate' };
  const xAxis = param.kind === 'categorical' ? { type: 'category', data: categoriesOf(param, view.trials), ...axis, axisLabel: categoryLabels } : { type: param.kind === 'log' ? 'log' : 'value', scale: true, ...axis };
  const tooltipText = (p: { name?: string; value?: unknown }) => {
    const [x, y] = Array.isArray(p.value) ? (p.value as unknown[]) : [];
    return `${p.name ?? ''}\n${param.name}: ${typeof x === 'number' ? formatNumber(x) : String(x)}\n${view.objective.metric}: ${typeof y === 'number' ? formatNumber(y) : String(y)}`;
  };
  return mount(root, box, () => ({
    ...base(),
    tooltip: { ...(base().tooltip as object), trigger: 'item', formatter: tooltipText },
    grid: { left: 56, right: 12, top: 10, bottom: 28 },
    xAxis,
    yAxis: { type: 'value', scale: true, ...axis },
    series: [
      { type: 'scatter', name: 'pruned', symbolSize: 8, itemStyle: { color: 'transparent', borderColor: colours.pruned, borderWidth: 1.5 }, data: pruned },
      { type: 'scatter', name: 'finished', symbolSize: 8, itemStyle: { color: withAlpha(colours.point, 0.8) }, data: finished },
      ...(best ? [{ type: 'scatter', name: 'best', symbol: 'diamond', symbolSize: 14, itemStyle: { color: colours.best }, data: [best], z: 3 }] : []),
    ],
  }));
}
