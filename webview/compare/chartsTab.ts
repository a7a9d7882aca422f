// The Charts tab: a metric picker and the chart settings (x axis, smoothing, log scale) over one
// uPlot chart per chosen metric, then the ECharts parallel coordinates and scatter.
import type { CompareModel, CompareState, MetricSeries, XAxisMode } from '../../src/protocol/compare.ts';
import { el } from '../shared/dom.ts';
import { metricChart, type MetricChart } from './metricCharts.ts';
import { parallelPlot, scatterPlot, type RunPlot } from './runPlots.ts';
import { runColours } from './theme.ts';
import { errorMessage } from '../../src/shared/errorMessage.ts';

export interface ChartsDeps {
  state(): CompareState;
  update(patch: Partial<CompareState>): void;
  fetchSeries(keys: readonly string[], buckets: number): Promise<readonly MetricSeries[]>;
}

const DEFAULT_CHARTS = 4;

export class ChartsTab {
  readonly root: HTMLElement;
  private readonly deps: ChartsDeps;
  private readonly picker = el('div', { className: 'metric-options', attrs: { role: 'group', 'aria-label': 'Metrics to chart' } });
  private readonly filter = el('input', { attrs: { type: 'search', placeholder: 'Filter metrics', 'aria-label': 'Filter metrics' } });
  private readonly xAxis = el('select', { attrs: { 'aria-label': 'X axis', 'data-control': 'x-axis' } });
  private readonly smoothing = el('input', { attrs: { type: 'range', min: '0', max: '0.99', step: '0.01', 'aria-label': 'Smoothing', 'data-control': 'smoothing' } });
  private readonly smoothingValue = el('output');
  private readonly logScale = el('input', { attrs: { type: 'checkbox', id: 'log-scale', 'data-control': 'log-scale' } });
  private readonly notice = el('p', { className: 'muted notice' });
  private readonly charts = el('div', { className: 'charts', attrs: { 'data-testid': 'charts' } });
  private readonly plots = el('div', { className: 'plots' });
  private model: CompareModel | null = null;
  private series = new Map<string, readonly MetricSeries[]>();
  private buckets = 0;
  private drawn: MetricChart[] = [];
  private plotsDrawn: RunPlot[] = [];
  private loadSeq = 0;
  private plotsIdle = 0;

  constructor(deps: ChartsDeps) {
    this.deps = deps;
    for (const [value, label] of [['step', 'Step'], ['wall', 'Wall time'], ['relative', 'Relative time']] as const) this.xAxis.append(el('option', { text: label, attrs: { value } }));
    const controls = el('div', { className: 'chart-controls controls' }, [
      el('label', { text: 'X axis ' }, [this.xAxis]),
      el('label', { text: 'Smoothing ' }, [this.smoothing, this.smoothingValue]),
      el('label', { className: 'toggle' }, [this.logScale, document.createTextNode(' Log scale')]),
    ]);
    const pickerBox = el('details', { className: 'metric-picker', attrs: { open: '' } }, [el('summary', { text: 'Metrics' }), this.filter, this.picker]);
    this.root = el('div', { className: 'charts-tab' }, [controls, pickerBox, this.notice, this.charts, el('h2', { text: 'Runs across params and metrics' }), this.plots]);

    this.xAxis.addEventListener('change', () => this.settingsChanged({ xAxis: this.xAxis.value as XAxisMode }));
    this.smoothing.addEventListener('input', () => this.settingsChanged({ smoothing: Number(this.smoothing.value) }));
    this.logScale.addEventListener('change', () => this.settingsChanged({ logScale: this.logScale.checked }));
    this.filter.addEventListener('input', () => {
      const needle = this.filter.value.toLowerCase();
      for (const label of this.picker.querySelectorAll<HTMLElement>('label')) label.hidden = !(label.dataset.key ?? '').toLowerCase().includes(needle);
    });
    this.picker.addEventListener('change', () => {
      const chosen = [...this.picker.querySelectorAll<HTMLInputElement>('input:checked')].map((i) => i.value);
      this.deps.update({ chartMetrics: chosen });
      void this.load();
    });
    this.plots.addEventListener('change', (e) => this.plotControlChanged(e.target as HTMLElement));
    new ResizeObserver(() => {
      const width = this.width();
      for (const chart of this.drawn) chart.resize(width);
      for (const plot of this.plotsDrawn) plot.resize();
    }).observe(this.charts);
  }

