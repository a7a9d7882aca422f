import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MergeOptions, MergeResolutions } from '../../core/merge/model.ts';
import {
  NOTEBOOK_MERGE_VIEW_TYPE,
  notebookMergeRequests,
  type ConflictDirection,
  type MergeSource,
  type NotebookMergeData,
  type NotebookMergeEvent,
  type NotebookMergeRequests,
} from '../../protocol/notebookMerge.ts';
import type { RequestHandlers } from '../../protocol/requests.ts';
import { HandResolvedError, markMergeResolved, StaleMergeError } from '../merge/markMergeResolved.ts';
import { conflictSignature, loadMerge, type GitAccess, type LoadedMerge } from '../merge/mergeSource.ts';
import { applyTarget, resolutionsFor, type ResolutionStore } from '../merge/mergeResult.ts';
import { WebviewPanelHost, type PanelSpec } from './webviewPanelHost.ts';

const SPEC: PanelSpec<NotebookMergeRequests> = {
  viewType: NOTEBOOK_MERGE_VIEW_TYPE,
  title: 'Notebook Merge',
  app: 'notebookMerge',
  requests: notebookMergeRequests,
  styles: ['notebookMerge.css'],
};

export interface MergePanelDeps {
  readonly extensionUri: vscode.Uri;
  readonly log: vscode.LogOutputChannel;
  readonly resolutions: ResolutionStore;
  /** The merge settings (labbook.merge.*) for the file written, read each time the panel merges. */
  readonly options: (file: string) => Partial<MergeOptions>;
}

/** A notebook merge panel: merges in the host, keeps the user's resolutions, writes the result. */
export class NotebookMergePanel extends WebviewPanelHost<NotebookMergeRequests, NotebookMergeEvent> {
  private static readonly open = new Map<string, NotebookMergePanel>();
  readonly source: MergeSource;
  private readonly key: string;
  private readonly deps: MergePanelDeps;
  private loaded: (LoadedMerge & { readonly signature: string }) | undefined;
  private resolutions: MergeResolutions = { cells: {}, metadata: {} };
  /** Set while the panel writes the file, and after it was resolved: its own write is no change to merge again. */
  private writing = false;
  private done = false;
  /** Set while Mark as Resolved runs: a second click is refused rather than raced. */
  private marking = false;

  protected readonly handlers: RequestHandlers<NotebookMergeRequests> = {
    getMerge: async () => this.data(await this.load()),
    resolve: async ({ target, signature }) => {
      // Only for the merge the page shows: a click on a view the host has since merged again is refused, and the page reloads.
      const loaded = this.loaded;
      if (!loaded || this.done || (signature !== undefined && signature !== loaded.signature)) {
        void this.post({ type: 'sourceChanged' });
        throw new StaleMergeError('the merge changed since the page showed it. Nothing was changed: it is shown again.');
      }
      this.resolutions = applyTarget(loaded.merge, this.resolutions, target);
      await this.deps.resolutions.set(loaded.output, loaded.signature, this.resolutions);
      return this.resolutions;
    },
    markResolved: async ({ signature }) => {
      // Only the merge the page was last given, and only if loading it again gives the same inputs.
      const shown = this.loaded;
      if (this.marking || this.done) throw new StaleMergeError('Mark as Resolved is already running (or done) for this merge.');
      if (!shown || (signature !== undefined && signature !== shown.signature)) {
        void this.post({ type: 'sourceChanged' });
        throw new StaleMergeError('the merge changed since the page showed it. Nothing was written: it is shown again.');
      }
      this.marking = true;
      let done;
      try {
        done = await markMergeResolved(
          this.source,
          this.options(),
          shown.fingerprint,
          this.resolutions,
          () => {
            this.writing = true;
            setTimeout(() => (this.writing = false), 1_000);
          },
          this.access(),
        );
      } catch (err) {
        if (err instanceof StaleMergeError) {
          // What the page shows is out of date: forget it, and have the page ask again.
          this.loaded = undefined;
          void this.post({ type: 'sourceChanged' });
        }
        if (err instanceof HandResolvedError) void this.offerDiff(err.message);
        throw err;
      } finally {
        this.marking = false;
      }
      this.done = true;
      await this.deps.resolutions.clear(done.file);
      const name = path.basename(done.file);
      if (done.notStaged !== undefined) {
        this.log.warn(`Notebook merge: wrote ${done.file} but did not stage it: ${done.notStaged}`);
        void vscode.window.showWarningMessage(`${name}: written but not staged: ${done.notStaged}.`);
      } else {
        this.log.info(`Notebook merge: wrote ${done.file}${done.staged ? ' and staged it' : ''}`);
        void vscode.window.showInformationMessage(`${name}: merge resolved${done.staged ? ' and staged' : ''}.`);
      }
      return { file: done.file, staged: done.staged, ...(done.notStaged !== undefined ? { notStaged: done.notStaged } : {}) };
    },
  };

