// Running what the Testing view asked for: one pytest process per test file (read back through its
// JUnit report; a failure located at the test file's line its traceback names), and each notebook
// through Smoke Test Notebook (a failure located at the failing cell), untracked or as a tracked run.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { errorMessage } from '../../shared/errorMessage.ts';
import { DEBUGPY_EXTENSION } from '../commands/debugRunCommands.ts';
import { resolveInterpreter } from '../launch/interpreter.ts';
import { requireTrust } from '../launch/requireTrust.ts';
import { ANSI, findCell, smokeTestNotebook, tracebackLine, type SmokeDeps } from '../pipeline/smokeTest.ts';
import { functionResults, moduleErrors, parseJunitXml, tracebackLineIn, type JunitCase } from './junitReport.ts';
import { runPytest, type PytestOutcome } from './pytestRun.ts';
import type { SmokeItemData, SmokeTestItems } from './smokeTestItems.ts';

export type SmokeRunMode = 'run' | 'tracked' | 'debug';

/** One item's result, as plain data: what the integration tests (and automation) read back. */
export interface SmokeTestOutcome {
  readonly id: string;
  readonly state: 'passed' | 'failed' | 'errored' | 'skipped';
  readonly message?: string;
  /** Where the failure is: the test file's line, or the failing notebook cell (0-based line). */
  readonly location?: { readonly uri: string; readonly line: number };
  /** The tracked run a notebook smoke test was logged as. */
  readonly runId?: string;
}

export interface SmokeRunDeps {
  readonly items: SmokeTestItems;
  readonly smoke: Omit<SmokeDeps, 'output'>;
  readonly log: vscode.LogOutputChannel;
}

const crlf = (text: string) => text.replace(/\r?\n/g, '\r\n');

/** Reports results to a TestRun and keeps them as plain outcomes. */
class Reporter {
  readonly outcomes: SmokeTestOutcome[] = [];
  constructor(readonly run: vscode.TestRun) {}

  passed(item: vscode.TestItem, durationMs?: number): void {
    this.run.passed(item, durationMs);
    this.outcomes.push({ id: item.id, state: 'passed' });
  }

  skipped(item: vscode.TestItem): void {
    this.run.skipped(item);
    this.outcomes.push({ id: item.id, state: 'skipped' });
  }

  problem(item: vscode.TestItem, state: 'failed' | 'errored', text: string, location?: vscode.Location, durationMs?: number, runId?: string): void {
    const message = new vscode.TestMessage(text);
    if (location) message.location = location;
    if (state === 'failed') this.run.failed(item, message, durationMs);
    else this.run.errored(item, message, durationMs);
    this.outcomes.push({
      id: item.id,
      state,
      message: text,
      ...(location ? { location: { uri: location.uri.toString(), line: location.range.start.line } } : {}),
      ...(runId ? { runId } : {}),
    });
  }
}

/** Runs a request's items; resolves with their outcomes once the TestRun has ended. */
export async function runSmokeTests(deps: SmokeRunDeps, controller: vscode.TestController, request: vscode.TestRunRequest, token: vscode.CancellationToken, mode: SmokeRunMode): Promise<SmokeTestOutcome[]> {
  const reporter = new Reporter(controller.createTestRun(request, mode === 'tracked' ? 'Labbook smoke tests (tracked)' : 'Labbook smoke tests', true));
  const abort = new AbortController();
  const cancel = token.onCancellationRequested(() => abort.abort());
  try {
    const { files, notebooks } = queued(deps.items, controller, request);
    for (const item of [...[...files.values()].flat(), ...notebooks]) reporter.run.enqueued(item);
    if (!requireTrust('run smoke tests')) {
      const text = 'Labbook does not run tests in Restricted Mode: running code from an untrusted folder could harm your machine. Trust the workspace to run them.';
      reporter.run.appendOutput(crlf(`${text}\n`));
      for (const item of [...[...files.values()].flat(), ...notebooks]) reporter.problem(item, 'errored', text);
      return reporter.outcomes;
    }
    for (const [fileItem, functions] of files) {
      if (abort.signal.aborted) functions.forEach((f) => reporter.skipped(f));
      else await runPytestFile(deps, reporter, fileItem, functions, abort.signal, mode === 'debug');
    }
    for (const item of notebooks) {
      if (abort.signal.aborted) reporter.skipped(item);
      else await runNotebook(deps, reporter, item, abort.signal, mode === 'tracked');
    }
    return reporter.outcomes;
  } catch (err) {
    deps.log.error('Smoke tests: the run failed', err);
    reporter.run.appendOutput(crlf(`The run failed: ${errorMessage(err)}\n`));
    return reporter.outcomes;
  } finally {
    cancel.dispose();
    reporter.run.end();
  }
}

