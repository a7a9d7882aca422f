// The data checks in the editor: runs `.labbook/checks.yaml` (on save, on Run Data Checks, before a
// tracked launch), marks each failure on its rule in the checks file, writes the results to the
// Labbook output channel and sums them up in the status bar. Reading data runs no workspace code,
// so all of it works in Restricted Mode (the launches it guards are refused there anyway).
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CHECKS_FILE, checkWithFile, formatCheckRun, summarize, type CheckEngine, type CheckRun, type CheckSelection, type SourceRange } from '../../core/checks/index.ts';
import { errorMessage } from '../../shared/errorMessage.ts';

export type BeforeLaunchMode = 'block' | 'warn' | 'off';

/** What a run of the checks is for: shown in the output channel. */
export interface CheckRequest {
  readonly folder: vscode.WorkspaceFolder;
  readonly selection: CheckSelection;
  readonly reason: string;
}

/** A launch the checks stand before: what it runs and the data it reads. */
export interface GuardedLaunch {
  readonly what: string;
  readonly file: string;
  /** The folder the run starts in: its data paths are relative to it (the workspace folder when absent). */
  readonly cwd?: string | undefined;
  readonly dataPaths: readonly string[];
  /** Launches it anyway (the notification's Launch Anyway). */
  readonly launchAnyway: () => unknown;
}

const toRange = (r: SourceRange) => new vscode.Range(r.startLine, r.startCharacter, r.endLine, r.endCharacter);

export class CheckService implements vscode.Disposable {
  readonly diagnostics = vscode.languages.createDiagnosticCollection('labbook.checks');
  private readonly status = vscode.window.createStatusBarItem('labbook.dataChecks', vscode.StatusBarAlignment.Left, 49);
  private readonly log: vscode.LogOutputChannel;
  private readonly engine: CheckEngine;
  private readonly finished = new vscode.EventEmitter<{ file: vscode.Uri; run: CheckRun }>();
  /** Fires after each run of the checks whose results are shown (tests, and anything that shows results). */
  readonly onDidRun = this.finished.event;
  /** Runs are numbered per checks file: a run that ends after a later one started shows nothing (its results are stale). */
  private started = 0;
  private readonly latest = new Map<string, number>();

  constructor(log: vscode.LogOutputChannel, engine: CheckEngine) {
    this.log = log;
    this.engine = engine;
    this.status.name = 'Labbook Data Checks';
    this.status.command = 'workbench.actions.view.problems';
  }

  /** The checks file of a folder, when there is one. */
  static checksFile(folder: vscode.WorkspaceFolder): vscode.Uri | undefined {
    const file = path.join(folder.uri.fsPath, CHECKS_FILE);
    return existsSync(file) ? vscode.Uri.file(file) : undefined;
  }

  /** The folder of a file (or the first folder); undefined when no folder is open. */
  static folderOf(file?: vscode.Uri): vscode.WorkspaceFolder | undefined {
    return (file ? vscode.workspace.getWorkspaceFolder(file) : undefined) ?? vscode.workspace.workspaceFolders?.[0];
  }

  /** Runs the checks and shows the results; undefined when the folder has no checks file. Never throws. */
  async run(request: CheckRequest): Promise<CheckRun | undefined> {
    const file = CheckService.checksFile(request.folder);
    if (!file) return undefined;
    const root = request.folder.uri.fsPath;
    const ticket = ++this.started;
    this.latest.set(file.fsPath, ticket);
    this.status.text = '$(loading~spin) Data checks';
    this.status.tooltip = 'Labbook is checking the data';
    this.status.show();
    let run: CheckRun;
    try {
      run = await checkWithFile(file.fsPath, this.engine, root, request.selection);
    } catch (err) {
      // The evaluator reports bad data as results; this is a fault of our own: say it, on the file.
      this.log.error('The data checks failed to run', err);
      run = { results: [{ rule: 'schema', status: 'error', message: `the data checks failed to run: ${errorMessage(err)}`, range: { startLine: 0, startCharacter: 0, endLine: 0, endCharacter: 1 } }], notes: [], files: [] };
    }
    // The caller still gets its own results (a launch decides on them); the editor keeps the newest.
    if (this.latest.get(file.fsPath) !== ticket) {
      this.log.info(`Data checks (${request.reason}): results dropped, a later run of the checks has started`);
      return run;
    }
    this.show(file, run, request.reason);
    this.finished.fire({ file, run });
    return run;
  }

