import * as vscode from 'vscode';
import { compareCode } from '../../core/compare/code.ts';
import { buildComparison } from '../../core/compare/comparison.ts';
import { CompareReader } from '../../core/compare/compareReader.ts';
import { comparisonCsv } from '../../core/compare/csv.ts';
import { listComparedImages, readImage } from '../../core/compare/artifacts.ts';
import { checkGroups } from '../../core/compare/groupSeries.ts';
import { SeriesCache } from '../../core/compare/seriesCache.ts';
import type { ReadableStore } from '../../core/store/trackingStore.ts';
import { COMPARE_VIEW_TYPE, compareRequests, isCompareSource, isMetricDirections, isStrings, type CompareEvent, type CompareGroup, type CompareRequests, type CompareSource, type MetricDirection } from '../../protocol/compare.ts';
import { BadParamsError, type RequestHandlers } from '../../protocol/requests.ts';
import { isRecord } from '../../protocol/rpc.ts';
import { affectsRoot, type StoreChangeEvent } from '../stores/storeChanges.ts';
import type { StoreResolver } from './notebookDiffPanel.ts';
import { WebviewPanelHost, type PanelSpec } from './webviewPanelHost.ts';
import { errorMessage } from '../../shared/errorMessage.ts';

const SPEC: PanelSpec<CompareRequests> = {
  viewType: COMPARE_VIEW_TYPE,
  title: 'Compare Runs',
  app: 'compare',
  boot: true,
  requests: compareRequests,
  styles: ['compare.css'],
};

/** Store changes arrive in bursts while a run logs; the page is told at most this often. */
const REFRESH_DEBOUNCE_MS = 750;

/** A run of a store, as the explorer names it. */
export interface CompareRunRef {
  /** The store's explorer root id (`local`, `remote:<url>`). */
  readonly store: string;
  readonly runId: string;
}

/** How a comparison is opened, besides its runs. */
export interface CompareOpenOptions {
  /**
   * Runs the charts may draw as one mean line with a ±std or min–max band (the user picks "Lines"
   * in the Charts tab). Every run id must be one of the compared runs; empty groups are dropped.
   */
  readonly groups?: readonly CompareGroup[];
}

/** What the panel needs from the extension besides stores. */
export interface ComparePanelCallbacks {
  /** Opens the Notebook Diff of one notebook artifact of two runs (see NotebookDiffPanel, source kind 'runs'). */
  openNotebookDiff(runA: CompareRunRef, runB: CompareRunRef, artifactPath: string): unknown;
  /** The store-change hub's event: a change of the compared runs' store (or of every store) refreshes the panel. */
  readonly onDidChangeStore?: StoreChangeEvent;
}

/** What a restored page's state (CompareState) says the first chart and the comparison will be: its chart choice and direction overrides, where they read as such. */
function savedChoices(state: unknown): { readonly charts: readonly string[] | null; readonly directions: Readonly<Record<string, MetricDirection>> } {
  const charts = isRecord(state) ? state.chartMetrics : undefined;
  const directions = isRecord(state) ? state.directions : undefined;
  return { charts: isStrings(charts) ? charts : null, directions: isMetricDirections(directions) ? directions : {} };
}

/** The Run Comparison panel: the host reads the store (through src/core/compare), the webview renders. */
export class ComparePanel extends WebviewPanelHost<CompareRequests, CompareEvent> {
  private static readonly open = new Map<string, ComparePanel>();
  /** Merged metric tiles per store root, shared by the panels of that store and kept between them. */
  private static readonly seriesCaches = new Map<string, SeriesCache>();
  readonly source: CompareSource;
  private readonly key: string;
  private readonly stores: StoreResolver;
  private readonly callbacks: ComparePanelCallbacks;
  private readonly cache: SeriesCache;
  private readonly reader: CompareReader;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;