  /** Git runs commands a repository configures: only in a trusted workspace (Restricted Mode merges recorded conflicts or three files, unstaged). */
  private access(): GitAccess {
    return { git: vscode.workspace.isTrusted };
  }

  /** A hand-resolved file is not overwritten: the user may compare it with the notebook diff. */
  private async offerDiff(message: string): Promise<void> {
    const file = this.source.kind === 'file' ? this.source.file : this.source.output;
    const choice = await vscode.window.showWarningMessage(message, 'Open File', 'Open Diff');
    if (choice === 'Open File') await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(file));
    if (choice === 'Open Diff') await vscode.commands.executeCommand('git.openChange', vscode.Uri.file(file));
  }

  private constructor(panel: vscode.WebviewPanel, source: MergeSource, deps: MergePanelDeps) {
    super(panel, SPEC, deps.extensionUri, deps.log);
    this.source = source;
    this.deps = deps;
    this.key = JSON.stringify(source);
    NotebookMergePanel.open.set(this.key, this);
    this.onDidDispose(() => {
      if (NotebookMergePanel.open.get(this.key) === this) NotebookMergePanel.open.delete(this.key);
    });
    // Labbook's recorded conflicts live in the file (and three picked files may change): merge again when they do.
    const watched = source.kind === 'file' ? [source.file] : [source.base, source.local, source.remote];
    for (const file of watched) {
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(path.dirname(file)), path.basename(file)));
      const changed = () => {
        if (!this.writing && !this.done) void this.post({ type: 'sourceChanged' });
      };
      this.onDidDispose(() => {
        watcher.dispose();
      });
      watcher.onDidChange(changed);
      watcher.onDidCreate(changed);
      // Resolved by deleting it (git rm), or moved away: the page reloads and learns there is nothing to merge.
      watcher.onDidDelete(changed);
    }
  }

  private options(): Partial<MergeOptions> {
    return this.deps.options(this.source.kind === 'file' ? this.source.file : this.source.output);
  }

  private async load(): Promise<LoadedMerge & { readonly signature: string }> {
    let loaded: LoadedMerge;
    try {
      loaded = await loadMerge(this.source, this.options(), this.access());
    } catch (err) {
      // Nothing stale may be written or resolved: the page says why and disables Mark as Resolved.
      this.loaded = undefined;
      throw err;
    }
    const signature = conflictSignature(loaded.merge);
    // Resolutions kept for this file survive a reload as long as the merge has the same conflicts (content included).
    const same = this.loaded?.signature === signature && this.loaded.output === loaded.output;
    this.resolutions = resolutionsFor(loaded.merge, same ? this.resolutions : this.deps.resolutions.get(loaded.output, signature));
    this.loaded = { ...loaded, signature };
    this.done = false;
    this.panel.title = `Merge: ${path.basename(loaded.output)}`;
    return this.loaded;
  }

  private data(loaded: LoadedMerge & { readonly signature: string }): NotebookMergeData {
    return {
      source: this.source,
      title: loaded.title,
      origin: loaded.origin,
      from: loaded.from,
      signature: loaded.signature,
      output: loaded.output,
      merge: loaded.merge,
      resolutions: this.resolutions,
    };
  }

  /** Reveals the panel already merging `source`, or opens one. */
  static show(source: MergeSource, deps: MergePanelDeps): NotebookMergePanel {
    const existing = NotebookMergePanel.open.get(JSON.stringify(source));
    if (existing) {
      existing.panel.reveal();
      // Resolved and written already: a new request for the same file is a fresh merge, not the finished page.
      if (existing.done) {
        existing.done = false;
        existing.loaded = undefined;
        void existing.post({ type: 'sourceChanged' });
      }
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(SPEC.viewType, SPEC.title, vscode.ViewColumn.Active, WebviewPanelHost.webviewOptions(deps.extensionUri));
    return new NotebookMergePanel(panel, source, deps);
  }

  /** Adopts a panel VS Code restored; its source comes from the webview's saved state. */
  static revive(panel: vscode.WebviewPanel, source: MergeSource, deps: MergePanelDeps): NotebookMergePanel {
    return new NotebookMergePanel(panel, source, deps);
  }

  /** The merge panel the user is looking at (focused), if any: where F7 / Shift+F7 go. */
  static active(): NotebookMergePanel | undefined {
    return [...NotebookMergePanel.open.values()].find((p) => p.panel.active);
  }

  /** The merge settings changed: every panel that merges from git's stages or three files merges again (recorded conflicts do not depend on them). */
  static settingsChanged(): void {
    for (const panel of NotebookMergePanel.open.values()) if (!panel.done && panel.loaded?.origin !== 'markers') void panel.post({ type: 'sourceChanged' });
  }

  goToConflict(direction: ConflictDirection): Thenable<boolean> {
    return this.post({ type: 'goToConflict', direction });
  }

  static disposeAll(): void {
    for (const panel of [...NotebookMergePanel.open.values()]) panel.dispose();
  }
}