/** The test functions to run per file item, and the notebooks; excluded items left out. */
function queued(items: SmokeTestItems, controller: vscode.TestController, request: vscode.TestRunRequest) {
  const excluded = new Set((request.exclude ?? []).map((i) => i.id));
  const files = new Map<vscode.TestItem, vscode.TestItem[]>();
  const notebooks: vscode.TestItem[] = [];
  const roots: vscode.TestItem[] = request.include ? [...request.include] : [];
  if (!request.include) controller.items.forEach((item) => roots.push(item));
  for (const item of roots) {
    if (excluded.has(item.id)) continue;
    const data = items.dataOf(item);
    if (data?.kind === 'notebook') notebooks.push(item);
    else if (data?.kind === 'pytestFile') {
      const children: vscode.TestItem[] = [];
      item.children.forEach((child) => {
        if (!excluded.has(child.id)) children.push(child);
      });
      files.set(item, [...new Set([...(files.get(item) ?? []), ...children])]);
    } else if (data?.kind === 'pytestFunction' && item.parent) {
      files.set(item.parent, [...new Set([...(files.get(item.parent) ?? []), item])]);
    }
  }
  return { files, notebooks };
}

async function runPytestFile(deps: SmokeRunDeps, reporter: Reporter, fileItem: vscode.TestItem, functions: vscode.TestItem[], signal: AbortSignal, debug: boolean): Promise<void> {
  const data = deps.items.dataOf(fileItem);
  if (data?.kind !== 'pytestFile' || functions.length === 0) return;
  for (const item of functions) reporter.run.started(item);
  const ids = functions.map((f) => (deps.items.dataOf(f) as Extract<SmokeItemData, { kind: 'pytestFunction' }>).pytestId);
  const python = (await resolveInterpreter(vscode.Uri.file(data.file), deps.log)).path;
  const output = (text: string) => reporter.run.appendOutput(crlf(text), undefined, fileItem);
  const outcome = debug
    ? await debugPytest({ python, cwd: data.packageDir, file: data.file, ids, signal, onOutput: output })
    : await runPytest({ python, cwd: data.packageDir, file: data.file, ids, signal, onOutput: output });
  if (outcome.kind === 'cancelled') {
    functions.forEach((f) => reporter.skipped(f));
    return;
  }
  if (outcome.kind === 'failed') {
    output(`\n${outcome.message}\n`);
    functions.forEach((f) => reporter.problem(f, 'errored', outcome.message));
    return;
  }
  const fileUri = vscode.Uri.file(data.file);
  const base = path.basename(data.file);
  const moduleName = base.replace(/\.py$/, '');
  const results = functionResults(outcome.cases, moduleName);
  const collection = moduleErrors(outcome.cases, moduleName);
  const locate = (failures: readonly JunitCase[], fallback: vscode.TestItem): vscode.Location => {
    const line = failures.map((c) => tracebackLineIn(c.text, base)).find((l) => l !== undefined);
    return new vscode.Location(fileUri, line !== undefined ? new vscode.Position(line - 1, 0) : (fallback.range?.start ?? new vscode.Position(0, 0)));
  };
  const describe = (failures: readonly JunitCase[]) => failures.map((c) => `${c.name}: ${c.message}\n\n${c.text}`.trim()).join('\n\n');
  for (const item of functions) {
    const pytestId = (deps.items.dataOf(item) as Extract<SmokeItemData, { kind: 'pytestFunction' }>).pytestId;
    const result = results.get(pytestId);
    if (result?.outcome === 'passed') reporter.passed(item, result.durationMs);
    else if (result?.outcome === 'skipped') reporter.skipped(item);
    else if (result) reporter.problem(item, result.outcome, describe(result.failures), locate(result.failures, item), result.durationMs);
    else if (collection.length) reporter.problem(item, 'errored', `pytest could not collect ${base}:\n${describe(collection)}`, locate(collection, item));
    else reporter.problem(item, 'errored', `pytest reported no result for ${pytestId} (exit code ${String(outcome.exitCode)}); see the test output.`);
  }
}

