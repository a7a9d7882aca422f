import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Notebook } from '../../core/notebook/notebookModel.ts';
import { readNotebookFile } from '../../core/notebook/readNotebook.ts';
import { planExport, writeExport, type ExportPlan } from '../../core/pipeline/planExport.ts';
import type { PythonWasmPaths } from '../../core/pipeline/pythonParser.ts';
import { cellTags } from '../../core/pipeline/steps.ts';
import {
  PIPELINE_VIEW_TYPE,
  pipelineRequests,
  type PipelineEvent,
  type PipelinePlanView,
  type PipelineRequests,
  type WriteSummary,
} from '../../protocol/pipeline.ts';
import { BadParamsError, type RequestHandlers } from '../../protocol/requests.ts';
import { applyCellTags, revealCell, saveIfDirty } from '../pipeline/notebookCells.ts';
import { toPlanView } from '../pipeline/planView.ts';
import { planTagEdits, stepNameProblem, type StepEdit } from '../pipeline/stepTags.ts';
import { WebviewPanelHost, type PanelSpec } from './webviewPanelHost.ts';

const SPEC: PanelSpec<PipelineRequests> = {
  viewType: PIPELINE_VIEW_TYPE,
  title: 'Pipeline Export',
  app: 'pipeline',
  requests: pipelineRequests,
  styles: ['pipeline.css'],
};

/** After a save, wait this long for more before asking the page to re-plan. */
const REFRESH_DEBOUNCE_MS = 300;

export interface PipelinePanelDeps {
  readonly extensionUri: vscode.Uri;
  readonly log: vscode.LogOutputChannel;
  /** The Python parser's .wasm files (beside dist/extension.js). */
  readonly wasmPaths: PythonWasmPaths;
}

/** The folder relative paths are taken from: the notebook's workspace folder, else the notebook's own. */
function baseFolder(notebookPath: string): string {
  return vscode.workspace.getWorkspaceFolder(vscode.Uri.file(notebookPath))?.uri.fsPath ?? path.dirname(notebookPath);
}

export function defaultOutDir(notebookPath: string): string {
  return path.posix.join('pipelines', path.basename(notebookPath).replace(/\.ipynb$/i, '') || 'notebook');
}

/** The output folder field → the folder as shown and as an absolute path. */
export function resolveOutDir(notebookPath: string, field: string): { outDir: string; outDirAbsolute: string } {
  const outDir = field.trim() || defaultOutDir(notebookPath);
  return { outDir, outDirAbsolute: path.resolve(baseFolder(notebookPath), outDir) };
}

/** How an absolute folder is shown in the field: relative to the workspace folder when inside it. */
function fieldFor(notebookPath: string, absolute: string): string {
  const relative = path.relative(baseFolder(notebookPath), absolute);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative.split(path.sep).join('/') : absolute;
}

/**
 * The export preview of one notebook: steps as a DAG, warnings, files and their actions; writes the
 * package and edits steps by retagging cells. The plan is computed here; the page renders it.
 */
export class PipelinePanel extends WebviewPanelHost<PipelineRequests, PipelineEvent> {
  private static readonly open = new Map<string, PipelinePanel>();
  readonly notebookPath: string;
  private readonly deps: PipelinePanelDeps;
  /** The folder the command asked for, used until the page sends its own field. */
  private initialOutDir: string;
  private refreshTimer: NodeJS.Timeout | undefined;