  protected readonly handlers: RequestHandlers<CompareRequests> = {
    getComparison: async ({ directions }) => {
      const model = await this.reader.comparison(directions);
      this.panel.title = model.runs.length ? `Compare: ${model.runs.map((r) => r.label).join(', ')}`.slice(0, 80) : SPEC.title;
      return model;
    },
    getSeries: async ({ keys, buckets }) => ({ series: await this.reader.series(keys, buckets) }),
    getFirstChart: async ({ chartMetrics, buckets }) => this.reader.firstChart(chartMetrics ?? null, buckets),
    getGroupSeries: async ({ keys, buckets, xAxis }) => ({ groups: await this.reader.groupSeries(this.source.groups ?? [], keys, buckets, xAxis) }),
    listImages: async () => listComparedImages(await this.store(), this.source.runIds),
    getImage: async ({ runId, path }) => {
      this.requireRun(runId);
      return readImage(await this.store(), runId, path);
    },
    getCode: async ({ baseRun, remoteRun }) => {
      this.requireRun(baseRun);
      this.requireRun(remoteRun);
      return compareCode(await this.store(), baseRun, remoteRun);
    },
    openNotebookDiff: async ({ baseRun, remoteRun, path }) => {
      this.requireRun(baseRun);
      this.requireRun(remoteRun);
      await this.callbacks.openNotebookDiff({ store: this.source.store, runId: baseRun }, { store: this.source.store, runId: remoteRun }, path);
      return null;
    },
    exportCsv: async ({ view, directions }) => {
      const model = await buildComparison(await this.store(), this.source, { directions });
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      const target = await vscode.window.showSaveDialog({
        title: 'Export Run Comparison',
        filters: { CSV: ['csv'] },
        ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, 'run-comparison.csv') } : {}),
      });
      if (!target) return { savedTo: null };
      await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(comparisonCsv(model, view)));
      return { savedTo: target.scheme === 'file' ? target.fsPath : target.toString() };
    },
    compareData: async ({ baseRun, remoteRun }) => {
      this.requireRun(baseRun);
      this.requireRun(remoteRun);
      if (baseRun === remoteRun) throw new BadParamsError('Choose two different runs (in the Code tab) to compare their data.');
      await vscode.commands.executeCommand('labbook.compareDataRuns', undefined, [baseRun, remoteRun].map((runId) => ({ rootId: this.source.store, runId })));
      return null;
    },
  };

  private constructor(panel: vscode.WebviewPanel, source: CompareSource, stores: StoreResolver, callbacks: ComparePanelCallbacks, extensionUri: vscode.Uri, log: vscode.LogOutputChannel, saved: ReturnType<typeof savedChoices> = savedChoices(undefined)) {
    super(panel, SPEC, extensionUri, log);
    this.source = source;
    this.stores = stores;
    this.callbacks = callbacks;
    this.key = ComparePanel.keyOf(source);
    // No panel may have watched the store since the cache was filled: check before serving.
    this.cache = ComparePanel.cacheOf(source.store);
    this.cache.markStale();
    this.reader = new CompareReader(() => this.store(), source, this.cache);
    // While the page loads, the host reads what its first chart will ask for.
    this.reader.readFirstChartAhead(saved.charts, saved.directions);
    ComparePanel.open.set(this.key, this);
    this.onDidDispose(() => {
      if (ComparePanel.open.get(this.key) === this) ComparePanel.open.delete(this.key);
      clearTimeout(this.refreshTimer);
    });
    const subscription = callbacks.onDidChangeStore?.((change) => {
      if (!affectsRoot(change, source.store)) return;
      // At once, not debounced: a series asked for before the refresh must not be served stale.
      if (change.kind === 'all') this.cache.clear();
      this.reader.changed();
      clearTimeout(this.refreshTimer);
      this.refreshTimer = setTimeout(() => void this.post({ type: 'storeChanged' }), REFRESH_DEBOUNCE_MS);
    });
    if (subscription) this.onDidDispose(() => subscription.dispose());
  }

  /** The page keeps the source in its state, so VS Code can restore the panel after a reload. */
  protected override async onReady(): Promise<void> {
    await this.post({ type: 'source', source: this.source });
  }

  private async store(): Promise<ReadableStore> {
    const store = await this.stores(this.source.store);
    if (!store) throw new Error(`The tracking store '${this.source.store}' is not available in this window.`);
    return store;
  }

  /** Requests may only name the runs this panel compares. */
  private requireRun(runId: string): void {
    if (!this.source.runIds.includes(runId)) throw new BadParamsError('The request names a run this panel does not compare.');
  }

  private static keyOf(source: CompareSource): string {
    return JSON.stringify([source.store, [...source.runIds].sort(), source.groups ?? []]);
  }

  private static cacheOf(store: string): SeriesCache {
    let cache = ComparePanel.seriesCaches.get(store);
    if (!cache) ComparePanel.seriesCaches.set(store, (cache = new SeriesCache()));
    return cache;
  }

  /**
   * Reveals the panel comparing exactly these runs (and groups), or opens one. `runs` must all be
   * of one store; duplicates are dropped. Throws an Error with a message for the user when the
   * runs span stores or a group names a run that is not compared.
   */
  static show(extensionUri: vscode.Uri, log: vscode.LogOutputChannel, stores: StoreResolver, runs: readonly CompareRunRef[], callbacks: ComparePanelCallbacks, options: CompareOpenOptions = {}): ComparePanel {
    const store = runs[0]?.store;
    if (store === undefined || runs.some((r) => r.store !== store)) throw new Error('Compare runs of one tracking store.');
    const runIds = [...new Set(runs.map((r) => r.runId))];
    const groups: readonly CompareGroup[] = checkGroups(runIds, options.groups ?? []);
    const source: CompareSource = groups.length ? { store, runIds, groups } : { store, runIds };
    const existing = ComparePanel.open.get(ComparePanel.keyOf(source));
    if (existing) {
      existing.panel.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(SPEC.viewType, SPEC.title, vscode.ViewColumn.Active, WebviewPanelHost.webviewOptions(extensionUri));
    return new ComparePanel(panel, source, stores, callbacks, extensionUri, log);
  }

  /** Adopts a panel VS Code restored; `state` is the webview's saved state. Disposes it when unusable. */
  static revive(panel: vscode.WebviewPanel, state: unknown, extensionUri: vscode.Uri, log: vscode.LogOutputChannel, stores: StoreResolver, callbacks: ComparePanelCallbacks): ComparePanel | undefined {
    const source = isRecord(state) ? state.source : undefined;
    if (!isCompareSource(source)) {
      panel.dispose();
      return undefined;
    }
    let groups: readonly CompareGroup[] = [];
    try {
      groups = checkGroups(source.runIds, source.groups ?? []);
    } catch (err) {
      log.warn(`Compare: the restored panel's groups are dropped: ${errorMessage(err)}`);
    }
    const { store, runIds } = source;
    return new ComparePanel(panel, groups.length ? { store, runIds, groups } : { store, runIds }, stores, callbacks, extensionUri, log, savedChoices(state));
  }

  /** For `vscode.window.registerWebviewPanelSerializer(COMPARE_VIEW_TYPE, …)`. */
  static serializer(extensionUri: vscode.Uri, log: vscode.LogOutputChannel, stores: StoreResolver, callbacks: ComparePanelCallbacks): vscode.WebviewPanelSerializer {
    return {
      deserializeWebviewPanel: (panel, state: unknown) => {
        ComparePanel.revive(panel, state, extensionUri, log, stores, callbacks);
        return Promise.resolve();
      },
    };
  }

  static disposeAll(): void {
    for (const panel of [...ComparePanel.open.values()]) panel.dispose();
  }
}
