// The drift panel's charts, ECharts core on canvas (tooltips as rich text, never HTML): per column,
// the reference and current distributions overlaid on the same bins (categories as grouped bars),
// and per model metric, its trend against the training run's value. A report can hold hundreds of
// columns, so a chart is drawn only once its box scrolls into view.
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkLineComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import type { ColumnDrift, MetricTrend, SideSummary } from '../../src/protocol/drift.ts';
import { formatNumber } from '../../src/shared/format.ts';
import { el } from '../shared/dom.ts';
import { chartTheme, runColours, withAlpha } from '../compare/theme.ts';

echarts.use([BarChart, LineChart, GridComponent, TooltipComponent, LegendComponent, MarkLineComponent, CanvasRenderer]);

const live = new Set<echarts.ECharts>();
const draws = new WeakMap<Element, () => void>();
let observer: IntersectionObserver | undefined;

function whenVisible(box: HTMLElement, option: () => echarts.EChartsCoreOption): void {
  const draw = () => {
    if (!box.isConnected) return;
    const chart = echarts.init(box, undefined, { renderer: 'canvas' });
    chart.setOption(option());
    live.add(chart);
    box.dataset.drawn = 'true';
  };
  if (typeof IntersectionObserver === 'undefined') {
    queueMicrotask(draw);
    return;
  }
  observer ??= new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      observer?.unobserve(entry.target);
      draws.get(entry.target)?.();
      draws.delete(entry.target);
    }
  });
  draws.set(box, draw);
  observer.observe(box);
}

/** Before the page is drawn again: the old charts let go of their canvases. */
export function disposeCharts(): void {
  observer?.disconnect();
  observer = undefined;
  for (const chart of live) chart.dispose();
  live.clear();
}

export function resizeCharts(): void {
  for (const chart of live) chart.resize();
}

function base(): Record<string, unknown> {
  const theme = chartTheme();
  return {
    backgroundColor: 'transparent',
    animation: false,
    textStyle: { color: theme.foreground, fontFamily: theme.fontFamily },
    tooltip: { trigger: 'axis', renderMode: 'richText', backgroundColor: theme.background, borderColor: theme.grid, textStyle: { color: theme.foreground } },
    legend: { top: 0, textStyle: { color: theme.foreground } },
    grid: { left: 48, right: 12, top: 28, bottom: 36 },
  };
}

function axis(): Record<string, unknown> {
  const theme = chartTheme();
  return { axisLine: { lineStyle: { color: theme.grid } }, axisLabel: { color: theme.muted }, splitLine: { lineStyle: { color: theme.grid } } };
}

function shares(counts: readonly number[]): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => (total > 0 ? c / total : 0));
}

/** Category → count over both sides, the reference's order first. */
function categoryRows(reference: SideSummary, current: SideSummary): { labels: string[]; ref: number[]; cur: number[] } {
  const labels = [...new Set([...(reference.categories ?? []).map((c) => c.value), ...(current.categories ?? []).map((c) => c.value)])];
  const countIn = (side: SideSummary) => labels.map((label) => side.categories?.find((c) => c.value === label)?.count ?? 0);
  return { labels, ref: countIn(reference), cur: countIn(current) };
}

/** The two sides' share per bin (numeric) or per category, or null when neither side has one. */
export function distributionOf(column: ColumnDrift): { labels: string[]; reference: number[]; current: number[]; kind: 'bins' | 'categories' } | null {
  const edges = column.reference.histogram?.edges ?? column.current.histogram?.edges;
  if (edges && edges.length > 1) {
    const labels = edges.slice(0, -1).map((lo, i) => `${formatNumber(lo)} – ${formatNumber(edges[i + 1] ?? lo)}`);
    const pad = (counts: readonly number[] | undefined) => shares(labels.map((_, i) => counts?.[i] ?? 0));
    return { labels, reference: pad(column.reference.histogram?.counts), current: pad(column.current.histogram?.counts), kind: 'bins' };
  }
  if (column.reference.categories || column.current.categories) {
    const rows = categoryRows(column.reference, column.current);
    return { labels: rows.labels, reference: shares(rows.ref), current: shares(rows.cur), kind: 'categories' };
  }
  return null;
}

/** The overlaid distributions of one column (or a note that there is nothing to draw). */
export function distributionChart(column: ColumnDrift, names: { reference: string; current: string }): HTMLElement {
  const data = distributionOf(column);
  if (!data) return el('span', { className: 'muted', text: 'no distribution to draw' });
  const box = el('div', {
    className: 'drift-chart',
    attrs: { role: 'img', 'data-bars': String(data.labels.length), 'aria-label': `${column.column}: ${names.reference} against ${names.current} over ${data.labels.length} ${data.kind === 'bins' ? 'bins' : 'categories'}` },
  });
  whenVisible(box, () => {
    const [refColour = '#3794ff', curColour = '#d18616'] = runColours(2);
    const overlaid = data.kind === 'bins';
    const series = (name: string, values: number[], colour: string) => ({
      name,
      type: 'bar',
      data: values,
      // Bins overlap (same x), translucent; categories stand side by side.
      barGap: overlaid ? '-100%' : '10%',
      itemStyle: { color: overlaid ? withAlpha(colour, 0.55) : colour },
      emphasis: { disabled: true },
    });
    return {
      ...base(),
      tooltip: { ...(base().tooltip as object), valueFormatter: (v: unknown) => (typeof v === 'number' ? `${formatNumber(Number((v * 100).toFixed(2)))}%` : String(v)) },
      xAxis: { type: 'category', data: data.labels, ...axis(), axisLabel: { color: chartTheme().muted, hideOverlap: true, width: 80, overflow: 'truncate' } },
      yAxis: { type: 'value', ...axis(), axisLabel: { color: chartTheme().muted, formatter: (v: number) => `${Math.round(v * 100)}%` } },
      series: [series(names.reference, data.reference, refColour), series(names.current, data.current, curColour)],
    };
  });
  return box;
}

/** A metric over time with the training run's value as a dashed reference line. */
export function trendChart(trend: MetricTrend): HTMLElement {
  const points = [...trend.points].sort((a, b) => a.timestamp.localeCompare(b.timestamp) || a.step - b.step);
  const box = el('div', {
    className: 'drift-chart drift-trend',
    attrs: { role: 'img', 'data-points': String(points.length), 'aria-label': `${trend.key} over ${points.length} point(s)${trend.training === null ? '' : `, training value ${formatNumber(trend.training)}`}` },
  });
  whenVisible(box, () => {
    const [colour = '#3794ff', , trainingColour = '#89d185'] = runColours(3);
    return {
      ...base(),
      xAxis: { type: 'time', ...axis() },
      yAxis: { type: 'value', scale: true, ...axis() },
      series: [
        {
          name: trend.key,
          type: 'line',
          data: points.map((p) => [p.timestamp, p.value]),
          itemStyle: { color: colour },
          markLine:
            trend.training === null
              ? undefined
              : { symbol: 'none', silent: true, label: { formatter: `training ${formatNumber(trend.training)}`, color: trainingColour }, lineStyle: { type: 'dashed', color: trainingColour }, data: [{ yAxis: trend.training }] },
        },
      ],
    };
  });
  return box;
}
