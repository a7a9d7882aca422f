import * as vscode from 'vscode';
import { DEFAULT_DRIFT_OPTIONS, type DriftOptions, type DriftReport } from '../../core/drift/types.ts';
import {
  DRIFT_VIEW_TYPE,
  driftRequests,
  driftThresholds,
  readDriftState,
  sideRefLabel,
  type DriftEvent,
  type DriftPanelSource,
  type DriftRequests,
  type DriftThresholds,
  type DriftView,
  type ModelDriftView,
} from '../../protocol/drift.ts';
import { BadParamsError, conforms, type RequestHandlers } from '../../protocol/requests.ts';
import { WebviewPanelHost, type PanelSpec } from './webviewPanelHost.ts';

const SPEC: PanelSpec<DriftRequests> = {
  viewType: DRIFT_VIEW_TYPE,
  title: 'Data Drift',
  app: 'drift',
  requests: driftRequests,
  styles: ['drift.css'],
};

/** Where the workspace keeps the thresholds the user set in a drift panel. */
export const DRIFT_THRESHOLDS_KEY = 'labbook.drift.thresholds';

/** Computes the report (and model drift, when the current side evaluates a model) for one source. */
export type DriftCompute = (source: DriftPanelSource, options: DriftOptions) => Promise<{ readonly report: DriftReport; readonly model: ModelDriftView | null }>;

export interface DriftPanelDeps {
  readonly extensionUri: vscode.Uri;
  readonly log: vscode.LogOutputChannel;
  /** context.workspaceState: the thresholds are kept per workspace. */
  readonly state: vscode.Memento;
  readonly compute: DriftCompute;
}

/** The workspace's thresholds, the defaults when none were kept (or what was kept does not read). */
export function workspaceThresholds(state: vscode.Memento): DriftThresholds {
  const kept: unknown = state.get(DRIFT_THRESHOLDS_KEY);
  if (conforms(driftThresholds, kept)) return { thresholds: kept.thresholds, datasetShare: kept.datasetShare };
  return { thresholds: DEFAULT_DRIFT_OPTIONS.thresholds, datasetShare: DEFAULT_DRIFT_OPTIONS.datasetShare };
}

function titleOf(source: DriftPanelSource): string {
  return `Drift: ${sideRefLabel(source.reference)} → ${sideRefLabel(source.current)}`.slice(0, 80);
}

/** One panel per pair of sides: the host computes (src/core/drift), the webview renders. */
export class DriftPanel extends WebviewPanelHost<DriftRequests, DriftEvent> {
  private static readonly open = new Map<string, DriftPanel>();
  readonly source: DriftPanelSource;
  private readonly key: string;
  private readonly deps: DriftPanelDeps;
  /** The view last sent to the page (tests and callers read it). */
  private last: DriftView | undefined;

  protected readonly handlers: RequestHandlers<DriftRequests> = {
    getReport: () => this.computeView(),
    setThresholds: async (next) => {
      await this.deps.state.update(DRIFT_THRESHOLDS_KEY, next);
      return this.computeView();
    },
    resetThresholds: async () => {
      await this.deps.state.update(DRIFT_THRESHOLDS_KEY, undefined);
      return this.computeView();
    },
    openRun: async ({ side }) => {
      const runId = (this.last?.report ?? (await this.computeView()).report)[side].runId;
      if (!runId || !this.source.store) throw new BadParamsError(`The ${side} side is not a run.`);
      await vscode.commands.executeCommand('labbook.openRunDetails', { rootId: this.source.store, runId });
      return null;
    },
  };

  private constructor(panel: vscode.WebviewPanel, source: DriftPanelSource, deps: DriftPanelDeps) {
    super(panel, SPEC, deps.extensionUri, deps.log);
    this.source = source;
    this.deps = deps;
    this.key = DriftPanel.keyOf(source);
    panel.title = titleOf(source);
    DriftPanel.open.set(this.key, this);
    this.onDidDispose(() => {
      if (DriftPanel.open.get(this.key) === this) DriftPanel.open.delete(this.key);
    });
  }

  /** The page keeps the source in its state, so VS Code can restore the panel after a reload. */
  protected override async onReady(): Promise<void> {
    await this.post({ type: 'source', source: this.source });
  }

  /** The view last sent to the page, or undefined before its first answer. */
  lastView(): DriftView | undefined {
    return this.last;
  }

  /** The report under the workspace's thresholds; reading large files shows progress in the window. */
  private async computeView(): Promise<DriftView> {
    const thresholds = workspaceThresholds(this.deps.state);
    const options: DriftOptions = { ...DEFAULT_DRIFT_OPTIONS, thresholds: thresholds.thresholds, datasetShare: thresholds.datasetShare };
    try {
      const { report, model } = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: `Labbook: comparing ${sideRefLabel(this.source.reference)} with ${sideRefLabel(this.source.current)}` },
        () => this.deps.compute(this.source, options),
      );
      this.last = { report, model, thresholds };
      this.panel.title = `Drift: ${report.reference.label} → ${report.current.label}`.slice(0, 80);
      return this.last;
    } catch (err) {
      this.log.warn(`Drift panel: ${err instanceof Error ? err.message : String(err)}`);
      throw err;
    }
  }

  private static keyOf(source: DriftPanelSource): string {
    return JSON.stringify([source.store, source.reference, source.current, source.evaluationRuns ?? null]);
  }

  /** Reveals the panel comparing exactly these sides, or opens one. */
  static show(source: DriftPanelSource, deps: DriftPanelDeps): DriftPanel {
    const existing = DriftPanel.open.get(DriftPanel.keyOf(source));
    if (existing) {
      existing.panel.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(SPEC.viewType, SPEC.title, vscode.ViewColumn.Active, WebviewPanelHost.webviewOptions(deps.extensionUri));
    return new DriftPanel(panel, source, deps);
  }

  /** For `registerWebviewPanelSerializer(DRIFT_VIEW_TYPE, …)`: revives from the page's state, else disposes. */
  static serializer(deps: DriftPanelDeps): vscode.WebviewPanelSerializer {
    return {
      deserializeWebviewPanel: (panel, state: unknown) => {
        const { source } = readDriftState(state);
        if (source) new DriftPanel(panel, source, deps);
        else panel.dispose();
        return Promise.resolve();
      },
    };
  }

  static disposeAll(): void {
    for (const panel of [...DriftPanel.open.values()]) panel.dispose();
  }
}
