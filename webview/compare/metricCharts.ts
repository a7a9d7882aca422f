// Overlaid metric histories, one uPlot chart per chosen metric. Each line has a band: a run draws
// its last-value line and a faint band from the store's min/max buckets (so a single spike among a
// million points still shows); a group of runs draws its mean with a ±std or min–max band.
import uPlot from 'uplot';
import type { CompareRun, GroupSeries, LineMode, MetricSeries, XAxisMode } from '../../src/protocol/compare.ts';
import { el } from '../shared/dom.ts';
import { formatNumber } from '../../src/shared/format.ts';
import { Y_AXIS_WIDTH } from './chartBuckets.ts';
import { chartTheme, withAlpha } from './theme.ts';

export interface ChartSettings {
  readonly xAxis: XAxisMode;
  readonly smoothing: number;
  readonly logScale: boolean;
}

export const CHART_HEIGHT = 260;

/**
 * Above this many lines a run's line is 1 px, not 2: thin lines keep a crowded chart readable, and
 * a 1 px line is drawn as a hairline, several times cheaper than a wider stroke without a GPU.
 */
const CROWDED = 6;

/** A line's values: the host's column itself when every value can be drawn, else a copy with gaps (null). */
type Column = readonly (number | null)[] | Float64Array;

/** TensorBoard's smoothing: an exponential moving average, debiased so the start is not pulled to 0. */
export function smooth(values: Column, weight: number): Column {
  if (weight <= 0) return values;
  let last = 0;
  let n = 0;
  return Array.from(values, (v) => {
    if (v === null || !Number.isFinite(v)) return v;
    last = last * weight + (1 - weight) * v;
    n++;
    return last / (1 - weight ** n);
  });
}

/** One drawn line: its x values, the line itself and its band, as plain columns for uPlot. */
export interface ChartLine {
  /** `run` lines carry data-run, `group` lines data-group, in the legend. */
  readonly kind: 'run' | 'group';
  readonly id: string;
  readonly label: string;
  readonly colour: string;
  readonly x: readonly number[] | Float64Array;
  readonly line: Column;
  readonly low: Column;
  readonly high: Column;
}

/** Visits indexes in x order; the columns come in step order, and timestamps usually follow it. */
function xOrder(x: Float64Array): number[] | null {
  for (let i = 1; i < x.length; i++) if ((x[i] as number) < (x[i - 1] as number)) return Array.from(x.keys()).sort((a, b) => (x[a] as number) - (x[b] as number));
  return null;
}

/**
 * Whether every value can be drawn as it is: finite, and above 0 on a log scale. It runs once per
 * column before the page's code is warm, so the test is plain comparisons (NaN fails both).
 */
function drawable(ys: readonly Float64Array[], logScale: boolean): boolean {
  const floor = logScale ? 0 : -Infinity;
  for (const column of ys) {
    for (let i = 0; i < column.length; i++) {
      const v = column[i] as number;
      if (!(v > floor && v < Infinity)) return false;
    }
  }
  return true;
}

/** What is known of the columns without testing them: a run's series come with their facts. */
interface Known {
  readonly sorted: boolean;
  readonly drawable: boolean;
}

function columns(x: Float64Array, ys: readonly Float64Array[], logScale: boolean, known?: Known): { x: readonly number[] | Float64Array; ys: Column[] } {
  const order = known?.sorted ? null : xOrder(x);
  // The common case: uPlot draws the host's columns themselves, nothing is copied.
  if (order === null && (known?.drawable ?? drawable(ys, logScale))) return { x, ys: [...ys] };
  const n = x.length;
  const xs = new Array<number>(n);
  const out = ys.map(() => new Array<number | null>(n));
  for (let k = 0; k < n; k++) {
    const i = order ? (order[k] as number) : k;
    xs[k] = x[i] as number;
    for (let c = 0; c < ys.length; c++) {
      // Gaps for what the scale cannot show: NaN, ±∞, and zero or less on a log scale.
      const v = (ys[c] as Float64Array)[i] as number;
      (out[c] as (number | null)[])[k] = !Number.isFinite(v) || (logScale && v <= 0) ? null : v;
    }
  }
  return { x: xs, ys: out };
}

