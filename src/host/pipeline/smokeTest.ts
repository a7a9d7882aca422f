// "Smoke Test Notebook": runs the saved notebook top to bottom in a fresh kernel (executeNotebook,
// or a tracked run through the LaunchService), and puts a failing cell's error on that cell as a
// diagnostic, the way a compiler error sits on its line.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { executeNotebook, NotebookExecutionError, type FailedCell } from '../../core/notebook/execute.ts';
import type { JsonValue, Notebook } from '../../core/notebook/notebookModel.ts';
import { parseNotebook } from '../../core/notebook/readNotebook.ts';
import { cellTags } from '../../core/pipeline/steps.ts';
import type { ReadableStore } from '../../core/store/trackingStore.ts';
import { resolveInterpreter } from '../launch/interpreter.ts';
import type { LaunchService } from '../launch/launchService.ts';
import { requireTrust } from '../launch/requireTrust.ts';
import { cellIdOf, openNotebookFor, revealCell, saveIfDirty } from './notebookCells.ts';
import { errorMessage } from '../../shared/errorMessage.ts';
import { formatDuration } from '../../shared/format.ts';

export interface SmokeOptions {
  /** Parameter overrides (else the `labbook.smoke.parameters` setting). */
  readonly parameters?: Record<string, unknown>;
  /** Run it as a tracked run (else the `labbook.smoke.track` setting). */
  readonly tracked?: boolean;
  /** Stops the run (the untracked kernel, or the tracked run through the LaunchService). */
  readonly signal?: AbortSignal;
  /** The caller shows the outcome (the Testing view): no notifications, no progress notification. */
  readonly quiet?: boolean;
}

export interface SmokeResult {
  readonly ok: boolean;
  readonly failedCell?: FailedCell;
  readonly durationMs?: number;
  /** The run could not start or finish (missing nbclient, a corrupt notebook, …). */
  readonly error?: string;
  readonly cancelled?: boolean;
  /** The tracked run, in tracked mode. */
  readonly runId?: string;
}

/** Terminal colour codes IPython puts in tracebacks. */
export const ANSI = new RegExp(`${String.fromCharCode(0x1b)}\\[[0-9;]*[A-Za-z]`, 'g');

/** The 1-based line of the failing cell a traceback points at (IPython ≥ 8 "Cell In[n], line k", else "---> k"). */
export function tracebackLine(traceback: readonly string[]): number | undefined {
  const text = traceback.join('\n').replace(ANSI, '');
  const cellIn = /Cell In\s*\[\d*\],\s*line (\d+)/.exec(text) ?? /^-*>\s*(\d+)\b/m.exec(text);
  const line = cellIn ? Number(cellIn[1]) : NaN;
  return Number.isInteger(line) && line > 0 ? line : undefined;
}

/** The failing cell of an executed notebook: the first with an error output, indices as the user wrote them. */
export function failedCellOf(executed: Notebook): FailedCell | undefined {
  let injectedBefore = 0;
  for (const [i, cell] of executed.cells.entries()) {
    const injected = cellTags(cell).includes('injected-parameters');
    const error = cell.outputs.find((o) => o.outputType === 'error');
    if (error && error.outputType === 'error') {
      const failed: FailedCell = { index: injected ? i : i - injectedBefore, ename: error.ename, evalue: error.evalue, traceback: error.traceback };
      if (cell.id && !injected) failed.cellId = cell.id;
      if (injected) failed.inInjectedParameters = true;
      return failed;
    }
    if (injected) injectedBefore++;
  }
  return undefined;
}

/** `cell 2 failed: NameError: name 'x' is not defined`, as the tracked notebook executor reports it. */
export function failedCellFromError(error: string | undefined): FailedCell | undefined {
  const match = /cell (\d+)( \(the injected parameters\))? failed: ([^:]+): ([\s\S]*)$/.exec(error ?? '');
  if (!match) return undefined;
  const failed: FailedCell = { index: Number(match[1]) - 1, ename: match[3] ?? '', evalue: match[4] ?? '', traceback: [] };
  if (match[2]) failed.inInjectedParameters = true;
  return failed;
}

export interface SmokeDeps {
  readonly log: vscode.LogOutputChannel;
  /** Where the run's output goes (an output channel, or the Testing view's run output). */
  readonly output: Pick<vscode.OutputChannel, 'append' | 'appendLine' | 'show'>;
  readonly diagnostics: vscode.DiagnosticCollection;
  readonly launches?: LaunchService;
  /** Opens a store by its explorer root id (to read a tracked run's executed notebook). */
  readonly stores?: (rootId: string) => Promise<ReadableStore | undefined>;
}

