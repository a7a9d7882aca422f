import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { artifactPathSegments } from '../../core/store/artifactPaths.ts';
import type { ReadableStore } from '../../core/store/trackingStore.ts';
import { listArtifactFolder, previewArtifact } from '../../core/runDetails/artifactPreview.ts';
import { readRunCode, readRunEnvironment, readRunFingerprints, readRunLog } from '../../core/runDetails/launchFiles.ts';
import { currentDigest, readRunDetails } from '../../core/runDetails/loadRunDetails.ts';
import { sourceAtCommit } from '../../core/runDetails/sourceAtCommit.ts';
import { deleteRunTag, setRunNote, setRunTag } from '../../core/runDetails/tagEdits.ts';
import { BadParamsError, type RequestHandlers } from '../../protocol/requests.ts';
import {
  isRunRef,
  RUN_DETAILS_VIEW_TYPE,
  runDetailsRequests,
  type RunDetailsEvent,
  type RunDetailsRequests,
  type RunDetailsResult,
  type RunRef,
} from '../../protocol/runDetails.ts';
import { affectsRoot, type StoreChangeEvent } from '../stores/storeChanges.ts';
import type { StoreResolver } from './notebookDiffPanel.ts';
import { WebviewPanelHost, type PanelSpec } from './webviewPanelHost.ts';
import { errorMessage } from '../../shared/errorMessage.ts';

const SPEC: PanelSpec<RunDetailsRequests> = {
  viewType: RUN_DETAILS_VIEW_TYPE,
  title: 'Run Details',
  app: 'runDetails',
  requests: runDetailsRequests,
  styles: ['runDetails.css'],
};

/** One artifact of one run, as the actions below receive it. */
export interface ArtifactTarget {
  readonly store: ReadableStore;
  readonly ref: RunRef;
  /** Relative to the run's artifact root, '/'-separated, checked not to leave it. */
  readonly path: string;
}

/** What the panel asks of the rest of the extension. */
export interface RunDetailsActions {
  /**
   * Opens `repoRelativePath` ('/'-separated, relative to the git root the run was launched from:
   * from labbook.source.snapshot, else a relative mlflow.source.name) as it was at `commit`.
   */
  openAtCommit(repoRelativePath: string, commit: string): Promise<void> | void;
  /** Default: a read-only copy in a temporary folder, opened with `vscode.open`. */
  openArtifact?(target: ArtifactTarget): Promise<void>;
  /** Default: a save dialog, then the bytes written where the user chose. */
  saveArtifact?(target: ArtifactTarget): Promise<void>;
}

export interface RunDetailsDeps {
  readonly stores: StoreResolver;
  readonly extensionUri: vscode.Uri;
  readonly log: vscode.LogOutputChannel;
  readonly actions: RunDetailsActions;
  /** The store-change hub's event: a change of this run's store (or of every store) refreshes the panel, debounced here. */
  readonly onDidChange?: StoreChangeEvent;
}

const REFRESH_DEBOUNCE_MS = 300;

function keyOf(ref: RunRef): string {
  return `${ref.store}\n${ref.runId}`;
}

/** The artifact path a request names, checked to stay under the run's artifact root. */
function artifactParam({ path }: { readonly path: string }, allowRoot = false): string {
  try {
    artifactPathSegments(path, allowRoot);
  } catch (err) {
    throw new BadParamsError(errorMessage(err), 'path');
  }
  return path;
}

/** Default "Open in editor": a copy under the temp folder, marked read-only, opened by VS Code's own editor for its type. */
async function openArtifactCopy(target: ArtifactTarget): Promise<void> {
  const bytes = await target.store.readArtifact(target.ref.runId, target.path);
  const file = path.join(tmpdir(), 'labbook-artifacts', target.ref.runId, ...target.path.split('/'));
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, bytes, { mode: 0o444 }).catch((err: NodeJS.ErrnoException) => {
    // A copy from an earlier open is read-only; it holds the same bytes unless the artifact changed.
    if (err.code !== 'EACCES') throw err;
  });
  await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(file));
}

async function saveArtifactAs(target: ArtifactTarget): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const name = target.path.slice(target.path.lastIndexOf('/') + 1);
  const destination = await vscode.window.showSaveDialog({
    title: `Save artifact ${target.path}`,
    defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
  });
  if (!destination) return;
  await vscode.workspace.fs.writeFile(destination, await target.store.readArtifact(target.ref.runId, target.path));
}

/**
 * The details of one run: overview, params, metrics, tags and note, artifacts, and the files a
 * Labbook launch records. One panel per run; the work is done by src/core/runDetails.
 */
export class RunDetailsPanel extends WebviewPanelHost<RunDetailsRequests, RunDetailsEvent> {
  private static readonly open = new Map<string, RunDetailsPanel>();
  readonly ref: RunRef;
  private readonly deps: RunDetailsDeps;
  private readonly key: string;
  /** What the page was last given, so a store change that did not touch this run is not re-pushed. */
  private lastDigest: string | undefined;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;