function runX(mode: XAxisMode, run: CompareRun, series: MetricSeries): Float64Array {
  if (mode === 'step') return series.step;
  const start = mode === 'relative' ? run.startTime : 0;
  return series.timestamp.map((t) => (t - start) / 1000);
}

/**
 * A run's last-value line in its min–max band. Its series' facts (found by the host) stand for the
 * tests of every point, which cost more than the rest of the first chart's lines in a cold page.
 */
export function runLine(run: CompareRun, colour: string, series: MetricSeries, settings: ChartSettings): ChartLine {
  const { facts } = series;
  // Only steps are known to be in order; times usually are, but are tested.
  const known = { sorted: settings.xAxis === 'step' && facts.stepsAscending, drawable: facts.finite && (!settings.logScale || facts.positive) };
  const { x, ys } = columns(runX(settings.xAxis, run, series), [series.last, series.min, series.max], settings.logScale, known);
  return { kind: 'run', id: run.runId, label: run.label, colour, x, line: smooth(ys[0] as Column, settings.smoothing), low: ys[1] as Column, high: ys[2] as Column };
}

/** A group's mean line in its ±std or min–max band. */
export function groupLine(group: GroupSeries, colour: string, mode: Exclude<LineMode, 'runs'>, settings: ChartSettings): ChartLine {
  const low = mode === 'mean-std' ? group.mean.map((m, i) => m - (group.std[i] as number)) : group.min;
  const high = mode === 'mean-std' ? group.mean.map((m, i) => m + (group.std[i] as number)) : group.max;
  const { x, ys } = columns(group.x, [group.mean, low, high], settings.logScale);
  const runs = group.runIds.length;
  return { kind: 'group', id: group.label, label: `${group.label} (${runs} run${runs === 1 ? '' : 's'})`, colour, x, line: smooth(ys[0] as Column, settings.smoothing), low: ys[1] as Column, high: ys[2] as Column };
}

/** The value at `idx`, or at the closest index where there is one (lines log at different x). */
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

function sameX(lines: readonly ChartLine[]): boolean {
  const first = (lines[0] as ChartLine).x;
  return lines.every(({ x }) => {
    if (x === first) return true;
    if (x.length !== first.length) return false;
    // Views of one buffer: the host gave runs with equal steps one column (VS Code sends each buffer once).
    if (x instanceof Float64Array && first instanceof Float64Array && x.buffer === first.buffer && x.byteOffset === first.byteOffset) return true;
    for (let i = 0; i < x.length; i++) if (x[i] !== first[i]) return false;
    return true;
  });
}

/** [x, low₀, high₀, line₀, low₁, …]: one shared x (lines that share their x skip uPlot.join). */
function alignedData(lines: readonly ChartLine[]): uPlot.AlignedData {
  if (sameX(lines)) return [(lines[0] as ChartLine).x as number[], ...lines.flatMap((l) => [l.low, l.high, l.line] as (number | null)[][])];
  return uPlot.join(lines.map((l) => [l.x, l.low, l.high, l.line] as uPlot.AlignedData));
}

/**
 * uPlot's valToPos (canvas pixels) for one scale as a plain function: a linear or log scale's
 * position is linear in the value or in its log10, so two calls fix it. Bands have thousands of
 * points, and a call to valToPos each cost more than building their paths.
 */
function toCanvas(u: uPlot, key: 'x' | 'y'): (v: number) => number {
  const scale = u.scales[key];
  const { min, max } = scale ?? {};
  // 1: linear, 3: log10 (uPlot's Scale.Distr, a const enum the bundler cannot read).
  const distr: number | undefined = scale?.distr;
  const log = distr === 3;
  const exact = (v: number) => u.valToPos(v, key, true);
  if (min === undefined || max === undefined || min === null || max === null || (distr !== 1 && !log)) return exact;
  const f = log ? Math.log10 : (v: number) => v;
  const from = f(min);
  const at = exact(min);
  const perUnit = (exact(max) - at) / (f(max) - from);
  return Number.isFinite(perUnit) ? (v) => at + (f(v) - from) * perUnit : exact;
}

/**
 * The canvas x of each value of the chart's x column, kept for as long as that column, the x scale
 * and the plot's box stay: the bands and every line of a draw read one array, not a valToPos call
 * a point each.
 */
