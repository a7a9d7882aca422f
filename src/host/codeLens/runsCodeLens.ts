// The runs lens on the first line of a Python script, or on the first code cell of a notebook (a
// lens on the cell's document: VS Code shows CodeLens in notebook cells, and a notebook toolbar item
// could not say which runs or take a click per part). The file's summary is one tag query in the
// local store (fileRuns.ts), read once per file and store generation and shared by the lens's
// parts; a store change or a setting change refreshes the lenses. A file with no runs gets no lens.
import * as vscode from 'vscode';
import { formerPaths } from '../../core/git/gitFiles.ts';
import { ARTIFACTS } from '../../core/launch/conventions.ts';
import { fileRunsSummary, fileRunsViewFilter, relativeToRoot, type FileLocation, type FileRunsSummary } from '../../core/runsInCode/fileRuns.ts';
import { objectiveMetric } from '../../core/runsInCode/paramValues.ts';
import type { ReadableStore } from '../../core/store/trackingStore.ts';
import { errorMessage } from '../../shared/errorMessage.ts';
import { explorerSettings } from '../commands/explorerCommands.ts';
import { openArtifact } from '../commands/artifactCommands.ts';
import { LOCAL_ROOT_ID } from '../stores/storeRoot.ts';
import type { StoreChangeEvent } from '../stores/storeChanges.ts';
import { LENS_PARTS, lensPart, OPEN_RUN_LOG_COMMAND, type LensPartKind } from './lensParts.ts';

/** How many of the newest runs Compare opens. */
const COMPARE_RUNS = 5;
/** Git's rename history is waited for this long; past it the file's current path alone counts. */
const RENAMES_WAIT_MS = 1500;
/** Former paths are read again after this long (a new rename commit). */
const RENAMES_TTL_MS = 5 * 60_000;

export interface RunsCodeLensDeps {
  /** The workspace's local store (undefined without a folder); may throw when it cannot open. */
  readonly store: () => ReadableStore | undefined;
  readonly onDidChangeStore: StoreChangeEvent;
  readonly log: vscode.LogOutputChannel;
}

interface Target {
  readonly kind: 'script' | 'notebook';
  /** The script or notebook on disk. */
  readonly file: string;
  readonly root: string;
  readonly uri: vscode.Uri;
}

/** A file's summary and the filter it was read with (its former paths included). */
interface FileRuns {
  readonly summary: FileRunsSummary;
  readonly filter: string;
}

interface SummaryEntry {
  readonly generation: number;
  summary: Promise<FileRuns | undefined>;
}

class RunsLens extends vscode.CodeLens {
  constructor(
    range: vscode.Range,
    readonly part: LensPartKind,
    readonly target: Target,
  ) {
    super(range);
  }
}

function settings(): { enabled: boolean; metric: string | undefined } {
  const config = vscode.workspace.getConfiguration('labbook');
  return { enabled: config.get<boolean>('codeLens.enabled', true), metric: objectiveMetric(config.get<string>('codeLens.metric'), explorerSettings().keyMetrics) };
}

/** The document as a script, or as the first code cell of a notebook on disk; undefined otherwise. */
function targetOf(document: vscode.TextDocument): Target | undefined {
  const { uri } = document;
  if (uri.scheme === 'vscode-notebook-cell') {
    // On the first code cell (most notebooks open with a Markdown title).
    const notebook = vscode.workspace.notebookDocuments.find((nb) => nb.uri.scheme === 'file' && nb.getCells().find((c) => c.kind === vscode.NotebookCellKind.Code)?.document === document);
    if (!notebook) return undefined;
    const root = rootOf(notebook.uri);
    return root === undefined ? undefined : { kind: 'notebook', file: notebook.uri.fsPath, root, uri: notebook.uri };
  }
  if (uri.scheme !== 'file') return undefined;
  const root = rootOf(uri);
  return root === undefined ? undefined : { kind: 'script', file: uri.fsPath, root, uri };
}

function rootOf(uri: vscode.Uri): string | undefined {
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  return folder?.uri.scheme === 'file' ? folder.uri.fsPath : undefined;
}

export class RunsCodeLensProvider implements vscode.CodeLensProvider<RunsLens>, vscode.Disposable {
  private readonly deps: RunsCodeLensDeps;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  /** Bumped by every store or setting change; a summary belongs to the generation it was read in. */
  private generation = 0;
  private readonly summaries = new Map<string, SummaryEntry>();
  private readonly renames = new Map<string, { at: number; paths: Promise<string[]> }>();
  private readonly subscriptions: { dispose(): void }[];