  /** The metrics to chart: the saved choice (those that still exist), else a few shared ones. */
  chosenMetrics(): string[] {
    const model = this.model;
    if (!model) return [];
    const saved = this.deps.state().chartMetrics;
    if (saved) return saved.filter((k) => model.allMetrics.includes(k));
    return (model.sharedMetrics.length ? model.sharedMetrics : model.allMetrics).slice(0, DEFAULT_CHARTS);
  }

  show(model: CompareModel): void {
    this.model = model;
    const state = this.deps.state();
    this.xAxis.value = state.xAxis;
    this.smoothing.value = String(state.smoothing);
    this.smoothingValue.textContent = state.smoothing.toFixed(2);
    this.logScale.checked = state.logScale;
    const chosen = new Set(this.chosenMetrics());
    const shared = new Set(model.sharedMetrics);
    this.picker.replaceChildren(
      ...model.allMetrics.map((key) =>
        el('label', { className: 'toggle', attrs: { 'data-key': key } }, [
          el('input', { attrs: { type: 'checkbox', value: key, ...(chosen.has(key) ? { checked: '' } : {}) } }),
          document.createTextNode(` ${key}`),
          ...(shared.has(key) ? [] : [el('span', { className: 'muted', text: ' (not in every run)' })]),
        ]),
      ),
    );
    this.notice.textContent =
      model.allMetrics.length === 0
        ? 'None of these runs logged metrics.'
        : model.sharedMetrics.length === 0
          ? 'These runs share no metrics: each chart shows the runs that have its metric.'
          : '';
  }

  /** Drops cached histories (the store changed). */
  invalidate(): void {
    this.series.clear();
  }

  private width(): number {
    return Math.max(200, this.charts.clientWidth || 1000);
  }

  /** Fetches what is missing for the chosen metrics, then draws. */
  async load(): Promise<void> {
    if (!this.model) return;
    const seq = ++this.loadSeq;
    const buckets = Math.min(2000, Math.round(this.width()));
    if (buckets !== this.buckets) {
      this.series.clear();
      this.buckets = buckets;
    }
    const keys = this.chosenMetrics();
    const missing = keys.filter((k) => !this.series.has(k));
    if (missing.length) {
      this.charts.setAttribute('aria-busy', 'true');
      try {
        const fetched = await this.deps.fetchSeries(missing, buckets);
        for (const key of missing) this.series.set(key, fetched.filter((s) => s.key === key));
      } catch (err) {
        if (seq !== this.loadSeq) return;
        this.charts.replaceChildren(el('p', { className: 'error', attrs: { role: 'alert' }, text: `Could not read the metric histories: ${errorMessage(err)}` }));
        this.charts.setAttribute('aria-busy', 'false');
        return;
      }
      if (seq !== this.loadSeq) return;
    }
    this.draw();
    this.charts.setAttribute('aria-busy', 'false');
  }

  /** Redraws from cached data (settings or theme changed). */
  draw(): void {
    const model = this.model;
    if (!model) return;
    for (const chart of this.drawn) chart.destroy();
    const state = this.deps.state();
    const colours = runColours(model.runs.length);
    const keys = this.chosenMetrics();
    const width = this.width();
    this.drawn = keys.map((key) => metricChart(key, model.runs, colours, this.series.get(key) ?? [], state, width));
    this.charts.replaceChildren(...(this.drawn.length ? this.drawn.map((c) => c.root) : [el('p', { className: 'muted', text: model.allMetrics.length ? 'Choose metrics to chart above.' : 'Nothing to chart.' })]));
    // The ECharts plots are below the metric charts: draw them once those are painted and the
    // page is idle (at most a second later), so they never delay the curves.
    cancelIdleCallback(this.plotsIdle);
    this.plotsIdle = requestIdleCallback(() => this.drawPlots(), { timeout: 1000 });
  }

