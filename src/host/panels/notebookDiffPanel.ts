import * as path from 'node:path';
import * as vscode from 'vscode';
import { diffNotebooks } from '../../core/diff/diffNotebooks.ts';
import { readFileAtRevision } from '../../core/git/gitFiles.ts';
import type { ReadableStore } from '../../core/store/trackingStore.ts';
import type { Notebook } from '../../core/notebook/notebookModel.ts';
import { parseNotebook, readNotebookFile } from '../../core/notebook/readNotebook.ts';
import {
  NOTEBOOK_DIFF_VIEW_TYPE,
  notebookDiffRequests,
  type ChangeDirection,
  type DiffSource,
  type NotebookDiffData,
  type NotebookDiffEvent,
  type NotebookDiffRequests,
} from '../../protocol/notebookDiff.ts';
import type { RequestHandlers } from '../../protocol/requests.ts';
import { WebviewPanelHost, type PanelSpec } from './webviewPanelHost.ts';

const SPEC: PanelSpec<NotebookDiffRequests> = {
  viewType: NOTEBOOK_DIFF_VIEW_TYPE,
  title: 'Notebook Diff',
  app: 'notebookDiff',
  requests: notebookDiffRequests,
  styles: ['notebookDiff.css'],
};

/** Finds an open store by its explorer root id (`local`, `remote:<url>`). */
export type StoreResolver = (id: string) => Promise<ReadableStore | undefined>;

/** Both sides of a diff source, with their labels. */
async function loadSides(
  source: DiffSource,
  stores: StoreResolver,
): Promise<{ title: string; base: Notebook; remote: Notebook; baseLabel: string; remoteLabel: string }> {
  if (source.kind === 'runs') {
    const store = await stores(source.store);
    if (!store) throw new Error(`The tracking store '${source.store}' is not available in this window.`);
    const [baseRun, remoteRun] = await Promise.all([store.getRun(source.baseRun), store.getRun(source.remoteRun)]);
    const [baseBytes, remoteBytes] = await Promise.all([store.readArtifact(source.baseRun, source.path), store.readArtifact(source.remoteRun, source.path)]);
    const decoder = new TextDecoder();
    const baseLabel = `${source.path} of run ${baseRun.info.runName}`;
    const remoteLabel = `${source.path} of run ${remoteRun.info.runName}`;
    return {
      title: `${path.posix.basename(source.path)} (${baseRun.info.runName} ↔ ${remoteRun.info.runName})`,
      base: parseNotebook(decoder.decode(baseBytes), baseLabel),
      remote: parseNotebook(decoder.decode(remoteBytes), remoteLabel),
      baseLabel,
      remoteLabel,
    };
  }
  if (source.kind === 'files') {
    const [base, remote] = await Promise.all([readNotebookFile(source.base), readNotebookFile(source.remote)]);
    return {
      title: `${path.basename(source.base)} ↔ ${path.basename(source.remote)}`,
      base,
      remote,
      baseLabel: source.base,
      remoteLabel: source.remote,
    };
  }
  const name = path.basename(source.file);
  const short = /^[0-9a-f]{40}$/.test(source.revision) ? source.revision.slice(0, 8) : source.revision;
  const [baseText, remote] = await Promise.all([readFileAtRevision(source.file, source.revision), readNotebookFile(source.file)]);
  return {
    title: `${name} (${short} ↔ working tree)`,
    base: parseNotebook(baseText, `${name} at ${short}`),
    remote,
    baseLabel: `${name} at ${short}`,
    remoteLabel: `${name} (working tree)`,
  };
}

/** A notebook diff panel: computes the diff in the host, the webview renders it. */
export class NotebookDiffPanel extends WebviewPanelHost<NotebookDiffRequests, NotebookDiffEvent> {
  private static readonly open = new Map<string, NotebookDiffPanel>();
  readonly source: DiffSource;
  private readonly key: string;
  private readonly stores: StoreResolver;

  protected readonly handlers: RequestHandlers<NotebookDiffRequests> = {
    getDiff: async ({ toggles }) => {
      const sides = await loadSides(this.source, this.stores);
      const diff = diffNotebooks({ notebook: sides.base, name: sides.baseLabel }, { notebook: sides.remote, name: sides.remoteLabel }, toggles);
      this.panel.title = `Diff: ${sides.title}`;
      const data: NotebookDiffData = { ...sides, source: this.source, diff };
      return data;
    },
  };

  private constructor(panel: vscode.WebviewPanel, source: DiffSource, stores: StoreResolver, extensionUri: vscode.Uri, log: vscode.LogOutputChannel) {
    super(panel, SPEC, extensionUri, log);
    this.source = source;
    this.stores = stores;
    this.key = JSON.stringify(source);
    NotebookDiffPanel.open.set(this.key, this);
    this.onDidDispose(() => {
      if (NotebookDiffPanel.open.get(this.key) === this) NotebookDiffPanel.open.delete(this.key);
    });
    // The working-tree side may change while the panel is open: tell the page to ask again.
    const watched = source.kind === 'git' ? [source.file] : source.kind === 'files' ? [source.base, source.remote] : [];
    for (const file of watched) {
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(path.dirname(file)), path.basename(file)));
      const changed = () => void this.post({ type: 'sourceChanged' });
      this.onDidDispose(() => {
        watcher.dispose();
      });
      watcher.onDidChange(changed);
      watcher.onDidCreate(changed);
    }
  }

  /** Reveals the panel already showing `source`, or opens one. */
  static show(source: DiffSource, stores: StoreResolver, extensionUri: vscode.Uri, log: vscode.LogOutputChannel): NotebookDiffPanel {
    const existing = NotebookDiffPanel.open.get(JSON.stringify(source));
    if (existing) {
      existing.panel.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(SPEC.viewType, SPEC.title, vscode.ViewColumn.Active, WebviewPanelHost.webviewOptions(extensionUri));
    return new NotebookDiffPanel(panel, source, stores, extensionUri, log);
  }

  /** Adopts a panel VS Code restored; its source comes from the webview's saved state. */
  static revive(panel: vscode.WebviewPanel, source: DiffSource, stores: StoreResolver, extensionUri: vscode.Uri, log: vscode.LogOutputChannel): NotebookDiffPanel {
    return new NotebookDiffPanel(panel, source, stores, extensionUri, log);
  }

  /** The diff panel the user is looking at (focused), if any: where the change navigation keys go. */
  static active(): NotebookDiffPanel | undefined {
    return [...NotebookDiffPanel.open.values()].find((p) => p.panel.active);
  }

  /** Moves the page to the next or previous changed cell, as its own buttons do. */
  goToChange(direction: ChangeDirection): Thenable<boolean> {
    return this.post({ type: 'goToChange', direction });
  }

  static disposeAll(): void {
    for (const panel of [...NotebookDiffPanel.open.values()]) panel.dispose();
  }
}