  protected readonly handlers: RequestHandlers<PipelineRequests> = {
    getPlan: async ({ outDir }) => this.plan(outDir),
    writePackage: async ({ outDir, force }) => this.write(outDir, force),
    chooseFolder: async ({ outDir }) => {
      const { outDirAbsolute } = resolveOutDir(this.notebookPath, outDir);
      const picked = await vscode.window.showOpenDialog({
        title: 'Pipeline Package Folder',
        openLabel: 'Use Folder',
        canSelectFiles: false,
        canSelectFolders: true,
        canSelectMany: false,
        defaultUri: vscode.Uri.file(path.dirname(outDirAbsolute)),
      });
      const folder = picked?.[0];
      return folder ? { outDir: fieldFor(this.notebookPath, folder.fsPath) } : null;
    },
    revealCell: async ({ cellIndex, line }) => {
      await revealCell(this.notebookPath, cellIndex, line);
      return null;
    },
    renameStep: async ({ outDir, step, name }) =>
      this.editSteps(outDir, async (plan) => {
        const chosen = name ?? (await this.askName(plan, `Rename Step '${step}'`, step, step));
        return chosen === undefined ? undefined : { kind: 'rename', step, name: chosen };
      }),
    mergeStep: async ({ outDir, step }) => {
      const plan = await this.editSteps(outDir, () => Promise.resolve({ kind: 'merge', step }));
      if (!plan) throw new Error('The merge changed nothing.');
      return plan;
    },
    splitAt: async ({ outDir, cellIndex: cell, name }) =>
      this.editSteps(outDir, async (plan) => {
        const chosen = name ?? (await this.askName(plan, `New Step from Cell ${cell + 1}`, `step_${plan.steps.length + 1}`));
        return chosen === undefined ? undefined : { kind: 'split', cell, name: chosen };
      }),
    openFile: async ({ outDir, path: relative }) => {
      const { outDirAbsolute } = resolveOutDir(this.notebookPath, outDir);
      const target = path.resolve(outDirAbsolute, relative);
      if (!target.startsWith(outDirAbsolute + path.sep)) throw new BadParamsError(`${relative} is not inside the package folder`);
      await vscode.window.showTextDocument(vscode.Uri.file(target), { preview: true, viewColumn: vscode.ViewColumn.One });
      return null;
    },
    revealFolder: async ({ outDir }) => {
      const { outDirAbsolute } = resolveOutDir(this.notebookPath, outDir);
      await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(outDirAbsolute));
      return null;
    },
  };

  private constructor(panel: vscode.WebviewPanel, notebookPath: string, outDir: string | undefined, deps: PipelinePanelDeps) {
    super(panel, SPEC, deps.extensionUri, deps.log);
    this.notebookPath = notebookPath;
    this.deps = deps;
    this.initialOutDir = outDir ?? '';
    panel.title = `Pipeline: ${path.basename(notebookPath)}`;
    PipelinePanel.open.set(notebookPath, this);
    const changed = () => this.scheduleRefresh();
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(path.dirname(notebookPath)), path.basename(notebookPath)));
    const subscriptions = [
      watcher,
      watcher.onDidChange(changed),
      watcher.onDidCreate(changed),
      vscode.workspace.onDidSaveNotebookDocument((doc) => {
        if (doc.uri.scheme === 'file' && doc.uri.fsPath === notebookPath) changed();
      }),
    ];
    this.onDidDispose(() => {
      if (PipelinePanel.open.get(notebookPath) === this) PipelinePanel.open.delete(notebookPath);
      if (this.refreshTimer) clearTimeout(this.refreshTimer);
      for (const s of subscriptions) s.dispose();
    });
  }

  /** Reveals the panel of this notebook, or opens one. */
  static show(notebookPath: string, outDir: string | undefined, deps: PipelinePanelDeps): PipelinePanel {
    const existing = PipelinePanel.open.get(notebookPath);
    if (existing) {
      existing.panel.reveal();
      if (outDir !== undefined) {
        existing.initialOutDir = outDir;
        void existing.post({ type: 'useOutDir', outDir });
      }
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(SPEC.viewType, SPEC.title, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false }, WebviewPanelHost.webviewOptions(deps.extensionUri));
    return new PipelinePanel(panel, notebookPath, outDir, deps);
  }

  /** Adopts a panel VS Code restored after a reload; the notebook and folder come from the page's state. */
  static revive(panel: vscode.WebviewPanel, notebookPath: string, outDir: string, deps: PipelinePanelDeps): PipelinePanel {
    return new PipelinePanel(panel, notebookPath, outDir, deps);
  }

  static get(notebookPath: string): PipelinePanel | undefined {
    return PipelinePanel.open.get(notebookPath);
  }

  static disposeAll(): void {
    for (const panel of [...PipelinePanel.open.values()]) panel.dispose();
  }

  private scheduleRefresh(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      void this.post({ type: 'notebookChanged' });
    }, REFRESH_DEBOUNCE_MS);
  }

  private async compute(field: string, compare: boolean): Promise<{ notebook: Notebook; plan: ExportPlan; outDir: string; outDirAbsolute: string }> {
    const where = resolveOutDir(this.notebookPath, field || this.initialOutDir);
    const notebook = await readNotebookFile(this.notebookPath);
    const plan = await planExport(notebook, {
      notebookName: path.basename(this.notebookPath),
      notebookPath: this.notebookPath,
      wasmPaths: this.deps.wasmPaths,
      ...(compare ? { outDir: where.outDirAbsolute } : {}),
    });
    return { notebook, plan, ...where };
  }

  /** The plan against the folder `field` names (empty: the command's folder, else the default). */
  async plan(field: string): Promise<PipelinePlanView> {
    const { notebook, plan, outDir, outDirAbsolute } = await this.compute(field, true);
    return toPlanView(plan, notebook, { notebookPath: this.notebookPath, outDir, outDirAbsolute });
  }

  /** Writes the package (a fresh plan, so the file actions are current) and says what happened. */
  async write(field: string, force: boolean): Promise<WriteSummary> {
    const { plan, outDir, outDirAbsolute } = await this.compute(field, true);
    const result = await writeExport(plan, outDirAbsolute, { force });
    this.log.info(`Pipeline export of ${this.notebookPath} → ${outDirAbsolute}: ${result.written.length} written, ${result.unchanged.length} unchanged, ${result.kept.length} kept, ${result.removed.length} removed`);
    const parts = [`${result.written.length} file(s) written`, `${result.unchanged.length} unchanged`];
    if (result.removed.length) parts.push(`${result.removed.length} removed`);
    if (result.kept.length) parts.push(`${result.kept.length} edited file(s) kept: ${result.kept.join(', ')}`);
    const readme = 'Open README';
    const reveal = 'Reveal in Explorer';
    void vscode.window.showInformationMessage(`Pipeline package ${outDir}: ${parts.join(', ')}.`, readme, reveal).then(async (choice) => {
      if (choice === readme) await vscode.window.showTextDocument(vscode.Uri.file(path.join(outDirAbsolute, 'README.md')), { viewColumn: vscode.ViewColumn.One });
      else if (choice === reveal) await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(outDirAbsolute));
    });
    return { outDir, outDirAbsolute, ...result };
  }

  private async askName(plan: ExportPlan, title: string, value: string, except?: string): Promise<string | undefined> {
    const name = await vscode.window.showInputBox({
      title,
      value,
      prompt: 'The step name (a Python identifier); Labbook tags the cell step:<name>.',
      validateInput: (text) => stepNameProblem(text.trim(), plan.steps, except),
    });
    return name?.trim() || undefined;
  }

  /** Re-plans from the saved notebook, asks `choose` for the edit, retags the cells, returns the new plan. */
  private async editSteps(field: string, choose: (plan: ExportPlan) => Promise<StepEdit | undefined>): Promise<PipelinePlanView | null> {
    await saveIfDirty(this.notebookPath);
    const { notebook, plan } = await this.compute(field, false);
    const edit = await choose(plan);
    if (!edit) return null;
    const changes = planTagEdits(notebook.cells.map((c) => cellTags(c)), plan.mode, plan.steps, edit);
    await applyCellTags(this.notebookPath, changes, notebook.cells.length);
    this.log.info(`Pipeline steps of ${this.notebookPath}: ${edit.kind} retagged ${changes.size} cell(s)`);
    return this.plan(field);
  }
}