function xPositions(): (u: uPlot) => Float64Array {
  let kept: { xs: uPlot.AlignedData[0]; min?: number | null; max?: number | null; left: number; width: number; px: Float64Array } | undefined;
  return (u) => {
    const xs = u.data[0];
    const { min, max } = u.scales.x ?? {};
    const { left, width } = u.bbox;
    if (kept?.xs === xs && kept.min === min && kept.max === max && kept.left === left && kept.width === width) return kept.px;
    const toX = toCanvas(u, 'x');
    const px = new Float64Array(xs.length);
    for (let k = 0; k < xs.length; k++) px[k] = toX(xs[k] as number);
    kept = { xs, min, max, left, width, px };
    return px;
  };
}

/**
 * A line's path as uPlot's linear builder draws it with spanGaps (vertices on whole canvas pixels,
 * missing values spanned), from the chart's shared x positions: the builder's valToPos calls, a
 * point each, cost more than the rest of its first draw. A line with more values than four a
 * pixel (a group's joined steps) is left to uPlot's builder, which draws each pixel's min and max.
 */
function linePaths(positions: (u: uPlot) => Float64Array): uPlot.Series.PathBuilder {
  const dense = uPlot.paths.linear?.();
  return (u, seriesIdx, idx0, idx1) => {
    if (dense && idx1 - idx0 >= u.bbox.width * 4) return dense(u, seriesIdx, idx0, idx1);
    const px = positions(u);
    const ys = u.data[seriesIdx] ?? [];
    const toY = toCanvas(u, 'y');
    const stroke = new Path2D();
    let started = false;
    for (let k = idx0; k <= idx1; k++) {
      const v = ys[k];
      if (v === null || v === undefined) continue;
      const x = Math.round(px[k] as number);
      const y = Math.round(toY(v));
      if (started) stroke.lineTo(x, y);
      else {
        stroke.moveTo(x, y);
        started = true;
      }
    }
    return { stroke, fill: null, clip: null, band: null, flags: 0 };
  };
}

/**
 * Each line's band as one filled polygon (high edge forwards, low edge back) with a faint outline,
 * under the lines. uPlot's own bands clip every fill to a path, which with 20 runs of a thousand
 * buckets cost more than all the rest of the chart; a polygon needs only the plot's rectangle.
 * Missing values are spanned, as the lines span them.
 */
function drawBands(u: uPlot, styles: readonly { readonly fill: string; readonly edge: string }[], positions: (u: uPlot) => Float64Array): void {
  const ctx = u.ctx;
  const xs = u.data[0];
  const { left, top, width, height } = u.bbox;
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top, width, height);
  ctx.clip();
  ctx.lineWidth = 1;
  const toY = toCanvas(u, 'y');
  const px = positions(u);
  styles.forEach((style, i) => {
    const low = u.data[1 + i * 3] ?? [];
    const high = u.data[2 + i * 3] ?? [];
    const at: number[] = [];
    for (let k = 0; k < xs.length; k++) {
      const l = low[k];
      const h = high[k];
      if (l !== null && l !== undefined && h !== null && h !== undefined) at.push(k);
    }
    if (at.length === 0) return;
    const path = new Path2D();
    for (let j = 0; j < at.length; j++) {
      const k = at[j] as number;
      const x = px[k] as number;
      const y = toY(high[k] as number);
      if (j === 0) path.moveTo(x, y);
      else path.lineTo(x, y);
    }
    for (let j = at.length - 1; j >= 0; j--) {
      const k = at[j] as number;
      path.lineTo(px[k] as number, toY(low[k] as number));
    }
    path.closePath();
    ctx.fillStyle = style.fill;
    ctx.fill(path);
    ctx.strokeStyle = style.edge;
    ctx.stroke(path);
  });
  ctx.restore();
}

const numberTicks = (_u: uPlot, splits: number[]): string[] => splits.map((v) => formatNumber(v));

export interface MetricChart {
  readonly root: HTMLElement;
  resize(width: number): void;
  destroy(): void;
}

/**
 * A chart of `key` with `lines` (those with data are drawn). The chart element carries what it
 * drew (data-curves, data-groups, data-points, data-y-min/max from the drawn scale), and each
 * legend entry its line's last value and band there (data-last, data-low, data-high), for tests
 * and automation.
 */
