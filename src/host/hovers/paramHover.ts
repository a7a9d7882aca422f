// Hovers on parameters where a run got them: argparse `add_argument(...)` calls in Python scripts,
// the lines of a notebook's `parameters` cell, and the keys of YAML/JSON config files a launch
// passed. The hover lists the values this file's runs used with the objective metric, best first,
// a tiny value → metric chart (an SVG image: hovers run no script) and "Filter runs by this param".
// The runs come from the workspace's local store; they are cached per file until a store changes.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { initPythonParser, type PythonWasmPaths } from '../../core/pipeline/pythonParser.ts';
import { paramSites, siteAt, type ParamDocumentKind, type ParamSite } from '../../core/runsInCode/paramSites.ts';
import { objectiveMetric, paramValues, runsOfFile, runsWithConfigFile, type RecipeConfigCache } from '../../core/runsInCode/paramValues.ts';
import type { ReadableStore } from '../../core/store/trackingStore.ts';
import type { Run } from '../../core/store/types.ts';
import { errorMessage } from '../../shared/errorMessage.ts';
import { explorerSettings } from '../commands/explorerCommands.ts';
import { cellTagsOf } from '../pipeline/notebookCells.ts';
import type { StoreChangeEvent } from '../stores/storeChanges.ts';
import { FILTER_COMMAND, paramHoverMarkdown } from './paramHoverMarkdown.ts';

/** The documents the hover reads: scripts, notebook cells (Python), YAML and JSON files on disk. */

export interface ParamHoverDeps {
  /** The workspace's local store (undefined without a folder); may throw when it cannot open. */
  readonly store: () => ReadableStore | undefined;
  readonly onDidChangeStore: StoreChangeEvent;
  readonly wasmPaths: PythonWasmPaths;
  readonly log: vscode.LogOutputChannel;
}

/** What the hovered document is: which file's runs, and how to read its sites. */
interface Target {
  readonly kind: ParamDocumentKind;
  /** The script, notebook or config file on disk. */
  readonly file: string;
  readonly root: string;
}

/** Documents longer than this (in characters) get no param hovers. */
const MAX_TEXT = 2_000_000;

/** The objective metric setting shared with the CodeLens. */
function metricSetting(): string | undefined {
  return vscode.workspace.getConfiguration('labbook').get<string>('codeLens.metric') || undefined;
}

export class ParamHoverProvider implements vscode.HoverProvider, vscode.Disposable {
  private readonly deps: ParamHoverDeps;
  private readonly runs = new Map<string, Promise<Run[]>>();
  private readonly recipes: RecipeConfigCache = new Map();
  private readonly subscription: { dispose(): void };

  constructor(deps: ParamHoverDeps) {
    this.deps = deps;
    // A run started, ended or logged: read again on the next hover (recipes never change).
    this.subscription = deps.onDidChangeStore(() => this.runs.clear());
  }

  async provideHover(document: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
    try {
      const target = targetOf(document);
      const store = target ? this.deps.store() : undefined;
      // Large files (a data dump in JSON) are no config a person edits: not parsed on every hover.
      if (!target || !store || document.getText().length > MAX_TEXT) return undefined;
      const python = target.kind === 'python' || target.kind === 'notebookParameters' ? await initPythonParser(this.deps.wasmPaths) : undefined;
      const site = siteAt(paramSites(document.getText(), target.kind, python), document.offsetAt(position));
      if (!site || token.isCancellationRequested) return undefined;
      const runs = await this.runsOf(store, target);
      if (token.isCancellationRequested || runs.length === 0) return undefined;
      return this.hover(document, site, target, runs);
    } catch (err) {
      // A hover never shows an error: the log says what went wrong.
      this.deps.log.warn(`Param hover on ${document.uri.toString()}: ${errorMessage(err)}`);
      return undefined;
    }
  }

  private hover(document: vscode.TextDocument, site: ParamSite, target: Target, runs: readonly Run[]): vscode.Hover | undefined {
    const metric = objectiveMetric(metricSetting(), explorerSettings().keyMetrics);
    const values = paramValues(runs, site.names, metric);
    if (!values) return undefined;
    const markdown = new vscode.MarkdownString(
      paramHoverMarkdown({
        values,
        runCount: runs.length,
        fileLabel: path.relative(target.root, target.file) || path.basename(target.file),
        ...(site.defaultText !== undefined ? { defaultText: site.defaultText } : {}),
      }),
    );
    // Only the filter command runs from this hover; no HTML.
    markdown.isTrusted = { enabledCommands: [FILTER_COMMAND] };
    markdown.supportHtml = false;
    return new vscode.Hover(markdown, new vscode.Range(document.positionAt(site.start), document.positionAt(site.end)));
  }

  private runsOf(store: ReadableStore, target: Target): Promise<Run[]> {
    const key = `${target.kind === 'yaml' || target.kind === 'json' ? 'config' : 'file'}\n${target.file}`;
    let runs = this.runs.get(key);
    if (!runs) {
      runs = target.kind === 'yaml' || target.kind === 'json' ? runsWithConfigFile(store, target.file, this.recipes) : runsOfFile(store, { root: target.root, file: target.file });
      // A failed read is not cached: the next hover tries again.
      runs.catch(() => this.runs.delete(key));
      this.runs.set(key, runs);
    }
    return runs;
  }

  dispose(): void {
    this.subscription.dispose();
    this.runs.clear();
  }
}

function rootOf(uri: vscode.Uri, file: string): string {
  return vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath ?? path.dirname(file);
}

/** The hovered document as a script, a notebook's parameters cell, or a config file; undefined otherwise. */
function targetOf(document: vscode.TextDocument): Target | undefined {
  const { uri } = document;
  if (uri.scheme === 'vscode-notebook-cell') {
    for (const notebook of vscode.workspace.notebookDocuments) {
      if (notebook.uri.scheme !== 'file') continue;
      const cell = notebook.getCells().find((c) => c.document === document);
      if (!cell) continue;
      if (!cellTagsOf(cell).includes('parameters')) return undefined;
      return { kind: 'notebookParameters', file: notebook.uri.fsPath, root: rootOf(notebook.uri, notebook.uri.fsPath) };
    }
    return undefined;
  }
  if (uri.scheme !== 'file') return undefined;
  const file = uri.fsPath;
  if (document.languageId === 'python') return { kind: 'python', file, root: rootOf(uri, file) };
  if (/\.ya?ml$/i.test(file)) return { kind: 'yaml', file, root: rootOf(uri, file) };
  if (/\.json$/i.test(file)) return { kind: 'json', file, root: rootOf(uri, file) };
  return undefined;
}

/** Registers the hover provider for scripts, notebook parameters cells and config files. */
/** The hover provider; the entry's stand-in, registered at activation, hands over to it. */
export function createParamHovers(deps: ParamHoverDeps): ParamHoverProvider {
  return new ParamHoverProvider(deps);
}
