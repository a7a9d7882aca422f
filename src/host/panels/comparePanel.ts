import * as vscode from 'vscode';
import { compareCode } from '../../core/compare/code.ts';
import { buildComparison } from '../../core/compare/comparison.ts';
import { comparisonCsv } from '../../core/compare/csv.ts';
import { listComparedImages, readImage } from '../../core/compare/artifacts.ts';
import { metricSeries } from '../../core/compare/series.ts';
import type { TrackingStore } from '../../core/store/trackingStore.ts';
import {
  COMPARE_METHODS,
  COMPARE_VIEW_TYPE,
  isCompareSource,
  isMetricDirections,
  isTableView,
  type CompareEvent,
  type CompareRequests,
  type CompareSource,
} from '../../protocol/compare.ts';
import { isRecord } from '../../protocol/rpc.ts';
import type { StoreResolver } from './notebookDiffPanel.ts';
import { BadParamsError, WebviewPanelHost, type PanelSpec, type RequestHandlers } from './webviewPanelHost.ts';

const SPEC: PanelSpec = {
  viewType: COMPARE_VIEW_TYPE,
  title: 'Compare Runs',
  app: 'compare',
  methods: COMPARE_METHODS,
  styles: ['compare.css'],
};

/** Store changes arrive in bursts while a run logs; the page is told at most this often. */
const REFRESH_DEBOUNCE_MS = 750;
const MAX_CHART_KEYS = 50;

/** A run of a store, as the explorer names it. */
export interface CompareRunRef {
  /** The store's explorer root id (`local`, `remote:<url>`). */
  readonly store: string;
  readonly runId: string;
}

/** What the panel needs from the extension besides stores. */
export interface ComparePanelCallbacks {
  /** Opens the Notebook Diff of one notebook artifact of two runs (see NotebookDiffPanel, source kind 'runs'). */
  openNotebookDiff(runA: CompareRunRef, runB: CompareRunRef, artifactPath: string): unknown;
  /**
   * Fires when a store's data may have changed. A string payload names the store that changed
   * (other stores' changes are ignored); anything else refreshes every panel.
   */
  readonly onDidChangeStore?: vscode.Event<unknown>;
}

function params(raw: unknown): Record<string, unknown> {
  if (!isRecord(raw)) throw new BadParamsError('The request has no parameters.');
  return raw;
}

/** The Run Comparison panel: the host reads the store (through src/core/compare), the webview renders. */
export class ComparePanel extends WebviewPanelHost<CompareRequests, CompareEvent> {
  private static readonly open = new Map<string, ComparePanel>();
  readonly source: CompareSource;
  private readonly key: string;
  private readonly stores: StoreResolver;
  private readonly callbacks: ComparePanelCallbacks;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;