export function metricChart(key: string, lines: readonly ChartLine[], settings: ChartSettings, width: number): MetricChart {
  const theme = chartTheme();
  const drawn = lines.filter((l) => l.x.length > 0);
  const title = el('h3', { className: 'chart-title', text: key });
  const plotBox = el('div', { className: 'chart-plot' });
  const legend = el('ul', { className: 'chart-legend', attrs: { 'aria-label': `Lines in ${key}` } });
  const root = el('figure', { className: 'metric-chart', attrs: { 'data-metric': key, 'aria-label': `${key} over ${settings.xAxis === 'step' ? 'steps' : 'time'}` } }, [title, plotBox, legend]);
  if (drawn.length === 0) {
    plotBox.append(el('p', { className: 'muted', text: `No run has a history of ${key}.` }));
    return { root, resize: () => undefined, destroy: () => undefined };
  }

  const data = alignedData(drawn);
  const series: uPlot.Series[] = [{ label: settings.xAxis === 'step' ? 'step' : 'time' }];
  const bandStyles = drawn.map((d) => ({ fill: withAlpha(d.colour, d.kind === 'group' ? 0.25 : 0.15), edge: withAlpha(d.colour, d.kind === 'group' ? 0.3 : 0.45) }));
  const runWidth = drawn.length > CROWDED ? 1 : 2;
  // Every band and line shares the x column: its positions are computed once a draw.
  const positions = xPositions();
  const paths = linePaths(positions);
  for (const d of drawn) {
    // The band's edges are series for the y range only; drawBands paints them (no uPlot path).
    series.push(
      { label: `${d.label} low`, paths: () => null, points: { show: false } },
      { label: `${d.label} high`, paths: () => null, points: { show: false } },
      // Points only where there are few (uPlot's own density rule): a metric logged once still shows.
      { label: d.label, stroke: d.colour, width: d.kind === 'group' ? 2.5 : runWidth, spanGaps: true, paths, points: { size: 6, fill: d.colour } },
    );
  }

  const valueCells = drawn.map((d) => {
    const swatch = el('span', { className: 'swatch', attrs: { 'aria-hidden': 'true' } });
    swatch.style.background = d.colour;
    const value = el('span', { className: 'legend-value' });
    let lastIndex = d.line.length - 1;
    while (lastIndex > 0 && d.line[lastIndex] === null) lastIndex--;
    const at = (column: Column) => String(column[lastIndex] ?? '');
    legend.append(
      el('li', { attrs: { [d.kind === 'group' ? 'data-group' : 'data-run']: d.id, 'data-last': at(d.line), 'data-low': at(d.low), 'data-high': at(d.high) } }, [
        swatch,
        el('span', { className: 'legend-name', text: d.label }),
        value,
      ]),
    );
    return value;
  });
  const xLabel = el('span', { className: 'legend-x muted' });
  legend.prepend(el('li', { className: 'legend-head' }, [xLabel]));

  const axis = { stroke: theme.foreground, grid: { stroke: theme.grid, width: 1 }, ticks: { stroke: theme.grid, width: 1 }, font: `11px ${theme.fontFamily}` };
  const opts: uPlot.Options = {
    width: Math.max(200, width),
    height: CHART_HEIGHT,
    series,
    legend: { show: false },
    scales: { x: { time: settings.xAxis === 'wall' }, y: settings.logScale ? { distr: 3 } : {} },
    // Numbers read as everywhere else (formatNumber); uPlot's own would make an Intl.NumberFormat
    // (see esbuild.mjs). Wall time keeps uPlot's date ticks.
    axes: [settings.xAxis === 'wall' ? { ...axis } : { ...axis, values: numberTicks }, { ...axis, size: Y_AXIS_WIDTH, values: numberTicks }],
    cursor: { points: { show: false }, drag: { x: true, y: false } },
    hooks: {
      drawClear: [(u) => drawBands(u, bandStyles, positions)],
      draw: [
        (u) => {
          root.dataset.curves = String(drawn.length);
          root.dataset.groups = String(drawn.filter((d) => d.kind === 'group').length);
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
    // A resize to the width the chart has draws nothing: uPlot would draw it all again.
    resize: (w) => {
      if (Math.max(200, w) !== plot.width) plot.setSize({ width: Math.max(200, w), height: CHART_HEIGHT });
    },
    destroy: () => plot.destroy(),
  };
}
