import * as vscode from 'vscode';
import { GIT_PATCH_PATH } from '../../core/compare/code.ts';
import type { ReadableStore } from '../../core/store/trackingStore.ts';
import { whatChanged } from '../../core/whatChanged/whatChanged.ts';
import { BadParamsError, type RequestHandlers } from '../../protocol/requests.ts';
import {
  WHAT_CHANGED_VIEW_TYPE,
  readWhatChangedState,
  whatChangedRequests,
  type CodeFile,
  type WhatChanged,
  type WhatChangedEvent,
  type WhatChangedRequests,
  type WhatChangedSource,
} from '../../protocol/whatChanged.ts';
import { artifactUri } from '../stores/artifactFileSystem.ts';
import { affectsRoot, type StoreChangeEvent } from '../stores/storeChanges.ts';
import { NotebookDiffPanel, type StoreResolver } from './notebookDiffPanel.ts';
import { WebviewPanelHost, type PanelSpec } from './webviewPanelHost.ts';

const SPEC: PanelSpec<WhatChangedRequests> = {
  viewType: WHAT_CHANGED_VIEW_TYPE,
  title: 'What Changed',
  app: 'whatChanged',
  requests: whatChangedRequests,
  styles: ['whatChanged.css'],
};

/** Store changes come in bursts while a run logs; the page is told at most this often. */
const REFRESH_DEBOUNCE_MS = 750;

export interface WhatChangedDeps {
  readonly extensionUri: vscode.Uri;
  readonly log: vscode.LogOutputChannel;
  readonly stores: StoreResolver;
  readonly onDidChangeStore?: StoreChangeEvent;
}

function sideName(ref: WhatChangedSource['base']): string {
  return ref.kind === 'version' ? `${ref.name} v${ref.version}` : ref.runId.slice(0, 8);
}

/** One panel per pair of sides: the host compares them (src/core/whatChanged), the webview renders. */
export class WhatChangedPanel extends WebviewPanelHost<WhatChangedRequests, WhatChangedEvent> {
  private static readonly open = new Map<string, WhatChangedPanel>();
  readonly source: WhatChangedSource;
  private readonly key: string;
  private readonly deps: WhatChangedDeps;
  private last: WhatChanged | undefined;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;

  protected readonly handlers: RequestHandlers<WhatChangedRequests> = {
    getDiff: async () => {
      const diff = await whatChanged(await this.store(), this.source.base, this.source.remote);
      this.last = diff;
      this.panel.title = `What Changed: ${diff.base.label} → ${diff.remote.label}`.slice(0, 80);
      return diff;
    },
    openDiff: async ({ file }) => {
      await this.openCodeDiff(file);
      return null;
    },
    openNotebookDiff: async () => {
      const diff = await this.diff();
      const { notebookPath } = diff.code;
      if (!notebookPath || !diff.base.runId || !diff.remote.runId) throw new BadParamsError('The two sides did not launch the same notebook.');
      NotebookDiffPanel.show({ kind: 'runs', store: this.source.store, baseRun: diff.base.runId, remoteRun: diff.remote.runId, path: notebookPath }, this.deps.stores, this.deps.extensionUri, this.log);
      return null;
    },
    openRun: async ({ side }) => {
      const runId = (await this.diff())[side].runId;
      if (!runId) throw new BadParamsError('That side has no source run.');
      await vscode.commands.executeCommand('labbook.openRunDetails', { rootId: this.source.store, runId });
      return null;
    },
  };

  private constructor(panel: vscode.WebviewPanel, source: WhatChangedSource, deps: WhatChangedDeps) {
    super(panel, SPEC, deps.extensionUri, deps.log);
    this.source = source;
    this.deps = deps;
    this.key = WhatChangedPanel.keyOf(source);
    panel.title = `What Changed: ${sideName(source.base)} → ${sideName(source.remote)}`;
    WhatChangedPanel.open.set(this.key, this);
    this.onDidDispose(() => {
      if (WhatChangedPanel.open.get(this.key) === this) WhatChangedPanel.open.delete(this.key);
      clearTimeout(this.refreshTimer);
    });
    const subscription = deps.onDidChangeStore?.((change) => {
      if (!affectsRoot(change, source.store)) return;
      clearTimeout(this.refreshTimer);
      this.refreshTimer = setTimeout(() => void this.post({ type: 'storeChanged' }), REFRESH_DEBOUNCE_MS);
    });
    if (subscription) this.onDidDispose(() => subscription.dispose());
  }