/** Cell document URIs that carry a smoke-test diagnostic, per notebook file. */
const marked = new Map<string, vscode.Uri[]>();

function clearDiagnostics(deps: SmokeDeps, file: string): void {
  for (const uri of marked.get(file) ?? []) deps.diagnostics.delete(uri);
  marked.delete(file);
}

/** The notebook cell the failure is in (matched by id when the index moved), or undefined. */
export async function findCell(file: string, failed: FailedCell): Promise<vscode.NotebookCell | undefined> {
  const doc = openNotebookFor(file) ?? (await vscode.workspace.openNotebookDocument(vscode.Uri.file(file)));
  const byIndex = failed.index >= 0 && failed.index < doc.cellCount ? doc.cellAt(failed.index) : undefined;
  if (!failed.cellId || (byIndex && cellIdOf(byIndex) === failed.cellId)) return byIndex;
  return doc.getCells().find((c) => cellIdOf(c) === failed.cellId) ?? byIndex;
}

async function markFailure(deps: SmokeDeps, file: string, failed: FailedCell): Promise<vscode.NotebookCell | undefined> {
  const cell = await findCell(file, failed).catch((err: unknown) => {
    deps.log.warn(`Smoke test: could not open ${file} to mark the failing cell: ${errorMessage(err)}`);
    return undefined;
  });
  if (!cell) return undefined;
  const text = cell.document;
  const line = tracebackLine(failed.traceback);
  const range =
    line !== undefined && line <= text.lineCount
      ? text.lineAt(line - 1).range
      : new vscode.Range(0, 0, Math.max(0, text.lineCount - 1), text.lineAt(Math.max(0, text.lineCount - 1)).text.length);
  const diagnostic = new vscode.Diagnostic(range, `${failed.ename}: ${failed.evalue}`, vscode.DiagnosticSeverity.Error);
  diagnostic.source = 'Labbook smoke test';
  deps.diagnostics.set(text.uri, [diagnostic]);
  marked.set(file, [text.uri]);
  return cell;
}

