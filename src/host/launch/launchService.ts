import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  launchTrackedRun,
  nbclientExecutor,
  recoverInterruptedRuns,
  type OutputChunk,
  type Program,
  type RunOutcome,
  type TrackedRun,
} from '../../core/launch/index.ts';
import type { LaunchedItem, QueueItem } from '../../core/queue/types.ts';
import type { QueuedTrackingStore } from '../../core/store/outbox/queuedStore.ts';
import type { TrackingStore } from '../../core/store/trackingStore.ts';
import type { LocalStore } from '../stores/localStore.ts';
import type { RemoteOutboxes } from '../stores/remoteOutboxes.ts';
import type { RemoteServers } from '../stores/remoteServers.ts';
import type { StoreChanges } from '../stores/storeChanges.ts';
import { LOCAL_ROOT_ID, remoteRootId, remoteUrlOf } from '../stores/storeRoot.ts';
import { resolveExperimentName } from './experimentName.ts';
import { resolveInterpreter } from './interpreter.ts';
import { requireTrust } from './requireTrust.ts';
import type { TrackingEndpoint } from './trackingEndpoint.ts';
import { errorMessage } from '../../shared/errorMessage.ts';
import { formatDuration } from '../../shared/format.ts';

/** What to launch: a file with its arguments or notebook parameters, and how. */
export interface LaunchRequest {
  readonly file: string;
  readonly args?: readonly string[];
  readonly parameters?: Readonly<Record<string, unknown>>;
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly dataPaths?: readonly string[];
  readonly experimentName?: string;
  readonly runName?: string;
  /** The run this one reproduces. */
  readonly reproduces?: string;
  /** Force an interpreter (Reproduce uses the recorded one when it still exists). */
  readonly python?: string;
  /** More tags on the run (a recipe's name, a retraining run's link to the data change). */
  readonly tags?: Readonly<Record<string, string>>;
  /** Skip the data checks (Launch Anyway after they blocked this launch). */
  readonly skipChecks?: boolean;
}

/** Asked before every tracked launch (the data checks): false stops it, having told the user why. */
export type LaunchGuard = (request: LaunchRequest, dataPaths: readonly string[], relaunch: () => Promise<unknown>) => Promise<boolean>;

export interface ActiveRun {
  readonly runId: string;
  readonly name: string;
  readonly file: string;
  readonly storeRootId: string;
  readonly tracked: TrackedRun;
  readonly startedAt: number;
  /** The queue item it runs (src/host/queue/): no terminal, no notification of its own. */
  readonly queueItemId?: number;
}

export interface LaunchedRun {
  readonly runId: string;
  readonly storeRootId: string;
  readonly done: Promise<RunOutcome>;
  /** When every capture (git, environment, data) is attached: possibly after `done`. */
  readonly captured: Promise<unknown>;
}

/** A run as it starts, for services that add to it (the Feast inputs): its file (absolute) and store too. */
export interface StartedRun extends Omit<LaunchedRun, 'captured'> {
  readonly file: string;
  readonly store: TrackingStore | QueuedTrackingStore;
}

const toTerminal = (text: string) => text.replace(/\r?\n/g, '\r\n');

/**
 * Launches tracked runs from the editor and keeps them company while they run: a terminal with
 * the live output, a progress notification with Cancel, a status-bar item, Stop; and at the next
 * start, finds runs a closed window left RUNNING and marks them.
 */