  constructor(deps: RunsCodeLensDeps) {
    this.deps = deps;
    const refresh = () => {
      this.generation++;
      this.summaries.clear();
      this.changed.fire();
    };
    this.subscriptions = [
      deps.onDidChangeStore((change) => {
        if (change.kind === 'all' || change.rootId === LOCAL_ROOT_ID) refresh();
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('labbook.codeLens') || e.affectsConfiguration('labbook.explorer.keyMetrics')) refresh();
      }),
    ];
  }

  /**
   * The parts that have something to say, with their commands: VS Code reports a lens resolved
   * without a command as an error, so an empty part (no metric, one run) is never handed out. The
   * file's summary is one indexed query, read once per store generation and shared by the parts;
   * VS Code asks for lenses off the editor's path, so opening a file never waits on it.
   */
  async provideCodeLenses(document: vscode.TextDocument): Promise<RunsLens[]> {
    if (!settings().enabled) return [];
    const target = targetOf(document);
    if (!target) return [];
    const runs = await this.summaryOf(target);
    // A file without runs gets no lens (not an empty line above its code).
    if (!runs || runs.summary.count === 0) return [];
    const range = new vscode.Range(0, 0, 0, 0);
    const context = { rootId: LOCAL_ROOT_ID, kind: target.kind, filter: runs.filter, now: Date.now() };
    const lenses: RunsLens[] = [];
    for (const kind of LENS_PARTS) {
      const part = lensPart(kind, runs.summary, context);
      if (!part) continue;
      const lens = new RunsLens(range, kind, target);
      const args = kind === 'run' ? [target.uri] : [...part.arguments];
      lens.command = { title: part.title, command: part.command, arguments: args, ...(part.tooltip ? { tooltip: part.tooltip } : {}) };
      lenses.push(lens);
    }
    return lenses;
  }

  private locationOf(target: Target, former: readonly string[]): FileLocation {
    const formerPaths = former.map((p) => relativeToRoot(target.root, p)).filter((p): p is string => p !== undefined);
    return { root: target.root, file: target.file, formerPaths };
  }

  /** The file's summary in this generation: read once, shared by the lens's parts. */
  private summaryOf(target: Target): Promise<FileRuns | undefined> {
    const cached = this.summaries.get(target.file);
    if (cached && cached.generation === this.generation) return cached.summary;
    const generation = this.generation;
    const entry: SummaryEntry = { generation, summary: Promise.resolve(undefined) };
    entry.summary = (async () => {
      try {
        const store = this.deps.store();
        if (!store) return undefined;
        const location = this.locationOf(target, await this.formerPathsOf(target.file));
        const summary = await fileRunsSummary(store, location, { metric: settings().metric, recent: COMPARE_RUNS });
        return { summary, filter: fileRunsViewFilter(summary) ?? '' };
      } catch (err) {
        // A lens never shows an error: the log says what went wrong, and the next change tries again.
        this.deps.log.warn(`Runs lens on ${target.file}: ${errorMessage(err)}`);
        return undefined;
      }
    })();
    this.summaries.set(target.file, entry);
    return entry.summary;
  }

  /** Git's former paths of the file, cached a few minutes; none when git is slow or absent. */
  private formerPathsOf(file: string): Promise<string[]> {
    const now = Date.now();
    const cached = this.renames.get(file);
    if (cached && now - cached.at < RENAMES_TTL_MS) return cached.paths;
    const paths = formerPaths(file).catch(() => []);
    this.renames.set(file, { at: now, paths });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<string[]>((resolve) => (timer = setTimeout(() => resolve([]), RENAMES_WAIT_MS)));
    return Promise.race([paths, late]).finally(() => clearTimeout(timer));
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
    this.summaries.clear();
  }
}

/** Registers the runs lens for Python scripts and notebooks' first cells. */
/**
 * The lens provider (registered at activation by the entry's stand-in, which hands over to it) and
 * the command its "last" part runs.
 */
export function createRunsCodeLens(deps: RunsCodeLensDeps): { provider: RunsCodeLensProvider; disposables: vscode.Disposable[] } {
  const provider = new RunsCodeLensProvider(deps);
  return { provider, disposables: [
    provider,
    vscode.commands.registerCommand(OPEN_RUN_LOG_COMMAND, async (ref?: { rootId: string; runId: string }) => {
      if (!ref) return false;
      try {
        await openArtifact(ref.rootId, ref.runId, ARTIFACTS.outputLog);
        return true;
      } catch (err) {
        void vscode.window.showErrorMessage(`Labbook could not open the run's log: ${errorMessage(err)}`);
        return false;
      }
    }),
  ] };
}