function settingParameters(uri: vscode.Uri): Record<string, unknown> {
  const value = vscode.workspace.getConfiguration('labbook.smoke', uri).get<unknown>('parameters', {});
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** Runs the smoke test of one notebook file; undefined when it did not start (Restricted Mode). */
export async function smokeTestNotebook(deps: SmokeDeps, file: string, options: SmokeOptions = {}): Promise<SmokeResult | undefined> {
  if (!requireTrust('run notebooks')) return undefined;
  const uri = vscode.Uri.file(file);
  const name = path.basename(file);
  const config = vscode.workspace.getConfiguration('labbook', uri);
  const parameters = options.parameters ?? settingParameters(uri);
  const tracked = options.tracked ?? config.get<boolean>('smoke.track', false);
  await saveIfDirty(file);
  clearDiagnostics(deps, file);
  const out = deps.output;
  out.appendLine(`━━ Smoke test of ${file}${Object.keys(parameters).length ? ` with ${JSON.stringify(parameters)}` : ''} (${new Date().toISOString()})`);

  let result: SmokeResult;
  if (tracked && deps.launches) result = await trackedSmoke(deps, deps.launches, file, parameters, options.signal);
  else {
    if (tracked) deps.log.warn('Smoke test: tracked runs are not available here; running it untracked.');
    result = await untrackedSmoke(deps, file, parameters, config.get<number>('notebook.cellTimeoutSeconds', 600), options);
  }
  const notify = !options.quiet;

  if (result.ok) {
    const took = formatDuration(result.durationMs ?? 0) ?? '0 ms';
    out.appendLine(`ok: every cell ran (${took})`);
    if (notify) void vscode.window.showInformationMessage(`Smoke test passed: ${name} ran top to bottom in ${took}.`);
  } else if (result.failedCell) {
    const failed = result.failedCell;
    const where = failed.inInjectedParameters ? 'the injected parameters' : `cell ${failed.index + 1}`;
    out.appendLine(`FAILED at ${where}: ${failed.ename}: ${failed.evalue}`);
    if (failed.traceback.length) out.appendLine(failed.traceback.join('\n').replace(ANSI, ''));
    const cell = failed.inInjectedParameters ? undefined : await markFailure(deps, file, failed);
    if (!notify) return result;
    const show = 'Show Cell';
    const output = 'Show Output';
    void vscode.window
      .showErrorMessage(`Smoke test failed at ${where}: ${failed.ename}: ${failed.evalue}`, ...(cell ? [show] : []), output)
      .then(async (choice) => {
        if (choice === show && cell) await revealCell(file, cell.index, tracebackLine(failed.traceback));
        else if (choice === output) out.show(true);
      });
  } else if (result.cancelled) {
    out.appendLine('cancelled');
    if (notify) void vscode.window.showInformationMessage(`Smoke test of ${name} cancelled.`);
  } else {
    out.appendLine(`error: ${result.error ?? 'unknown'}`);
    if (notify) {
      void vscode.window.showErrorMessage(`Smoke test of ${name} could not run: ${result.error ?? 'unknown error'}`, 'Show Output').then((choice) => {
        if (choice) out.show(true);
      });
    }
  }
  return result;
}

async function untrackedSmoke(deps: SmokeDeps, file: string, parameters: Record<string, unknown>, timeout: number, options: SmokeOptions): Promise<SmokeResult> {
  const interpreter = await resolveInterpreter(vscode.Uri.file(file), deps.log);
  deps.output.appendLine(`python: ${interpreter.path} (${interpreter.source}); ${timeout} s per cell`);
  const run = (signal: AbortSignal | undefined) => runUntracked(deps, file, parameters, timeout, interpreter.path, signal);
  if (options.quiet) return run(options.signal);
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Labbook: smoke testing ${path.basename(file)}`, cancellable: true },
    async (_progress, token) => {
      const abort = new AbortController();
      const cancel = token.onCancellationRequested(() => abort.abort());
      try {
        return await run(options.signal ? AbortSignal.any([abort.signal, options.signal]) : abort.signal);
      } finally {
        cancel.dispose();
      }
    },
  );
}

async function runUntracked(deps: SmokeDeps, file: string, parameters: Record<string, unknown>, timeout: number, python: string, signal: AbortSignal | undefined): Promise<SmokeResult> {
  try {
    const run = await executeNotebook({
      python,
      notebookPath: file,
      parameters: parameters as Record<string, JsonValue>,
      cellTimeoutSeconds: timeout > 0 ? timeout : 600,
      ...(signal ? { signal } : {}),
      onOutput: (text) => deps.output.append(text),
    });
    deps.output.appendLine(`executed notebook: ${run.executedPath}`);
    return run.failedCell ? { ok: run.ok, failedCell: run.failedCell, durationMs: run.durationMs } : { ok: run.ok, durationMs: run.durationMs };
  } catch (err) {
    if (err instanceof NotebookExecutionError && err.code === 'cancelled') return { ok: false, cancelled: true };
    deps.log.error(`Smoke test of ${file} could not run`, err);
    return { ok: false, error: errorMessage(err) };
  }
}

/** The same run as a tracked run: its progress, terminal and notifications are the LaunchService's. */
async function trackedSmoke(deps: SmokeDeps, launches: LaunchService, file: string, parameters: Record<string, unknown>, signal?: AbortSignal): Promise<SmokeResult> {
  let launched;
  try {
    launched = await launches.launch({ file, parameters });
  } catch (err) {
    return { ok: false, error: errorMessage(err) };
  }
  if (!launched) return { ok: false, error: 'The tracked run did not start.' };
  deps.output.appendLine(`tracked run ${launched.runId} in ${launched.storeRootId}`);
  const stop = () => void launches.stop(launched.runId);
  if (signal?.aborted) stop();
  else signal?.addEventListener('abort', stop, { once: true });
  const outcome = await launched.done.finally(() => signal?.removeEventListener('abort', stop));
  if (outcome.status === 'FINISHED') return { ok: true, durationMs: outcome.durationMs, runId: launched.runId };
  if (outcome.status === 'KILLED') return { ok: false, cancelled: true, runId: launched.runId };
  // The executed notebook (with its error output) is the run's artifact; the outcome's message is the fallback.
  let failedCell = failedCellFromError(outcome.error);
  const store = await deps.stores?.(launched.storeRootId).catch(() => undefined);
  if (store) {
    try {
      const bytes = await store.readArtifact(launched.runId, `labbook/notebook/${path.basename(file)}`);
      failedCell = failedCellOf(parseNotebook(new TextDecoder().decode(bytes), path.basename(file))) ?? failedCell;
    } catch (err) {
      deps.log.warn(`Smoke test: could not read the executed notebook of run ${launched.runId}: ${errorMessage(err)}`);
    }
  }
  return failedCell
    ? { ok: false, failedCell, durationMs: outcome.durationMs, runId: launched.runId }
    : { ok: false, error: outcome.error ?? `the run ended ${outcome.status}`, durationMs: outcome.durationMs, runId: launched.runId };
}