async function runNotebook(deps: SmokeRunDeps, reporter: Reporter, item: vscode.TestItem, signal: AbortSignal, tracked: boolean): Promise<void> {
  const data = deps.items.dataOf(item);
  if (data?.kind !== 'notebook') return;
  reporter.run.started(item);
  const output: SmokeDeps['output'] = {
    append: (text) => reporter.run.appendOutput(crlf(text), undefined, item),
    appendLine: (text) => reporter.run.appendOutput(crlf(`${text}\n`), undefined, item),
    show: () => void vscode.commands.executeCommand('testing.showMostRecentOutput'),
  };
  const result = await smokeTestNotebook({ ...deps.smoke, output }, data.file, { tracked, quiet: true, signal });
  if (!result) return reporter.problem(item, 'errored', 'The smoke test did not start.');
  if (result.ok) return reporter.passed(item, result.durationMs);
  if (result.cancelled) return reporter.skipped(item);
  const failed = result.failedCell;
  if (!failed) return reporter.problem(item, 'errored', result.error ?? 'The smoke test could not run.', undefined, result.durationMs, result.runId);
  const where = failed.inInjectedParameters ? 'the injected parameters' : `cell ${failed.index + 1}`;
  const text = [`${failed.ename}: ${failed.evalue} (${where})`, failed.traceback.join('\n').replace(ANSI, '')].filter(Boolean).join('\n\n');
  const cell = failed.inInjectedParameters ? undefined : await findCell(data.file, failed).catch(() => undefined);
  const line = tracebackLine(failed.traceback);
  const location = cell
    ? new vscode.Location(cell.document.uri, new vscode.Position(line !== undefined && line <= cell.document.lineCount ? line - 1 : 0, 0))
    : new vscode.Location(vscode.Uri.file(data.file), new vscode.Position(0, 0));
  reporter.problem(item, 'failed', text, location, result.durationMs, result.runId);
}

/** Debug runs started in this window, for unique session names. */
let debugRuns = 0;

/** pytest under the Python debugger (ms-python.debugpy); the results come from the JUnit report once the session ends. */
async function debugPytest(request: Parameters<typeof runPytest>[0]): Promise<PytestOutcome> {
  if (!vscode.extensions.getExtension(DEBUGPY_EXTENSION)) {
    return { kind: 'failed', message: `Debugging a smoke test needs the Python Debugger extension (${DEBUGPY_EXTENSION}). Install it, then debug the test again; or use Run.` };
  }
  const work = await mkdtemp(path.join(tmpdir(), 'labbook-pytest-debug-'));
  const report = path.join(work, 'report.xml');
  const relative = path.relative(request.cwd, request.file);
  const args = [...request.ids.map((id) => `${relative}::${id}`), '-q', '-p', 'no:cacheprovider', '--rootdir', request.cwd, `--junitxml=${report}`];
  // A name no other session has: the session is told apart by it (a user's own sessions, or another run's).
  const name = `Labbook smoke tests: ${relative} (${(++debugRuns).toString()})`;
  let session: vscode.DebugSession | undefined;
  let endedSub: vscode.Disposable | undefined;
  try {
    const ended = new Promise<void>((resolve) => {
      endedSub = vscode.debug.onDidTerminateDebugSession((s) => {
        if (s === session || (session === undefined && s.name === name)) resolve();
      });
    });
    const started = vscode.debug.onDidStartDebugSession((s) => {
      if (s.name === name) session = s;
    });
    const ok = await vscode.debug.startDebugging(vscode.workspace.getWorkspaceFolder(vscode.Uri.file(request.file)), {
      type: 'debugpy',
      request: 'launch',
      name,
      module: 'pytest',
      args,
      cwd: request.cwd,
      python: request.python,
      console: 'integratedTerminal',
      justMyCode: false,
    });
    started.dispose();
    if (!ok) return { kind: 'failed', message: 'The debug session did not start; see the Debug Console.' };
    // Never stopDebugging(undefined): that stops every session, the user's included.
    const stop = () => {
      if (session) void vscode.debug.stopDebugging(session);
    };
    request.signal?.addEventListener('abort', stop, { once: true });
    await ended;
    request.signal?.removeEventListener('abort', stop);
    if (request.signal?.aborted) return { kind: 'cancelled' };
    try {
      return { kind: 'ran', cases: parseJunitXml(await readFile(report, 'utf8')), exitCode: null };
    } catch {
      return { kind: 'failed', message: 'pytest wrote no report under the debugger (stopped early?); see the Debug Console.' };
    }
  } finally {
    endedSub?.dispose();
    await rm(work, { recursive: true, force: true });
  }
}