  protected readonly handlers: RequestHandlers<RunDetailsRequests> = {
    getDetails: async () => this.details(),
    listArtifacts: async (params) => listArtifactFolder(await this.store(), this.ref.runId, artifactParam(params, true)),
    previewArtifact: async (params) => previewArtifact(await this.store(), this.ref.runId, artifactParam(params)),
    getLog: async ({ all }) => readRunLog(await this.store(), this.ref.runId, { all }),
    getCode: async () => readRunCode(await this.store(), this.ref.runId),
    getEnvironment: async () => readRunEnvironment(await this.store(), this.ref.runId),
    getFingerprints: async () => readRunFingerprints(await this.store(), this.ref.runId),
    setTag: async (edit) => {
      await setRunTag(await this.store(), this.ref.runId, edit);
      return this.details();
    },
    deleteTag: async ({ key }) => {
      await deleteRunTag(await this.store(), this.ref.runId, key);
      return this.details();
    },
    setNote: async ({ content }) => {
      await setRunNote(await this.store(), this.ref.runId, content);
      return this.details();
    },
    openArtifact: async (params) => {
      const target = { store: await this.store(), ref: this.ref, path: artifactParam(params) };
      await (this.deps.actions.openArtifact ?? openArtifactCopy)(target);
      return null;
    },
    saveArtifact: async (params) => {
      const target = { store: await this.store(), ref: this.ref, path: artifactParam(params) };
      await (this.deps.actions.saveArtifact ?? saveArtifactAs)(target);
      return null;
    },
    openSourceAtCommit: async () => {
      const run = await (await this.store()).getRun(this.ref.runId);
      const target = sourceAtCommit(run.data.tags);
      if (!target) throw new Error('This run records no source file inside a git repository and no commit.');
      await this.deps.actions.openAtCommit(target.path, target.commit);
      return null;
    },
    openRun: ({ runId }) => {
      RunDetailsPanel.show({ store: this.ref.store, runId }, this.deps);
      return Promise.resolve(null);
    },
    copyText: (params) => this.copyToClipboard(params),
    compareDataWith: async () => {
      await vscode.commands.executeCommand('labbook.compareDataWith', { rootId: this.ref.store, runId: this.ref.runId });
      return null;
    },
  };

  private constructor(panel: vscode.WebviewPanel, ref: RunRef, deps: RunDetailsDeps) {
    super(panel, SPEC, deps.extensionUri, deps.log);
    this.ref = ref;
    this.deps = deps;
    this.key = keyOf(ref);
    RunDetailsPanel.open.get(this.key)?.dispose();
    RunDetailsPanel.open.set(this.key, this);
    this.onDidDispose(() => {
      if (this.refreshTimer) clearTimeout(this.refreshTimer);
      if (RunDetailsPanel.open.get(this.key) === this) RunDetailsPanel.open.delete(this.key);
    });
    if (deps.onDidChange) {
      const subscription = deps.onDidChange((change) => {
        if (!affectsRoot(change, ref.store)) return;
        this.scheduleRefresh();
      });
      this.onDidDispose(() => subscription.dispose());
    }
  }

  /** Reveals the panel already showing this run, or opens one. */
  static show(ref: RunRef, deps: RunDetailsDeps): RunDetailsPanel {
    const existing = RunDetailsPanel.open.get(keyOf(ref));
    if (existing) {
      existing.panel.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(SPEC.viewType, SPEC.title, vscode.ViewColumn.Active, WebviewPanelHost.webviewOptions(deps.extensionUri));
    return new RunDetailsPanel(panel, ref, deps);
  }

  /**
   * Adopts a panel VS Code restored after a reload, from the state the page saved (`state.ref`);
   * a state without a run reference closes the panel. For registerWebviewPanelSerializer.
   */
  static revive(panel: vscode.WebviewPanel, state: unknown, deps: RunDetailsDeps): RunDetailsPanel | undefined {
    const ref = (state as { ref?: unknown } | undefined)?.ref;
    if (!isRunRef(ref)) {
      panel.dispose();
      return undefined;
    }
    return new RunDetailsPanel(panel, { store: ref.store, runId: ref.runId }, deps);
  }

  static panelFor(ref: RunRef): RunDetailsPanel | undefined {
    return RunDetailsPanel.open.get(keyOf(ref));
  }

  /** The panel in the active editor tab, if it is a Run Details panel (for commands run from its title bar). */
  static activePanel(): RunDetailsPanel | undefined {
    return [...RunDetailsPanel.open.values()].find((p) => p.panel.active);
  }

  static disposeAll(): void {
    for (const panel of [...RunDetailsPanel.open.values()]) panel.dispose();
  }

  /** Re-reads the run and pushes it to the page if anything it shows changed. */
  async refresh(): Promise<void> {
    if (!this.isReady || !this.panel.visible) return; // a hidden page reloads, and asks, when shown again
    const store = await this.openStore();
    if ((await currentDigest(store, this.ref.runId)) === this.lastDigest) return;
    await this.post({ type: 'changed', result: await this.details(store) });
  }

  private scheduleRefresh(): void {
    if (this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      this.refresh().catch((err: unknown) => this.log.error(`${RUN_DETAILS_VIEW_TYPE}: refresh failed`, err));
    }, REFRESH_DEBOUNCE_MS);
  }

  private async store(): Promise<ReadableStore> {
    const store = await this.deps.stores(this.ref.store);
    if (!store) throw new Error(`The tracking store '${this.ref.store}' is not available in this window.`);
    return store;
  }

  /** The store, or undefined when it is not open in this window or cannot be opened (logged). */
  private async openStore(): Promise<ReadableStore | undefined> {
    try {
      return await this.deps.stores(this.ref.store);
    } catch (err) {
      this.log.warn(`${RUN_DETAILS_VIEW_TYPE}: store ${this.ref.store} could not be opened: ${errorMessage(err)}`);
      return undefined;
    }
  }

  private async details(known?: ReadableStore): Promise<RunDetailsResult> {
    const { result, digest } = await readRunDetails(known ?? (await this.openStore()), this.ref);
    this.lastDigest = digest;
    if (result.kind === 'details') this.panel.title = `Run: ${result.details.overview.runName}`;
    return result;
  }
}
