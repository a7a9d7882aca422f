// The Charts tab: a metric picker and the chart settings (x axis, smoothing, log scale, and how
// groups are drawn) over one uPlot chart per chosen metric, then the ECharts parallel coordinates
// and scatter. The first chart's histories are asked for alone and drawn before the others'.
import type { CompareGroup, CompareModel, CompareState, GroupSeries, LineMode, MetricSeries, XAxisMode } from '../../src/protocol/compare.ts';
import { el } from '../shared/dom.ts';
import { groupLine, metricChart, runLine, type ChartLine, type MetricChart } from './metricCharts.ts';
import { bucketsForWidth, unlaidChartWidth } from './chartBuckets.ts';
import { PlotsSection } from './plotsSection.ts';
import { chartMetrics } from '../../src/shared/chartMetrics.ts';
import { runColours } from './theme.ts';
import { errorMessage } from '../../src/shared/errorMessage.ts';

export interface ChartsDeps {
  state(): CompareState;
  update(patch: Partial<CompareState>): void;
  fetchSeries(keys: readonly string[], buckets: number): Promise<readonly MetricSeries[]>;
  /** The first chart's metric (as chartMetrics picks it from the saved choice) and its histories, asked before the comparison is here. */
  fetchFirstChart(saved: readonly string[] | null, buckets: number): Promise<{ readonly key: string | null; readonly series: readonly MetricSeries[] }>;
  fetchGroupSeries(keys: readonly string[], buckets: number, xAxis: XAxisMode): Promise<readonly GroupSeries[]>;
  /** The source's groups (none: the Lines control is hidden). */
  groups(): readonly CompareGroup[];
}


export class ChartsTab {
  readonly root: HTMLElement;
  private readonly deps: ChartsDeps;
  private readonly plots: PlotsSection;
  private readonly picker = el('div', { className: 'metric-options', attrs: { role: 'group', 'aria-label': 'Metrics to chart' } });
  private readonly filter = el('input', { attrs: { type: 'search', placeholder: 'Filter metrics', 'aria-label': 'Filter metrics' } });
  private readonly xAxis = el('select', { attrs: { 'aria-label': 'X axis', 'data-control': 'x-axis' } });
  private readonly smoothing = el('input', { attrs: { type: 'range', min: '0', max: '0.99', step: '0.01', 'aria-label': 'Smoothing', 'data-control': 'smoothing' } });
  private readonly smoothingValue = el('output');
  private readonly logScale = el('input', { attrs: { type: 'checkbox', id: 'log-scale', 'data-control': 'log-scale' } });
  private readonly lines = el('select', { attrs: { 'aria-label': 'Lines', 'data-control': 'lines' } });
  private readonly linesLabel = el('label', { text: 'Lines ' }, [this.lines]);
  private readonly notice = el('p', { className: 'muted notice' });
  private readonly charts = el('div', { className: 'charts', attrs: { 'data-testid': 'charts' } });
  private model: CompareModel | null = null;
  private series = new Map<string, readonly MetricSeries[]>();
  /** By `${xAxis} ${key}`: the host aggregates along the x axis shown. */
  private groupSeries = new Map<string, readonly GroupSeries[]>();
  private buckets = 0;
  private drawn = new Map<string, MetricChart>();
  /**
   * The chosen metrics (one per line) when every one is drawn from the histories held and the
   * settings, model and theme they were drawn with are current; null once any of those changed.
   * Showing the tab again then draws nothing.
   */
  private drawnKeys: string | null = null;
  private loadSeq = 0;
  /** Bumped by invalidate(): an answer to a request made before is dropped. */
  private generation = 0;
  /** The first chart's histories, asked for while the table is drawn. */
  private prefetching: Promise<void> | undefined;

  constructor(deps: ChartsDeps) {
    this.deps = deps;
    this.plots = new PlotsSection(deps);
    for (const [value, label] of [['step', 'Step'], ['wall', 'Wall time'], ['relative', 'Relative time']] as const) this.xAxis.append(el('option', { text: label, attrs: { value } }));
    const controls = el('div', { className: 'chart-controls controls' }, [
      el('label', { text: 'X axis ' }, [this.xAxis]),
      el('label', { text: 'Smoothing ' }, [this.smoothing, this.smoothingValue]),
      el('label', { className: 'toggle' }, [this.logScale, document.createTextNode(' Log scale')]),
      this.linesLabel,
    ]);
    for (const [value, label] of [['runs', 'per run'], ['mean-std', 'group mean ± std'], ['min-max', 'group min–max']] as const) this.lines.append(el('option', { text: label, attrs: { value } }));
    const pickerBox = el('details', { className: 'metric-picker', attrs: { open: '' } }, [el('summary', { text: 'Metrics' }), this.filter, this.picker]);
    this.root = el('div', { className: 'charts-tab' }, [controls, pickerBox, this.notice, this.charts, el('h2', { text: 'Runs across params and metrics' }), this.plots.root]);

    this.xAxis.addEventListener('change', () => this.settingsChanged({ xAxis: this.xAxis.value as XAxisMode }));
    this.lines.addEventListener('change', () => this.settingsChanged({ lines: this.lines.value as LineMode }));
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
    // Only a new width redraws: a chart added below changes the height, and redrawing every chart
    // for that cost as much as drawing them. A hidden tab has no width: the charts keep theirs
    // (the page's guess for a hidden tab is not the width they are shown at).
    let observedWidth = -1;
    new ResizeObserver(() => {
      if (this.charts.clientWidth === 0) {
        observedWidth = -1;
        return;
      }
      const width = this.width();
      if (width === observedWidth) return;
      observedWidth = width;
      for (const chart of this.drawn.values()) chart.resize(width);
      this.plots.resize();
    }).observe(this.charts);
  }