  private settingsChanged(patch: Partial<CompareState>): void {
    this.deps.update(patch);
    this.smoothingValue.textContent = this.deps.state().smoothing.toFixed(2);
    this.draw();
  }

  private defaultParallel(model: CompareModel): string[] {
    const params = model.rows.filter((r) => r.kind === 'param' && r.differs).slice(0, 4).map((r) => r.id);
    const metrics = (model.sharedMetrics.length ? model.sharedMetrics : model.allMetrics).slice(0, 3).map((k) => `metric:${k}`);
    return [...params, ...metrics];
  }

  private drawPlots(): void {
    const model = this.model;
    if (!model) return;
    for (const plot of this.plotsDrawn) plot.destroy();
    const state = this.deps.state();
    const colours = runColours(model.runs.length);
    const candidates = model.rows.filter((r) => r.kind !== 'attribute');
    const metricRows = model.rows.filter((r) => r.kind === 'metric');
    const axes = (state.parallelKeys ?? this.defaultParallel(model)).filter((id) => candidates.some((r) => r.id === id));
    const axisPicker = el('details', { className: 'axis-picker' }, [
      el('summary', { text: `Parallel axes (${axes.length})` }),
      el('div', { className: 'metric-options', attrs: { role: 'group', 'aria-label': 'Parallel coordinate axes' } },
        candidates.map((r) => el('label', { className: 'toggle' }, [el('input', { attrs: { type: 'checkbox', 'data-axis': r.id, ...(axes.includes(r.id) ? { checked: '' } : {}) } }), document.createTextNode(` ${r.kind} ${r.key}`)])),
      ),
    ]);
    const parallel = parallelPlot(model, axes, state.aggregate, colours);

    const firstParam = model.rows.find((r) => r.kind === 'param' && r.differs) ?? candidates[0];
    const x = state.scatter?.x && candidates.some((r) => r.id === state.scatter?.x) ? state.scatter.x : (firstParam?.id ?? '');
    const y = state.scatter?.y && metricRows.some((r) => r.id === state.scatter?.y) ? state.scatter.y : (metricRows.find((r) => model.sharedMetrics.includes(r.key))?.id ?? metricRows[0]?.id ?? '');
    const select = (name: string, rows: typeof candidates, value: string) =>
      el('select', { attrs: { 'data-scatter': name, 'aria-label': `Scatter ${name} axis` } }, rows.map((r) => el('option', { text: `${r.kind} ${r.key}`, attrs: { value: r.id, ...(r.id === value ? { selected: '' } : {}) } })));
    const scatterControls = el('div', { className: 'controls' }, [el('label', { text: 'Scatter: x ' }, [select('x', candidates, x)]), el('label', { text: 'y ' }, [select('y', metricRows, y)])]);
    const scatter = scatterPlot(model, x, y, state.aggregate, colours);
    this.plotsDrawn = [parallel, scatter];
    this.plots.replaceChildren(axisPicker, parallel.root, scatterControls, scatter.root);
    for (const plot of this.plotsDrawn) plot.start();
  }

  private plotControlChanged(target: HTMLElement): void {
    if (target.dataset.axis !== undefined) {
      const chosen = [...this.plots.querySelectorAll<HTMLInputElement>('input[data-axis]:checked')].map((i) => i.dataset.axis as string);
      this.deps.update({ parallelKeys: chosen });
    } else if (target.dataset.scatter !== undefined) {
      const value = (name: string) => (this.plots.querySelector(`select[data-scatter=${name}]`) as HTMLSelectElement).value;
      this.deps.update({ scatter: { x: value('x'), y: value('y') } });
    } else return;
    const open = this.plots.querySelector('details')?.open ?? false;
    this.drawPlots();
    if (open) (this.plots.querySelector('details') as HTMLDetailsElement).open = true;
  }
}
