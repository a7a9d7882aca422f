// The Charts tab's plots below the metric charts: ECharts parallel coordinates over chosen params
// and metrics, and a scatter of one against a metric, with their axis pickers. Drawn when the page
// is idle, from a bundle of their own loaded on first use.
import type * as PlotsBundle from '../comparePlots/main.ts';
import type { CompareModel, CompareState } from '../../src/protocol/compare.ts';
import { errorMessage } from '../../src/shared/errorMessage.ts';
import { el } from '../shared/dom.ts';
import type { RunPlot } from './runPlots.ts';
import { runColours } from './theme.ts';

let plotsBundle: Promise<typeof PlotsBundle> | undefined;

/**
 * ECharts comes in a bundle of its own (webview/comparePlots/main.ts), imported on first use, so the
 * first paint never waits for it. A dynamic import inherits the page script's nonce under the CSP.
 */
function loadPlots(): Promise<typeof PlotsBundle> {
  plotsBundle ??= (import(new URL('comparePlots.js', import.meta.url).href) as Promise<typeof PlotsBundle>).catch((err: unknown) => {
    plotsBundle = undefined;
    throw err;
  });
  return plotsBundle;
}

export class PlotsSection {
  readonly root = el('div', { className: 'plots' });
  private readonly deps: { state(): CompareState; update(patch: Partial<CompareState>): void };
  private model: CompareModel | null = null;
  private drawn: RunPlot[] = [];
  private idle = 0;
  private scheduled = 0;
  /** The tab was hidden when the plots were due: they are drawn when it is shown (ECharts needs a size). */
  private dueWhenShown = false;

  constructor(deps: { state(): CompareState; update(patch: Partial<CompareState>): void }) {
    this.deps = deps;
    this.root.addEventListener('change', (e) => this.plotControlChanged(e.target as HTMLElement));
  }

  /**
   * Draws `model`'s plots once the metric charts are painted (a task after the next animation
   * frame) and then the page is idle (at most a second later), so they never delay the curves: an
   * idle callback alone may run before that frame, and ECharts holds the page for a while.
   */
  drawWhenIdle(model: CompareModel | null): void {
    this.model = model;
    const token = ++this.scheduled;
    cancelIdleCallback(this.idle);
    requestAnimationFrame(() =>
      setTimeout(() => {
        if (token === this.scheduled) this.idle = requestIdleCallback(() => void this.draw(), { timeout: 1000 });
      }, 0),
    );
  }

  resize(): void {
    if (this.dueWhenShown) {
      this.dueWhenShown = false;
      this.drawWhenIdle(this.model);
      return;
    }
    for (const plot of this.drawn) plot.resize();
  }

  private defaultParallel(model: CompareModel): string[] {
    const params = model.rows.filter((r) => r.kind === 'param' && r.differs).slice(0, 4).map((r) => r.id);
    const metrics = (model.sharedMetrics.length ? model.sharedMetrics : model.allMetrics).slice(0, 3).map((k) => `metric:${k}`);
    return [...params, ...metrics];
  }

  private async draw(): Promise<void> {
    let plots: typeof PlotsBundle;
    try {
      plots = await loadPlots();
    } catch (err) {
      this.root.replaceChildren(el('p', { className: 'error', attrs: { role: 'alert' }, text: `Could not load the plots: ${errorMessage(err)}` }));
      return;
    }
    const model = this.model;
    if (!model) return;
    if (this.root.offsetParent === null) {
      this.dueWhenShown = true;
      return;
    }
    for (const plot of this.drawn) plot.destroy();
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
    const parallel = plots.parallelPlot(model, axes, state.aggregate, colours);

    const firstParam = model.rows.find((r) => r.kind === 'param' && r.differs) ?? candidates[0];
    const x = state.scatter?.x && candidates.some((r) => r.id === state.scatter?.x) ? state.scatter.x : (firstParam?.id ?? '');
    const y = state.scatter?.y && metricRows.some((r) => r.id === state.scatter?.y) ? state.scatter.y : (metricRows.find((r) => model.sharedMetrics.includes(r.key))?.id ?? metricRows[0]?.id ?? '');
    const select = (name: string, rows: typeof candidates, value: string) =>
      el('select', { attrs: { 'data-scatter': name, 'aria-label': `Scatter ${name} axis` } }, rows.map((r) => el('option', { text: `${r.kind} ${r.key}`, attrs: { value: r.id, ...(r.id === value ? { selected: '' } : {}) } })));
    const scatterControls = el('div', { className: 'controls' }, [el('label', { text: 'Scatter: x ' }, [select('x', candidates, x)]), el('label', { text: 'y ' }, [select('y', metricRows, y)])]);
    const scatter = plots.scatterPlot(model, x, y, state.aggregate, colours);
    this.drawn = [parallel, scatter];
    this.root.replaceChildren(axisPicker, parallel.root, scatterControls, scatter.root);
    for (const plot of this.drawn) plot.start();
  }

  private plotControlChanged(target: HTMLElement): void {
    if (target.dataset.axis !== undefined) {
      const chosen = [...this.root.querySelectorAll<HTMLInputElement>('input[data-axis]:checked')].map((i) => i.dataset.axis as string);
      this.deps.update({ parallelKeys: chosen });
    } else if (target.dataset.scatter !== undefined) {
      const value = (name: string) => (this.root.querySelector(`select[data-scatter=${name}]`) as HTMLSelectElement).value;
      this.deps.update({ scatter: { x: value('x'), y: value('y') } });
    } else return;
    const open = this.root.querySelector('details')?.open ?? false;
    void this.draw().then(() => {
      const details = this.root.querySelector('details');
      if (open && details) details.open = true;
    });
  }
}
