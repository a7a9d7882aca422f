import * as path from 'node:path';
import * as vscode from 'vscode';
import { topTrialRuns } from '../../core/sweep/sweepView.ts';
import type { SweepSpec, TrialRecord } from '../../core/sweep/types.ts';
import { BadParamsError, type RequestHandlers } from '../../protocol/requests.ts';
import { readSweepPanelState, SWEEP_VIEW_TYPE, sweepRequests, type ImportanceView, type SweepEvent, type SweepRequests, type SweepView } from '../../protocol/sweep.ts';
import { errorMessage } from '../../shared/errorMessage.ts';
import { affectsRoot, type StoreChangeEvent } from '../stores/storeChanges.ts';
import { loadSweepView, type SweepSources } from '../sweeps/sweepPanelData.ts';
import { WebviewPanelHost, type PanelSpec } from './webviewPanelHost.ts';

const SPEC: PanelSpec<SweepRequests> = {
  viewType: SWEEP_VIEW_TYPE,
  title: 'Sweep',
  app: 'sweep',
  requests: sweepRequests,
  styles: ['sweep.css'],
};

/** A burst of store writes (a trial ending writes its item, its trial, its run) makes one redraw. */
const REFRESH_DEBOUNCE_MS = 400;

export interface SweepPanelDeps extends SweepSources {
  readonly extensionUri: vscode.Uri;
  readonly log: vscode.LogOutputChannel;
  /** Parameter importance over the finished trials (core/sweep/importance.ts' paramImportance with the selected interpreter). */
  readonly importance: (spec: SweepSpec, trials: readonly TrialRecord[]) => Promise<ImportanceView>;
  /** Stops the sweep (the sweep engine's stop). */
  readonly stop: (sweepId: string) => Promise<void>;
  /** The store-change hub: the sweep's tables live in the local store, its runs in the sweep's target. */
  readonly onDidChangeStore: StoreChangeEvent;
  /** Optional: the queue's and engine's own signal (QueueServices.onDidChange), for changes the store watcher sees late. */
  readonly onDidChangeQueue?: vscode.Event<unknown>;
}

/** One panel per sweep: the host reads the stores (sweepPanelData.ts), the webview draws. */
export class SweepPanel extends WebviewPanelHost<SweepRequests, SweepEvent> {
  private static readonly open = new Map<string, SweepPanel>();
  readonly sweepId: string;
  private readonly deps: SweepPanelDeps;
  private last: SweepView | undefined;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly subscriptions: { dispose(): void }[] = [];