  protected readonly handlers: RequestHandlers<CompareRequests> = {
    getComparison: async (raw) => {
      const { directions } = params(raw);
      if (!isMetricDirections(directions)) throw new BadParamsError('getComparison needs a map of metric directions.');
      const model = await buildComparison(await this.store(), this.source, { directions });
      this.panel.title = model.runs.length ? `Compare: ${model.runs.map((r) => r.label).join(', ')}`.slice(0, 80) : SPEC.title;
      return model;
    },
    getSeries: async (raw) => {
      const { keys, buckets } = params(raw);
      if (!Array.isArray(keys) || keys.length > MAX_CHART_KEYS || !keys.every((k) => typeof k === 'string')) throw new BadParamsError(`getSeries needs up to ${MAX_CHART_KEYS} metric keys.`);
      if (typeof buckets !== 'number' || !Number.isFinite(buckets) || buckets < 1) throw new BadParamsError('getSeries needs a positive number of buckets.');
      return { series: await metricSeries(await this.store(), this.source.runIds, keys as string[], buckets) };
    },
    listImages: async () => listComparedImages(await this.store(), this.source.runIds),
    getImage: async (raw) => {
      const { runId, path } = params(raw);
      this.requireRun(runId);
      if (typeof path !== 'string' || path.split('/').includes('..')) throw new BadParamsError('getImage needs an artifact path.');
      return readImage(await this.store(), runId as string, path);
    },
    getCode: async (raw) => {
      const { baseRun, remoteRun } = params(raw);
      this.requireRun(baseRun);
      this.requireRun(remoteRun);
      return compareCode(await this.store(), baseRun as string, remoteRun as string);
    },
    openNotebookDiff: async (raw) => {
      const { baseRun, remoteRun, path } = params(raw);
      this.requireRun(baseRun);
      this.requireRun(remoteRun);
      if (typeof path !== 'string' || !path.endsWith('.ipynb')) throw new BadParamsError('openNotebookDiff needs a notebook artifact path.');
      await this.callbacks.openNotebookDiff({ store: this.source.store, runId: baseRun as string }, { store: this.source.store, runId: remoteRun as string }, path);
      return null;
    },
    exportCsv: async (raw) => {
      const { view, directions } = params(raw);
      if (!isTableView(view) || !isMetricDirections(directions)) throw new BadParamsError('exportCsv needs the table view and the metric directions.');
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
  };

  private constructor(panel: vscode.WebviewPanel, source: CompareSource, stores: StoreResolver, callbacks: ComparePanelCallbacks, extensionUri: vscode.Uri, log: vscode.LogOutputChannel) {
    super(panel, SPEC, extensionUri, log);
    this.source = source;
    this.stores = stores;
    this.callbacks = callbacks;
    this.key = ComparePanel.keyOf(source);
    ComparePanel.open.set(this.key, this);
    this.onDidDispose(() => {
      if (ComparePanel.open.get(this.key) === this) ComparePanel.open.delete(this.key);
      clearTimeout(this.refreshTimer);
    });
    const subscription = callbacks.onDidChangeStore?.((changed) => {
      if (typeof changed === 'string' && changed !== source.store) return;
      clearTimeout(this.refreshTimer);
      this.refreshTimer = setTimeout(() => void this.post({ type: 'storeChanged' }), REFRESH_DEBOUNCE_MS);
    });
    if (subscription) this.onDidDispose(() => subscription.dispose());
  }

  /** The page keeps the source in its state, so VS Code can restore the panel after a reload. */
  protected override async onReady(): Promise<void> {
    await this.post({ type: 'source', source: this.source });
  }

  private async store(): Promise<TrackingStore> {
    const store = await this.stores(this.source.store);
    if (!store) throw new Error(`The tracking store '${this.source.store}' is not available in this window.`);
    return store;
  }

  /** Requests may only name the runs this panel compares. */
  private requireRun(runId: unknown): void {
    if (typeof runId !== 'string' || !this.source.runIds.includes(runId)) throw new BadParamsError('The request names a run this panel does not compare.');
  }

  private static keyOf(source: CompareSource): string {
    return JSON.stringify([source.store, [...source.runIds].sort()]);
  }

  /**
   * Reveals the panel comparing exactly these runs, or opens one. `runs` must all be of one store;
   * duplicates are dropped.
   */
  static show(extensionUri: vscode.Uri, log: vscode.LogOutputChannel, stores: StoreResolver, runs: readonly CompareRunRef[], callbacks: ComparePanelCallbacks): ComparePanel {
    const store = runs[0]?.store;
    if (store === undefined || runs.some((r) => r.store !== store)) throw new Error('Compare runs of one tracking store.');
    const source: CompareSource = { store, runIds: [...new Set(runs.map((r) => r.runId))] };
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
    return new ComparePanel(panel, source, stores, callbacks, extensionUri, log);
  }

  /** For `vscode.window.registerWebviewPanelSerializer(COMPARE_VIEW_TYPE, …)`. */
  static serializer(extensionUri: vscode.Uri, log: vscode.LogOutputChannel, stores: StoreResolver, callbacks: ComparePanelCallbacks): vscode.WebviewPanelSerializer {
    return {
      deserializeWebviewPanel: async (panel, state: unknown) => {
        ComparePanel.revive(panel, state, extensionUri, log, stores, callbacks);
      },
    };
  }

  static disposeAll(): void {
    for (const panel of [...ComparePanel.open.values()]) panel.dispose();
  }
}