  /** The metrics to chart: the saved choice (those that still exist), else a few shared ones. */
  chosenMetrics(): string[] {
    return this.model ? chartMetrics(this.model, this.deps.state().chartMetrics) : [];
  }

  show(model: CompareModel): void {
    this.model = model;
    this.drawnKeys = null;
    const state = this.deps.state();
    this.xAxis.value = state.xAxis;
    this.smoothing.value = String(state.smoothing);
    this.smoothingValue.textContent = state.smoothing.toFixed(2);
    this.logScale.checked = state.logScale;
    this.lines.value = state.lines;
    this.linesLabel.hidden = this.deps.groups().length === 0;
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
    this.generation++;
    this.drawnKeys = null;
    this.series.clear();
    this.groupSeries.clear();
    this.prefetching = undefined;
  }

  /**
   * Asks for the first chart's histories at once, before the tab is opened: the host reads them
   * while the page draws the table, and the Charts tab opens with its first chart ready. At start
   * the comparison is not here yet (no `model`): the host picks the metric as chosenMetrics() will.
   * A failure is left for load() to ask again and report.
   */
  prefetch(): void {
    const [first] = this.chosenMetrics();
    if ((this.model && (first === undefined || this.has(first))) || this.prefetching) return;
    const buckets = this.bucketCount();
    if (buckets !== this.buckets) {
      this.invalidate();
      this.buckets = buckets;
    }
    const asked = first === undefined ? this.fetchFirst(buckets) : this.fetch([first], buckets);
    const pending: Promise<void> = asked.catch(() => undefined);
    this.prefetching = pending;
    void pending.then(() => {
      if (this.prefetching === pending) this.prefetching = undefined;
    });
  }

  private async fetchFirst(buckets: number): Promise<void> {
    const generation = this.generation;
    const { key, series } = await this.deps.fetchFirstChart(this.deps.state().chartMetrics, buckets);
    // Histories from before the store changed (or the width did) are not kept.
    if (key !== null && generation === this.generation) this.series.set(key, series.filter((s) => s.key === key));
  }

  private bucketCount(): number {
    return bucketsForWidth(this.width());
  }

  /** How groups are drawn now: null when runs are drawn one line each. */
  private groupMode(): Exclude<LineMode, 'runs'> | null {
    const lines = this.deps.state().lines;
    return lines === 'runs' || this.deps.groups().length === 0 ? null : lines;
  }

  private groupKey(key: string): string {
    return `${this.deps.state().xAxis} ${key}`;
  }

  /** Whether `key` can be drawn from what is cached. */
  private has(key: string): boolean {
    return this.series.has(key) && (this.groupMode() === null || this.groupSeries.has(this.groupKey(key)));
  }

  /** Asks for `keys`' histories (and their groups', when groups are drawn) and caches them. */
  private async fetch(keys: readonly string[], buckets: number): Promise<void> {
    const xAxis = this.deps.state().xAxis;
    // Only what is not here yet: a key's runs may be (the first chart's), its groups not.
    const runKeys = keys.filter((key) => !this.series.has(key));
    const groupKeys = this.groupMode() ? keys.filter((key) => !this.groupSeries.has(`${xAxis} ${key}`)) : [];
    const [series, groups] = await Promise.all([
      runKeys.length ? this.deps.fetchSeries(runKeys, buckets) : [],
      groupKeys.length ? this.deps.fetchGroupSeries(groupKeys, buckets, xAxis) : undefined,
    ]);
    for (const key of runKeys) this.series.set(key, series.filter((s) => s.key === key));
    if (groups) for (const key of groupKeys) this.groupSeries.set(`${xAxis} ${key}`, groups.filter((g) => g.key === key));
  }

  /** The charts' width; while the tab is hidden, the page's (the charts span it but for padding). */
  private width(): number {
    return Math.max(200, this.charts.clientWidth || unlaidChartWidth());
  }