export class LaunchService implements vscode.Disposable {
  private readonly active = new Map<string, ActiveRun>();
  private readonly statusItem: vscode.StatusBarItem;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when a run starts or ends (for the status bar, the tree, tests). */
  readonly onDidChangeActiveRuns = this.changed.event;
  private readonly startedRun = new vscode.EventEmitter<StartedRun>();
  /** Fires once per run this window launched (queued or not), as its process starts. */
  readonly onDidStartRun = this.startedRun.event;
  /** This window's id on the runs it launches (recovery leaves a live owner's runs alone). */
  readonly owner: string;
  private readonly spoolDir: string;
  /** Kept across launches and windows: each interpreter's pip freeze (see core/launch/freezeCache.ts). */
  private readonly cacheDir: string;
  private readonly log: vscode.LogOutputChannel;
  private readonly local: LocalStore;
  private readonly endpoint: TrackingEndpoint;
  private readonly remotes: RemoteServers;
  private readonly outboxes: RemoteOutboxes;
  /** Told when a run starts, ends or is recovered: its store changed. */
  private readonly changes: StoreChanges;
  /** The data checks, set by the container after both exist. */
  guard: LaunchGuard | undefined;

  constructor(
    context: vscode.ExtensionContext,
    log: vscode.LogOutputChannel,
    local: LocalStore,
    endpoint: TrackingEndpoint,
    remotes: RemoteServers,
    outboxes: RemoteOutboxes,
    changes: StoreChanges,
  ) {
    this.outboxes = outboxes;
    this.log = log;
    this.local = local;
    this.endpoint = endpoint;
    this.remotes = remotes;
    this.changes = changes;
    this.owner = `${vscode.env.sessionId}:${process.pid}`;
    this.spoolDir = path.join(context.globalStorageUri.fsPath, 'runs');
    this.cacheDir = path.join(context.globalStorageUri.fsPath, 'cache');
    this.statusItem = vscode.window.createStatusBarItem('labbook.activeRuns', vscode.StatusBarAlignment.Left, 50);
    this.statusItem.name = 'Labbook Runs';
    this.statusItem.command = 'labbook.showActiveRuns';
    this.updateStatus();
  }

  runs(): ActiveRun[] {
    return [...this.active.values()];
  }

  get(runId: string): ActiveRun | undefined {
    return this.active.get(runId);
  }

  private updateStatus(): void {
    const count = this.active.size;
    if (count === 0) {
      this.statusItem.hide();
      return;
    }
    this.statusItem.text = `$(sync~spin) ${count === 1 ? [...this.active.values()][0]?.name : `${count} runs`}`;
    this.statusItem.tooltip = new vscode.MarkdownString(
      ['**Labbook runs in progress**', '', ...[...this.active.values()].map((r) => `- ${r.name} (${path.basename(r.file)})`), '', 'Click to show or stop them.'].join('\n'),
    );
    this.statusItem.show();
  }

  /**
   * Where new runs go: the local store (default) or the MLflow server named in `labbook.launch.target`;
   * `rootId` (a queued item's target: '' or 'local' for the local store, else a remote root id) overrides the setting.
   */
  async target(rootId?: string): Promise<{ rootId: string; store: TrackingStore | QueuedTrackingStore; trackingUri: string; token?: string; env: Record<string, string> }> {
    const wanted = rootId === undefined ? vscode.workspace.getConfiguration('labbook.launch').get<string>('target', 'local').trim() : rootId === '' || rootId === LOCAL_ROOT_ID ? 'local' : (remoteUrlOf(rootId) ?? rootId);
    if (wanted && wanted !== 'local') {
      // Labbook's own writes (printed metrics, end tags, the final status) go through the outbox.
      const store = await this.outboxes.queuedStore(wanted);
      const credentials = await this.remotes.clientCredentials(wanted);
      return { rootId: remoteRootId(wanted), store, trackingUri: wanted, ...credentials };
    }
    const running = await this.endpoint.get();
    if (!running) throw new Error('Open a folder first: the local tracking store lives in the workspace folder.');
    return { rootId: LOCAL_ROOT_ID, store: running.store, trackingUri: running.server.url, token: running.server.token, env: {} };
  }