  protected readonly handlers: RequestHandlers<SweepRequests> = {
    getSweep: () => this.load(),
    getImportance: async () => {
      const sweeps = this.deps.sweeps();
      const sweep = sweeps?.get(this.sweepId);
      if (!sweeps || !sweep) throw new Error(`The sweep '${this.sweepId}' is no longer in the store.`);
      return vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Labbook: parameter importance of ${sweep.name}` }, () =>
        this.deps.importance(sweep.spec, sweeps.trials(this.sweepId)),
      );
    },
    openRun: async ({ runId }) => {
      const view = this.last ?? (await this.load());
      await vscode.commands.executeCommand('labbook.openRunDetails', { rootId: view.store, runId });
      return null;
    },
    compareTop: async ({ n }) => {
      const view = await this.load();
      const runIds = topTrialRuns(view, n);
      if (runIds.length < 2) throw new BadParamsError('Compare needs at least two finished trials with runs.');
      await vscode.commands.executeCommand('labbook.compareRuns', undefined, runIds.map((runId) => ({ rootId: view.store, runId })));
      return null;
    },
    openFile: async () => {
      const sweep = this.deps.sweeps()?.get(this.sweepId);
      if (!sweep?.file) throw new BadParamsError('This sweep was not started from a file.');
      const folder = vscode.workspace.workspaceFolders?.[0];
      const file = path.isAbsolute(sweep.file) || !folder ? sweep.file : path.join(folder.uri.fsPath, sweep.file);
      await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: false });
      return null;
    },
    stopSweep: async () => {
      const sweep = this.deps.sweeps()?.get(this.sweepId);
      if (!sweep) throw new Error(`The sweep '${this.sweepId}' is no longer in the store.`);
      if (sweep.state !== 'running' && sweep.state !== 'paused') return null;
      // Running trials are cancelled: worth one question.
      const answer = await vscode.window.showWarningMessage(`Stop the sweep '${sweep.name}'? Its running trials are cancelled and no new ones start.`, { modal: true }, 'Stop Sweep');
      if (answer !== 'Stop Sweep') return null;
      await this.deps.stop(this.sweepId);
      this.scheduleRefresh(0);
      return null;
    },
  };

  private constructor(panel: vscode.WebviewPanel, sweepId: string, deps: SweepPanelDeps) {
    super(panel, SPEC, deps.extensionUri, deps.log);
    this.sweepId = sweepId;
    this.deps = deps;
    const name = deps.sweeps()?.get(sweepId)?.name;
    panel.title = `Sweep: ${name ?? sweepId}`.slice(0, 80);
    SweepPanel.open.set(sweepId, this);
    this.subscriptions.push(
      deps.onDidChangeStore((change) => {
        // The sweep tables are in the local store; the trials' runs may be in a remote one.
        const root = this.last?.store ?? 'local';
        if (affectsRoot(change, 'local') || affectsRoot(change, root)) this.scheduleRefresh(REFRESH_DEBOUNCE_MS);
      }),
    );
    if (deps.onDidChangeQueue) this.subscriptions.push(deps.onDidChangeQueue(() => this.scheduleRefresh(REFRESH_DEBOUNCE_MS)));
    this.onDidDispose(() => {
      if (SweepPanel.open.get(sweepId) === this) SweepPanel.open.delete(sweepId);
      if (this.refreshTimer) clearTimeout(this.refreshTimer);
      for (const s of this.subscriptions.splice(0)) s.dispose();
    });
  }

  /** The page keeps the sweep id in its state, so VS Code can restore the panel after a reload. */
  protected override async onReady(): Promise<void> {
    await this.post({ type: 'source', sweepId: this.sweepId });
  }

  /** The view last sent to the page, or undefined before its first answer. */
  lastView(): SweepView | undefined {
    return this.last;
  }

  private async load(): Promise<SweepView> {
    const view = await loadSweepView(this.deps, this.sweepId, { log: (line) => this.log.debug(line) });
    this.last = view;
    this.panel.title = `Sweep: ${view.name}`.slice(0, 80);
    return view;
  }

  private scheduleRefresh(delayMs: number): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      // Only a page that has loaded and shows listens; a hidden one reloads, and asks, when shown again.
      if (!this.isReady || !this.panel.visible) return;
      this.load().then(
        (view) => void this.post({ type: 'sweepChanged', view }),
        (err: unknown) => this.log.warn(`Sweep panel: ${errorMessage(err)}`),
      );
    }, delayMs);
  }

  /** Reveals the panel of this sweep, or opens one. */
  static show(sweepId: string, deps: SweepPanelDeps): SweepPanel {
    const existing = SweepPanel.open.get(sweepId);
    if (existing) {
      existing.panel.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(SPEC.viewType, SPEC.title, vscode.ViewColumn.Active, WebviewPanelHost.webviewOptions(deps.extensionUri));
    return new SweepPanel(panel, sweepId, deps);
  }

  /** The open panel of a sweep, if any (tests and commands). */
  static find(sweepId: string): SweepPanel | undefined {
    return SweepPanel.open.get(sweepId);
  }

  /** For `registerWebviewPanelSerializer(SWEEP_VIEW_TYPE, …)`: revives from the page's state, else disposes. */
  static serializer(deps: SweepPanelDeps): vscode.WebviewPanelSerializer {
    return {
      deserializeWebviewPanel: (panel, state: unknown) => {
        const { sweepId } = readSweepPanelState(state);
        if (sweepId && !SweepPanel.open.has(sweepId)) new SweepPanel(panel, sweepId, deps);
        else panel.dispose();
        return Promise.resolve();
      },
    };
  }

  static disposeAll(): void {
    for (const panel of [...SweepPanel.open.values()]) panel.dispose();
  }
}

/** `labbook.openSweep`'s argument: a sweep id, or a tree node that carries one. */
function sweepIdOf(arg: unknown): string | undefined {
  if (typeof arg === 'string' && arg !== '') return arg;
  if (typeof arg === 'object' && arg !== null && typeof (arg as { sweepId?: unknown }).sweepId === 'string') return (arg as { sweepId: string }).sweepId;
  return undefined;
}

/** The serializer, the `labbook.openSweep` command (asks which sweep when given none) and the panels' disposal. */
export function registerSweepPanel(deps: SweepPanelDeps): vscode.Disposable[] {
  const openSweep = async (arg?: unknown): Promise<SweepPanel | undefined> => {
    try {
      let sweepId = sweepIdOf(arg);
      if (!sweepId) {
        const sweeps = deps.sweeps()?.list() ?? [];
        if (sweeps.length === 0) {
          void vscode.window.showInformationMessage('No sweep yet: start one with a sweep file in .labbook/sweeps/.');
          return undefined;
        }
        const picked = await vscode.window.showQuickPick(
          sweeps.map((s) => ({ label: s.name, description: s.state, detail: `${s.spec.method} · ${s.spec.objective.goal} ${s.spec.objective.metric} · ${new Date(s.createdAt).toLocaleString()}`, sweepId: s.sweepId })),
          { title: 'Open Sweep', placeHolder: 'Which sweep?' },
        );
        sweepId = picked?.sweepId;
      }
      if (!sweepId) return undefined;
      if (!deps.sweeps()?.get(sweepId)) {
        void vscode.window.showErrorMessage(`Labbook: there is no sweep '${sweepId}' in this workspace's store.`);
        return undefined;
      }
      return SweepPanel.show(sweepId, deps);
    } catch (err) {
      void vscode.window.showErrorMessage(`Labbook could not open the sweep: ${errorMessage(err)}`);
      return undefined;
    }
  };
  return [
    vscode.window.registerWebviewPanelSerializer(SWEEP_VIEW_TYPE, SweepPanel.serializer(deps)),
    vscode.commands.registerCommand('labbook.openSweep', openSweep),
    { dispose: () => SweepPanel.disposeAll() },
  ];
}