  /** The page keeps the source in its state, so VS Code can restore the panel after a reload. */
  protected override async onReady(): Promise<void> {
    await this.post({ type: 'source', source: this.source });
  }

  /** The comparison last sent to the page (read afresh when there is none yet). */
  async diff(): Promise<WhatChanged> {
    return this.last ?? (await this.handlers.getDiff(null));
  }

  private async store(): Promise<ReadableStore> {
    const store = await this.deps.stores(this.source.store);
    if (!store) throw new Error(`The tracking store '${this.source.store}' is not available in this window.`);
    return store;
  }

  private async openCodeDiff(file: CodeFile): Promise<void> {
    const diff = await this.diff();
    const path = (side: 'base' | 'remote') => (file === 'patch' ? (diff.code[side]?.hasPatch ? GIT_PATCH_PATH : null) : (diff.code[side]?.snapshotPath ?? null));
    const [a, b] = [path('base'), path('remote')];
    const [runA, runB] = [diff.base.runId, diff.remote.runId];
    // A clean tree records no patch: the one side's patch is what changed, opened alone.
    const single = file === 'patch' && (a === null) !== (b === null) ? (a && runA ? artifactUri(this.source.store, runA, a) : b && runB ? artifactUri(this.source.store, runB, b) : null) : null;
    if (single) {
      await vscode.commands.executeCommand('vscode.open', single, { preview: true });
      return;
    }
    if (!a || !b || !runA || !runB) throw new BadParamsError(`Both sides need a ${file === 'patch' ? 'git patch' : 'code snapshot'} to diff.`);
    const what = file === 'patch' ? 'git patch' : (a.split('/').pop() ?? a);
    await vscode.commands.executeCommand('vscode.diff', artifactUri(this.source.store, runA, a), artifactUri(this.source.store, runB, b), `${what} (${diff.base.label} ↔ ${diff.remote.label})`, { preview: true });
  }

  private static keyOf(source: WhatChangedSource): string {
    return JSON.stringify([source.store, source.base, source.remote]);
  }

  /** Reveals the panel comparing exactly these sides, or opens one. */
  static show(source: WhatChangedSource, deps: WhatChangedDeps): WhatChangedPanel {
    const existing = WhatChangedPanel.open.get(WhatChangedPanel.keyOf(source));
    if (existing) {
      existing.panel.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(SPEC.viewType, SPEC.title, vscode.ViewColumn.Active, WebviewPanelHost.webviewOptions(deps.extensionUri));
    return new WhatChangedPanel(panel, source, deps);
  }

  /** Adopts a panel VS Code restored, comparing the sides its page kept. */
  static revive(panel: vscode.WebviewPanel, source: WhatChangedSource, deps: WhatChangedDeps): WhatChangedPanel {
    return new WhatChangedPanel(panel, source, deps);
  }

  /** For `registerWebviewPanelSerializer(WHAT_CHANGED_VIEW_TYPE, …)`: revives from the page's state, else disposes. */
  static serializer(deps: WhatChangedDeps): vscode.WebviewPanelSerializer {
    return {
      deserializeWebviewPanel: (panel, state: unknown) => {
        // A damaged last comparison does not stop the revival: the page reads it afresh.
        const { source } = readWhatChangedState(state);
        if (source) WhatChangedPanel.revive(panel, source, deps);
        else panel.dispose();
        return Promise.resolve();
      },
    };
  }

  static disposeAll(): void {
    for (const panel of [...WhatChangedPanel.open.values()]) panel.dispose();
  }
}