  private show(file: vscode.Uri, run: CheckRun, reason: string): void {
    const problems = run.results.filter((r) => r.status !== 'pass');
    this.diagnostics.set(
      file,
      problems.map((r) => {
        const d = new vscode.Diagnostic(toRange(r.range), r.file && r.file !== r.dataset ? `${r.message} (${r.file})` : r.message, r.status === 'fail' || r.rule === 'schema' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
        d.source = 'Labbook data checks';
        d.code = r.rule;
        return d;
      }),
    );
    this.log.info(`Data checks (${reason}):\n${formatCheckRun(run, CHECKS_FILE).trimEnd()}`);
    const s = summarize(run.results);
    const bad = s.failed + s.errors;
    this.status.text = bad === 0 ? `$(pass) Data checks: ${s.passed} passed` : `$(error) Data checks: ${s.failed} failed${s.errors ? `, ${s.errors} not run` : ''}`;
    this.status.tooltip = bad === 0 ? 'Every data check passed. Click to show the Problems view.' : 'Some data checks did not pass: click to show them in the Problems view.';
    this.status.show();
  }

  /**
   * Runs the checks before a launch, as `labbook.checks.beforeLaunch` says. True: go ahead.
   * False: blocked; the notification (not awaited, so the launch command returns) offers Show
   * Problems and Launch Anyway.
   */
  async allowLaunch(launch: GuardedLaunch): Promise<boolean> {
    const uri = vscode.Uri.file(launch.file);
    const folder = CheckService.folderOf(uri);
    if (!folder || !CheckService.checksFile(folder)) return true;
    const mode = vscode.workspace.getConfiguration('labbook.checks', uri).get<BeforeLaunchMode>('beforeLaunch', 'block');
    if (mode === 'off') return true;
    const dataPaths = launch.dataPaths.map((p) => path.resolve(launch.cwd ?? folder.uri.fsPath, p));
    const run = await this.run({ folder, selection: { mode: 'launch', dataPaths }, reason: `before launching ${path.basename(launch.file)}` });
    if (!run) return true;
    const problems = run.results.filter((r) => r.status !== 'pass');
    if (problems.length === 0) return true;
    const s = summarize(run.results);
    const first = problems.slice(0, 2).map((r) => r.message).join('; ') + (problems.length > 2 ? '; …' : '');
    const counted = [s.failed ? `${s.failed} data check${s.failed === 1 ? '' : 's'} failed` : '', s.errors ? `${s.errors} could not run` : ''].filter(Boolean).join(', ');
    const showProblems = () => vscode.commands.executeCommand('workbench.actions.view.problems');
    if (mode === 'warn') {
      this.log.warn(`Launching ${launch.file} although ${counted} (labbook.checks.beforeLaunch is "warn")`);
      void vscode.window.showWarningMessage(`Labbook: ${counted} (${first}). Launching ${launch.what} anyway.`, 'Show Problems').then((c) => (c ? showProblems() : undefined));
      return true;
    }
    this.log.warn(`Did not launch ${launch.file}: ${counted} (labbook.checks.beforeLaunch is "block")`);
    void vscode.window.showErrorMessage(`Labbook did not launch ${launch.what}: ${counted} (${first}).`, 'Show Problems', 'Launch Anyway').then((choice) => {
      if (choice === 'Show Problems') return showProblems();
      if (choice === 'Launch Anyway') return Promise.resolve(launch.launchAnyway()).catch((err: unknown) => this.log.error(`Launch Anyway of ${launch.file} failed`, err));
      return undefined;
    });
    return false;
  }

  dispose(): void {
    this.diagnostics.dispose();
    this.status.dispose();
    this.finished.dispose();
  }
}
