import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ReadableStore } from '../../core/store/trackingStore.ts';
import { isPipelineState, PIPELINE_VIEW_TYPE } from '../../protocol/pipeline.ts';
import type { LaunchService } from '../launch/launchService.ts';
import type { CheckService } from '../checks/checkService.ts';
import { PipelinePanel, type PipelinePanelDeps } from '../panels/pipelinePanel.ts';
import { smokeTestNotebook, type SmokeOptions, type SmokeResult } from '../pipeline/smokeTest.ts';
import { errorMessage } from '../../shared/errorMessage.ts';
import { pickWorkspaceFile } from './workspaceFiles.ts';

export interface PipelineCommandDeps {
  readonly extensionUri: vscode.Uri;
  readonly extensionPath: string;
  readonly log: vscode.LogOutputChannel;
  /** Tracked smoke tests go through it; without it they run untracked. */
  readonly launches?: LaunchService;
  /** Opens a store by explorer root id, to read a tracked smoke run's executed notebook (optional). */
  readonly stores?: (rootId: string) => Promise<ReadableStore | undefined>;
  /** The smoke tests' diagnostics, shared with the Testing view's notebook runs (the caller disposes it). */
  readonly diagnostics: vscode.DiagnosticCollection;
  /** The data checks, run before an untracked smoke test (a tracked one is checked as a launch). */
  readonly checks?: CheckService;
}

/** The notebook a command acts on: its argument (explorer, editor title, notebook toolbar), else the active one. */
function targetNotebook(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  // The notebook toolbar passes { notebookEditor: { notebookUri } }; some menus pass { uri }.
  const record = arg as { notebookEditor?: { notebookUri?: unknown }; uri?: unknown; resourceUri?: unknown } | undefined;
  for (const candidate of [record?.notebookEditor?.notebookUri, record?.uri, record?.resourceUri]) {
    if (candidate instanceof vscode.Uri) return candidate;
  }
  return vscode.window.activeNotebookEditor?.notebook.uri ?? vscode.window.activeTextEditor?.document.uri;
}

async function requireNotebook(arg: unknown, what: string): Promise<string | undefined> {
  // From the palette or a walkthrough button no notebook may be active: offer the workspace's.
  const uri = targetNotebook(arg) ?? (await pickWorkspaceFile('.ipynb', what === 'exports' ? 'Export Notebook to Pipeline' : 'Smoke Test Notebook'));
  if (!uri || uri.scheme !== 'file' || !uri.fsPath.toLowerCase().endsWith('.ipynb')) {
    void vscode.window.showErrorMessage(`Labbook ${what} Jupyter notebooks (.ipynb files on disk): open or select one first.`);
    return undefined;
  }
  return uri.fsPath;
}

/** Export Notebook to Pipeline (the preview panel) and Smoke Test Notebook; and the panel's serializer. */
export function registerPipelineCommands(deps: PipelineCommandDeps): vscode.Disposable[] {
  const dist = path.join(deps.extensionPath, 'dist');
  const panelDeps: PipelinePanelDeps = {
    extensionUri: deps.extensionUri,
    log: deps.log,
    wasmPaths: { treeSitterWasm: path.join(dist, 'web-tree-sitter.wasm'), pythonWasm: path.join(dist, 'tree-sitter-python.wasm') },
  };
  const output = vscode.window.createOutputChannel('Labbook Smoke Test');
  const diagnostics = deps.diagnostics;
  const smokeDeps = { log: deps.log, output, diagnostics, ...(deps.launches ? { launches: deps.launches } : {}), ...(deps.stores ? { stores: deps.stores } : {}) };
  return [
    output,
    vscode.window.registerWebviewPanelSerializer(PIPELINE_VIEW_TYPE, {
      deserializeWebviewPanel: (panel, state: unknown) => {
        if (isPipelineState(state)) PipelinePanel.revive(panel, state.notebookPath, state.outDir, panelDeps);
        else panel.dispose();
        return Promise.resolve();
      },
    }),
    { dispose: () => PipelinePanel.disposeAll() },
    vscode.commands.registerCommand('labbook.exportNotebookToPipeline', async (arg?: unknown, options?: { outDir?: string }) => {
      const file = await requireNotebook(arg, 'exports');
      if (!file) return undefined;
      return PipelinePanel.show(file, typeof options?.outDir === 'string' ? options.outDir : undefined, panelDeps);
    }),
    vscode.commands.registerCommand('labbook.smokeTestNotebook', async (arg?: unknown, options?: SmokeOptions): Promise<SmokeResult | undefined> => {
      const file = await requireNotebook(arg, 'smoke-tests');
      if (!file) return undefined;
      const tracked = options?.tracked ?? vscode.workspace.getConfiguration('labbook', vscode.Uri.file(file)).get<boolean>('smoke.track', false);
      if (deps.checks && !(tracked && deps.launches) && vscode.workspace.isTrusted) {
        const dataPaths = vscode.workspace.getConfiguration('labbook', vscode.Uri.file(file)).get<string[]>('dataPaths', []);
        const relaunch = () => smokeTestNotebook(smokeDeps, file, options ?? {});
        if (!(await deps.checks.allowLaunch({ what: `the smoke test of ${path.basename(file)}`, file, dataPaths, launchAnyway: relaunch }))) return { ok: false, error: 'blocked by failed data checks' };
      }
      try {
        return await smokeTestNotebook(smokeDeps, file, options ?? {});
      } catch (err) {
        deps.log.error(`Smoke test of ${file} failed to run`, err);
        void vscode.window.showErrorMessage(`Smoke test of ${path.basename(file)} failed to run: ${errorMessage(err)}`);
        return { ok: false, error: errorMessage(err) };
      }
    }),
  ];
}
