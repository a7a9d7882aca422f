// Parallel coordinates over chosen params and metrics, and a scatter of one param or metric against a
// metric: ECharts core, canvas renderer, tooltips drawn in the canvas (rich text, not HTML).
import { ParallelChart, ScatterChart } from 'echarts/charts';
import { LegendComponent, GridComponent, ParallelComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import type { CompareModel, CompareRow, CompareValue, MetricAggregate } from '../../src/protocol/compare.ts';
import { el } from '../shared/dom.ts';
import { formatValue } from './format.ts';
import { chartTheme } from './theme.ts';

echarts.use([ParallelChart, ScatterChart, ParallelComponent, GridComponent, TooltipComponent, LegendComponent, CanvasRenderer]);

export interface RunPlot {
  readonly root: HTMLElement;
  /** Draws; call once the root is in the document (ECharts sizes the canvas from it). */
  start(): void;
  resize(): void;
  destroy(): void;
}

function valuesOf(row: CompareRow, aggregate: MetricAggregate): readonly CompareValue[] {
  return row.metric ? row.metric.values[aggregate] : (row.values ?? []);
}

function isNumeric(values: readonly CompareValue[]): boolean {
  return values.every((v) => v === null || typeof v === 'number');
}

function baseOption(): { textStyle: object; tooltip: object; legend: object; backgroundColor: string } {
  const theme = chartTheme();
  return {
    backgroundColor: 'transparent',
    textStyle: { color: theme.foreground, fontFamily: theme.fontFamily },
    tooltip: { renderMode: 'richText', backgroundColor: theme.background, borderColor: theme.grid, textStyle: { color: theme.foreground } },
    legend: { type: 'scroll', bottom: 0, textStyle: { color: theme.foreground }, pageTextStyle: { color: theme.foreground } },
  };
}

function mount(root: HTMLElement, box: HTMLElement, option: echarts.EChartsCoreOption, seriesCount: number): RunPlot {
  let chart: echarts.ECharts | undefined;
  return {
    root,
    start: () => {
      chart ??= echarts.init(box, undefined, { renderer: 'canvas' });
      chart.setOption(option);
      root.dataset.series = String(seriesCount);
    },
    resize: () => chart?.resize(),
    destroy: () => chart?.dispose(),
  };
}

const idle = (root: HTMLElement): RunPlot => ({ root, start: () => undefined, resize: () => undefined, destroy: () => undefined });

/** One line per run across the axes `rowIds` (ids of model rows); text values get category axes. */
export function parallelPlot(model: CompareModel, rowIds: readonly string[], aggregate: MetricAggregate, colours: readonly string[]): RunPlot {
  const rows = rowIds.map((id) => model.rows.find((r) => r.id === id)).filter((r): r is CompareRow => r !== undefined);
  const box = el('div', { className: 'plot-box' });
  const root = el('figure', { className: 'run-plot parallel-plot', attrs: { 'data-testid': 'parallel', 'aria-label': `Parallel coordinates over ${rows.map((r) => r.key).join(', ')}` } }, [box]);
  if (rows.length < 2) {
    root.replaceChildren(el('p', { className: 'muted', text: 'Choose at least two params or metrics for the parallel coordinates.' }));
    return idle(root);
  }
  const theme = chartTheme();
  const axisStyle = { nameTextStyle: { color: theme.foreground }, axisLine: { lineStyle: { color: theme.muted } }, axisLabel: { color: theme.foreground } };
  const parallelAxis = rows.map((row, dim) => {
    const values = valuesOf(row, aggregate);
    if (isNumeric(values)) return { dim, name: row.key, type: 'value', scale: true, ...axisStyle };
    const categories = [...new Set(values.map((v) => formatValue(v)))].sort();
    return { dim, name: row.key, type: 'category', data: categories, ...axisStyle };
  });
  const series = model.runs.map((run, i) => ({
    type: 'parallel',
    name: run.label,
    lineStyle: { color: colours[i], width: 2, opacity: 0.9 },
    data: [
      rows.map((row) => {
        const v = valuesOf(row, aggregate)[i] ?? null;
        return isNumeric(valuesOf(row, aggregate)) ? v : formatValue(v);
      }),
    ],
  }));
  return mount(root, box, { ...baseOption(), parallel: { left: 60, right: 80, top: 40, bottom: 60 }, parallelAxis, series }, series.length);
}

/** One point per run: `xId` (a param or metric row) against the metric row `yId`. */
export function scatterPlot(model: CompareModel, xId: string, yId: string, aggregate: MetricAggregate, colours: readonly string[]): RunPlot {
  const xRow = model.rows.find((r) => r.id === xId);
  const yRow = model.rows.find((r) => r.id === yId);
  const box = el('div', { className: 'plot-box' });
  const root = el('figure', { className: 'run-plot scatter-plot', attrs: { 'data-testid': 'scatter', 'aria-label': `${yRow?.key ?? yId} against ${xRow?.key ?? xId}` } }, [box]);
  if (!xRow || !yRow) {
    root.replaceChildren(el('p', { className: 'muted', text: 'Choose what to plot on each axis.' }));
    return idle(root);
  }
  const theme = chartTheme();
  const xs = valuesOf(xRow, aggregate);
  const ys = valuesOf(yRow, aggregate);
  const numericX = isNumeric(xs);
  const categories = numericX ? [] : [...new Set(xs.map((v) => formatValue(v)))].sort();
  const axis = (name: string) => ({
    name,
    nameLocation: 'middle',
    nameGap: 30,
    nameTextStyle: { color: theme.foreground },
    axisLine: { lineStyle: { color: theme.muted } },
    axisLabel: { color: theme.foreground },
    splitLine: { lineStyle: { color: theme.grid } },
  });
  const series = model.runs
    .map((run, i) => ({ run, i, x: xs[i] ?? null, y: ys[i] ?? null }))
    .filter((p) => p.x !== null && typeof p.y === 'number')
    .map((p) => ({
      type: 'scatter',
      name: p.run.label,
      symbolSize: 12,
      itemStyle: { color: colours[p.i] },
      data: [[numericX ? p.x : formatValue(p.x), p.y]],
    }));
  return mount(root, box, {
    ...baseOption(),
    grid: { left: 70, right: 30, top: 30, bottom: 80 },
    xAxis: numericX ? { type: 'value', scale: true, ...axis(xRow.key) } : { type: 'category', data: categories, ...axis(xRow.key) },
    yAxis: { type: 'value', scale: true, ...axis(yRow.key), nameGap: 50 },
    series,
  }, series.length);
}