  /** Launches a tracked run; resolves once it has started (its `done` resolves at the end). */
  async launch(request: LaunchRequest): Promise<LaunchedRun | undefined> {
    if (!requireTrust('launch code')) return undefined;
    const file = request.file;
    const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file));
    const cwd = request.cwd ?? folder?.uri.fsPath ?? path.dirname(file);
    const config = vscode.workspace.getConfiguration('labbook', folder?.uri);
    // Asked at once: the interpreter (the Python extension may take a moment) and the endpoint (started on first use).
    const [python, target] = await Promise.all([
      request.python ?? resolveInterpreter(vscode.Uri.file(file), this.log).then((interpreter) => interpreter.path),
      this.target(),
    ]);
    const program: Program = file.toLowerCase().endsWith('.ipynb')
      ? { kind: 'notebook', file, parameters: request.parameters ?? {} }
      : { kind: 'script', file, args: [...(request.args ?? [])] };
    const experimentName = resolveExperimentName({
      requested: request.experimentName,
      setting: config.get<string>('launch.experiment', ''),
      environment: process.env.MLFLOW_EXPERIMENT_NAME,
    });
    const dataPaths = request.dataPaths ?? config.get<string[]>('dataPaths', []);
    // The guard gets the run's cwd: the data paths are relative to it, as the run reads them.
    if (this.guard && !request.skipChecks && !(await this.guard({ ...request, cwd }, dataPaths, () => this.launch({ ...request, skipChecks: true })))) return undefined;
    mkdirSync(this.spoolDir, { recursive: true });

    const writeEmitter = new vscode.EventEmitter<string>();
    const pending: string[] = [];
    let opened = false;
    const write = (text: string) => (opened ? writeEmitter.fire(toTerminal(text)) : pending.push(toTerminal(text)));
    const onOutput = (chunk: OutputChunk) => write(chunk.stream === 'labbook' ? `\x1b[2m${chunk.text}\x1b[0m` : chunk.text);

    this.log.info(`Launching ${file} with ${python} into ${target.rootId} (experiment ${experimentName})`);
    const tracked = await launchTrackedRun({
      store: target.store,
      trackingUri: target.trackingUri,
      ...(target.token === undefined ? {} : { trackingToken: target.token }),
      experimentName,
      ...(request.runName ? { runName: request.runName } : {}),
      program,
      python,
      cwd,
      env: { ...target.env, ...(request.env ?? {}) },
      dataPaths,
      owner: this.owner,
      ...(request.reproduces ? { reproduces: request.reproduces } : {}),
      ...(request.tags ? { extraTags: request.tags } : {}),
      ...this.launchSettings(config),
      onOutput,
    });
    const name = tracked.runName;
    const active: ActiveRun = { runId: tracked.runId, name, file, storeRootId: target.rootId, tracked, startedAt: Date.now() };
    this.active.set(tracked.runId, active);
    this.updateStatus();
    this.changed.fire();
    this.changes.publish({ kind: 'data', rootId: target.rootId });
    this.startedRun.fire({ runId: tracked.runId, storeRootId: target.rootId, file, store: target.store, done: tracked.done });

    const terminal = vscode.window.createTerminal({
      name: `Labbook: ${name}`,
      iconPath: new vscode.ThemeIcon('beaker'),
      isTransient: true,
      pty: {
        onDidWrite: writeEmitter.event,
        open: () => {
          opened = true;
          write(`\x1b[1mLabbook run ${name}\x1b[0m (${tracked.runId}) — ${python} ${path.relative(cwd, file) || file}\r\n`);
          for (const text of pending.splice(0)) writeEmitter.fire(text);
        },
        close: () => undefined,
      },
    });
    terminal.show(true);

    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Labbook: running ${name}`, cancellable: true },
      async (progress, token) => {
        progress.report({ message: path.basename(file) });
        const cancel = token.onCancellationRequested(() => void this.stop(tracked.runId));
        try {
          await tracked.done;
        } catch {
          // reported below
        } finally {
          cancel.dispose();
        }
      },
    );

    void tracked.done.then(
      (outcome) => this.finished(active, outcome, write),
      (err: unknown) => this.finished(active, undefined, write, err),
    );
    // Captures still running when the run ended are attached after it; their notes are in the run's log too.
    void tracked.captured.then((notes) => {
      if (notes.length === 0) return;
      this.log.info(`Run ${tracked.runId}: notes of captures that ended after the run`);
      for (const note of notes) this.log.info(`  ${note}`);
    });
    return { runId: tracked.runId, storeRootId: target.rootId, done: tracked.done, captured: tracked.captured };
  }

  /** What every tracked launch of this window takes from the settings and the extension's storage. */
  private launchSettings(config: vscode.WorkspaceConfiguration) {
    return {
      notebookExecutor: nbclientExecutor({ cellTimeoutSeconds: config.get<number>('notebook.cellTimeoutSeconds', 600) }),
      spoolDir: this.spoolDir,
      cacheDir: this.cacheDir,
      stopGraceMs: 1000 * config.get<number>('launch.stopGraceSeconds', 5),
      observeData: config.get<boolean>('launch.observeData', true),
      observeExclude: config.get<string[]>('launch.observeExclude', []),
      profileData: config.get<boolean>('data.profileOnLaunch', true),
      profileMaxBytes: 1024 * 1024 * config.get<number>('data.profileMaxMB', 2048),
    };
  }

  /**
   * Launches a queue item as a tracked run (the queue runner's `launch`): the same path as a launch
   * (the item's target, the interpreter, the tags), but no terminal, progress or notification per
   * item — its output stays in the run's log (Show Output in the Queue view) and the runner reports
   * how it ended. No data checks here: they ran when the item was queued (Queue Run) or its sweep
   * started (queueChecks.ts); a sweep's trials would ask the same question N times.
   */
  async launchQueued(item: QueueItem, extraEnv: Readonly<Record<string, string>>): Promise<LaunchedItem> {
    if (!vscode.workspace.isTrusted) throw new Error('Labbook does not run queued items in Restricted Mode.');
    const request = item.launch;
    const file = path.resolve(request.cwd, request.file);
    const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file));
    const config = vscode.workspace.getConfiguration('labbook', folder?.uri);
    const [python, target] = await Promise.all([
      request.python ?? resolveInterpreter(vscode.Uri.file(file), this.log).then((interpreter) => interpreter.path),
      this.target(request.target ?? ''),
    ]);
    const program: Program = request.kind === 'notebook' ? { kind: 'notebook', file, parameters: request.parameters ?? {} } : { kind: 'script', file, args: [...(request.args ?? [])] };
    mkdirSync(this.spoolDir, { recursive: true });
    this.log.info(`Launching queue item ${item.itemId} (${item.label}): ${file} with ${python} into ${target.rootId} (experiment ${request.experimentName})`);
    const tracked = await launchTrackedRun({
      store: target.store,
      trackingUri: target.trackingUri,
      ...(target.token === undefined ? {} : { trackingToken: target.token }),
      experimentName: request.experimentName,
      ...(request.runName ? { runName: request.runName } : {}),
      program,
      python,
      cwd: request.cwd,
      env: { ...target.env, ...(request.env ?? {}), ...extraEnv },
      dataPaths: request.dataPaths ?? config.get<string[]>('dataPaths', []),
      owner: this.owner,
      ...(request.tags ? { extraTags: request.tags } : {}),
      ...this.launchSettings(config),
    });
    const active: ActiveRun = { runId: tracked.runId, name: tracked.runName, file, storeRootId: target.rootId, tracked, startedAt: Date.now(), queueItemId: item.itemId };
    this.active.set(tracked.runId, active);
    this.updateStatus();
    this.changed.fire();
    this.changes.publish({ kind: 'data', rootId: target.rootId });
    this.startedRun.fire({ runId: tracked.runId, storeRootId: target.rootId, file, store: target.store, done: tracked.done });
    const done = tracked.done.then(
      (outcome) => {
        this.ended(active);
        this.log.info(`Queue item ${item.itemId}: run ${tracked.runId} ended ${outcome.status}${outcome.error ? `: ${outcome.error}` : ''}`);
        for (const note of outcome.notes) this.log.info(`  ${note}`);
        return { status: outcome.status, ...(outcome.error ? { error: outcome.error } : outcome.status === 'FAILED' && outcome.exitCode !== null ? { error: `exit code ${outcome.exitCode}` } : {}) };
      },
      (err: unknown) => {
        this.ended(active);
        return { status: 'FAILED' as const, error: errorMessage(err) };
      },
    );
    return { runId: tracked.runId, pid: tracked.pid, done, stop: () => tracked.stop() };
  }

  private ended(active: ActiveRun): void {
    this.active.delete(active.runId);
    this.updateStatus();
    this.changed.fire();
    this.changes.publish({ kind: 'data', rootId: active.storeRootId });
  }

  private finished(active: ActiveRun, outcome: RunOutcome | undefined, write: (text: string) => void, err?: unknown): void {
    this.active.delete(active.runId);
    this.updateStatus();
    this.changed.fire();
    this.changes.publish({ kind: 'data', rootId: active.storeRootId });
    const took = formatDuration(Date.now() - active.startedAt) ?? '0 ms';
    if (!outcome) {
      this.log.error(`Run ${active.runId} ended without an outcome: ${errorMessage(err)}`);
      void vscode.window.showErrorMessage(`Labbook lost track of the run ${active.name}: ${errorMessage(err)}`);
      return;
    }
    write(`\r\n\x1b[1mRun ${outcome.status}\x1b[0m after ${took}${outcome.exitCode !== null ? ` (exit code ${outcome.exitCode})` : outcome.signal ? ` (${outcome.signal})` : ''}\r\n`);
    this.log.info(`Run ${active.runId} (${active.name}) ended ${outcome.status}${outcome.error ? `: ${outcome.error}` : ''}`);
    for (const note of outcome.notes) this.log.info(`  ${note}`);
    const details = 'Open Details';
    const show =
      outcome.status === 'FINISHED'
        ? vscode.window.showInformationMessage(`Run ${active.name} finished in ${took}.`, details)
        : outcome.status === 'KILLED'
          ? vscode.window.showWarningMessage(`Run ${active.name} was stopped.`, details)
          : vscode.window.showErrorMessage(`Run ${active.name} failed${outcome.error ? `: ${outcome.error}` : outcome.exitCode !== null ? ` with exit code ${outcome.exitCode}` : ''}.`, details);
    void show.then((choice) => {
      if (choice === details) void vscode.commands.executeCommand('labbook.openRunDetails', { rootId: active.storeRootId, runId: active.runId });
    });
  }

  /** Stops a run this window launched: SIGTERM, then SIGKILL after the grace period; ends KILLED. */
  async stop(runId: string): Promise<RunOutcome | undefined> {
    const active = this.active.get(runId);
    if (!active) return undefined;
    this.log.info(`Stopping run ${runId}`);
    return active.tracked.stop();
  }

  /** Marks runs that a closed window or a crashed machine left RUNNING (local store). */
  async recover(): Promise<number> {
    const store = this.local.get();
    if (!store) return 0;
    const result = await recoverInterruptedRuns(store, { owner: this.owner, spoolDir: this.spoolDir });
    for (const run of result.recovered) this.log.info(`Recovered run ${run.runId}: ${run.status} (end time from ${run.endTimeFrom})`);
    for (const note of result.notes) this.log.warn(`Recovery: ${note}`);
    if (result.recovered.length > 0) this.changes.publish({ kind: 'data', rootId: LOCAL_ROOT_ID });
    return result.recovered.length;
  }

  dispose(): void {
    // Runs outlive neither the window's endpoint nor its terminals: stop them, recovery marks the rest.
    for (const run of this.active.values()) void run.tracked.stop().catch(() => undefined);
    this.statusItem.dispose();
    this.changed.dispose();
    this.startedRun.dispose();
  }
}