  /**
   * Fetches what is missing for the chosen metrics and draws: the first chart's key alone (unless
   * prefetched), drawn as soon as it arrives, then the others in one request.
   */
  async load(): Promise<void> {
    if (!this.model) return;
    const seq = ++this.loadSeq;
    if (this.prefetching) await this.prefetching;
    if (seq !== this.loadSeq) return;
    const buckets = this.bucketCount();
    if (buckets !== this.buckets) {
      this.invalidate();
      this.buckets = buckets;
    }
    const chosen = this.chosenMetrics();
    const missing = chosen.filter((k) => !this.has(k));
    if (missing.length === 0 && this.drawnKeys === chosen.join('\n')) return;
    // What is ready (a prefetched first chart) is drawn now; placeholders stand for the rest.
    let drawn = missing.length < chosen.length || missing.length === 0;
    if (drawn) this.draw();
    if (missing.length === 0) return;
    this.charts.setAttribute('aria-busy', 'true');
    const batches = missing[0] === chosen[0] && missing.length > 1 ? [missing.slice(0, 1), missing.slice(1)] : [missing];
    for (const batch of batches) {
      try {
        await this.fetch(batch, buckets);
      } catch (err) {
        if (seq !== this.loadSeq) return;
        this.charts.replaceChildren(el('p', { className: 'error', attrs: { role: 'alert' }, text: `Could not read the metric histories: ${errorMessage(err)}` }));
        this.charts.setAttribute('aria-busy', 'false');
        return;
      }
      if (seq !== this.loadSeq) return;
      if (drawn) this.drawKeys(batch);
      else this.draw();
      drawn = true;
    }
    this.charts.setAttribute('aria-busy', 'false');
  }

  /** Redraws every chart from cached data (settings or theme changed); charts still loading show so. */
  draw(): void {
    const model = this.model;
    if (!model) return;
    for (const chart of this.drawn.values()) chart.destroy();
    this.drawn.clear();
    const keys = this.chosenMetrics();
    const charts = keys.map((key) => this.chartOf(key));
    this.charts.replaceChildren(...(charts.length ? charts : [el('p', { className: 'muted', text: model.allMetrics.length ? 'Choose metrics to chart above.' : 'Nothing to chart.' })]));
    this.noteDrawn();
    this.plots.drawWhenIdle(this.model);
  }

  /** Records whether every chosen metric is drawn (placeholders are not): see drawnKeys. */
  private noteDrawn(): void {
    const chosen = this.chosenMetrics();
    this.drawnKeys = chosen.every((k) => this.drawn.has(k)) ? chosen.join('\n') : null;
  }

  /** The theme changed while the tab is hidden: its charts are drawn again when it is shown. */
  outdated(): void {
    this.drawnKeys = null;
  }

  /** Replaces the placeholders of `keys` with their charts. */
  private drawKeys(keys: readonly string[]): void {
    for (const key of keys) {
      const old = this.charts.querySelector(`:scope > [data-metric="${CSS.escape(key)}"]`);
      this.drawn.get(key)?.destroy();
      this.drawn.delete(key);
      const chart = this.chartOf(key);
      if (old) old.replaceWith(chart);
      else this.charts.append(chart);
    }
    this.noteDrawn();
    this.plots.drawWhenIdle(this.model);
  }

  /** `key`'s chart, or a placeholder while its histories are on their way. */
  private chartOf(key: string): HTMLElement {
    const model = this.model as CompareModel;
    if (!this.has(key)) return el('figure', { className: 'metric-chart loading', attrs: { 'data-metric': key, 'aria-busy': 'true' } }, [el('h3', { className: 'chart-title', text: key }), el('p', { className: 'muted', text: 'Reading the history…' })]);
    const state = this.deps.state();
    const series = this.series.get(key) ?? [];
    const mode = this.groupMode();
    const groups = mode ? (this.groupSeries.get(this.groupKey(key)) ?? []) : [];
    const grouped = new Set(mode ? this.deps.groups().flatMap((g) => g.runIds) : []);
    const runs = model.runs.filter((r) => !grouped.has(r.runId));
    // One palette over what is drawn: the groups first, then the runs outside every group.
    const colours = runColours(groups.length + runs.length);
    const lines: ChartLine[] = [
      ...groups.map((g, i) => groupLine(g, colours[i] as string, mode ?? 'mean-std', state)),
      ...runs.flatMap((run, i) => {
        const found = series.find((s) => s.runId === run.runId);
        return found ? [runLine(run, colours[groups.length + i] as string, found, state)] : [];
      }),
    ];
    const chart = metricChart(key, lines, state, this.width());
    this.drawn.set(key, chart);
    return chart.root;
  }

  private settingsChanged(patch: Partial<CompareState>): void {
    this.deps.update(patch);
    this.smoothingValue.textContent = this.deps.state().smoothing.toFixed(2);
    // Group lines are aggregated by the host along the x axis shown: they may have to be fetched.
    if (this.chosenMetrics().every((k) => this.has(k))) this.draw();
    else void this.load();
  }
}
