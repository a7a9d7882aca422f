// Launching a script or notebook as a tracked run: the run is created RUNNING with its tags
// before the process starts, the process logs into it through MLFLOW_RUN_ID (so the mlflow
// client resumes it) or through printed `labbook:` lines, code/environment/data are recorded
// beside it, and at exit Labbook's own status update comes last, so it wins over an
// `mlflow.end_run()` the script made before failing.
//
// Params parsed from the command line and config files are logged when the process has ended,
// and only for keys the run does not have by then: MLflow params cannot change, so logging
// `lr=1e-3` first would make the script's own `mlflow.log_param("lr", 0.001)` fail. The script's
// values win; a differing parsed value is noted in the log. (The recipe in labbook/launch.json
// keeps the arguments from the start, for Reproduce.)
//
// Final status: exit 0 → FINISHED; non-zero exit, a crash signal (SIGSEGV, SIGABRT, SIGBUS,
// SIGFPE, SIGILL, SIGSYS, SIGTRAP) or a failure to start → FAILED; stop(), or death by any other
// signal (SIGKILL from `kill -9` or the OOM killer, SIGTERM, SIGINT, SIGHUP…) → KILLED.
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { QueuedRunUpdate, QueuedTrackingStore } from '../store/outbox/queuedStore.ts';
import type { TrackingStore } from '../store/trackingStore.ts';
import type { Run, RunStatus } from '../store/types.ts';
import { captureGit } from './captureGit.ts';
import { childEnvironment } from './childEnvironment.ts';
import { parseArgs } from './commandLine.ts';
import { fitParams, flattenConfig, readConfigParams, unloggedParams } from './configParams.ts';
import { ARTIFACTS, TAGS } from './conventions.ts';
import { LaunchError } from './errors.ts';
import { errorFirstLine } from '../../shared/errorMessage.ts';
import { writeLaunchArtifacts } from './launchArtifacts.ts';
import { launchLocation, launchRecipe } from './launchRecipe.ts';
import { MetricSink } from './metricSink.ts';
import { runNotebook, spawnScript, type NotebookExecutor, type ProgramExit, type RunningProgram } from './programProcess.ts';
import { RunOutput, type OutputListener } from './runOutput.ts';
import { defaultRunName, endTags, launchTags } from './runTags.ts';
import { defaultSpoolDir, writeEndMarker } from './spool.ts';
import { currentUserName } from '../system/currentUser.ts';

export type Program =
  | { readonly kind: 'script'; readonly file: string; readonly args?: readonly string[] }
  | { readonly kind: 'notebook'; readonly file: string; readonly parameters?: Readonly<Record<string, unknown>> };

export interface LaunchOptions {
  /** Where the run is created and logged: the local SQLite store, or a remote one (whose writes may queue). */
  readonly store: TrackingStore | QueuedTrackingStore;
  /** What the process gets as MLFLOW_TRACKING_URI: Labbook's local endpoint or the remote server. */
  readonly trackingUri: string;
  /** MLFLOW_TRACKING_TOKEN for the process; not set when undefined. */
  readonly trackingToken?: string;
  /** Created when missing. */
  readonly experimentName: string;
  readonly runName?: string;
  readonly program: Program;
  readonly python: string;
  /** Working directory; `program.file` and `dataPaths` are relative to it. */
  readonly cwd: string;
  /** Variables the user set for this launch (their names go into launch.json, never their values). */
  readonly env?: Readonly<Record<string, string>>;
  /** The environment the variables above are added to; process.env by default. */
  readonly baseEnv?: NodeJS.ProcessEnv;
  readonly dataPaths?: readonly string[];
  /** Id of the launching session (window), so recovery in another window leaves its live runs alone. */
  readonly owner: string;
  /** The run this one reproduces (tag labbook.reproduces). */
  readonly reproduces?: string;
  /** mlflow.user; the OS user by default. */
  readonly user?: string;
  /** Required for notebooks: runs the notebook (see NotebookExecutor). */
  readonly notebookExecutor?: NotebookExecutor;
  /** Folder for the on-disk output spool and end markers (default: <tmp>/labbook-runs). */
  readonly spoolDir?: string;
  /** stop(): SIGTERM, then SIGKILL after this long. Default 5000. */
  readonly stopGraceMs?: number;
  /** Called with every output chunk from the start (TrackedRun.onOutput replays a bounded tail). */
  readonly onOutput?: OutputListener;
  readonly now?: () => number;
  /** Printed metrics are sent at least this often. Default 1000. */
  readonly metricFlushMs?: number;
  /** The output log artifact is refreshed this often while running. Default 10000. */
  readonly logUploadMs?: number;
  /** Bound for each capture step (git, pip freeze, hashing). Default 120000. */
  readonly captureTimeoutMs?: number;
}

export interface RunOutcome {
  readonly status: Extract<RunStatus, 'FINISHED' | 'FAILED' | 'KILLED'>;
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly durationMs: number;
  /** Why the program did not run or finish, for the user (spawn failure, executor error). */
  readonly error?: string;
  /** Everything Labbook could not record, and other warnings (also in the log, marked [labbook]). */
  readonly notes: readonly string[];
  /** Entities from printed lines that landed in the store, and those given up on. */
  readonly printed: { readonly logged: number; readonly dropped: number; readonly malformedLines: number };
}

export interface TrackedRun {
  readonly runId: string;
  readonly experimentId: string;
  /** undefined when the process could not be started (then `done` says why). */
  readonly pid: number | undefined;
  /** The local spool of the output log. */
  readonly logFile: string;
  /** Resolves (never rejects) once the final status is written. */
  readonly done: Promise<RunOutcome>;
  /** SIGTERM to the process group, SIGKILL after the grace period; resolves with the outcome. */
  stop(): Promise<RunOutcome>;
  /** Output chunks; a late listener first gets the retained tail (up to 1 MB). Returns unsubscribe. */
  onOutput(listener: OutputListener): () => void;
}

const CRASH_SIGNALS = new Set(['SIGSEGV', 'SIGABRT', 'SIGBUS', 'SIGFPE', 'SIGILL', 'SIGSYS', 'SIGTRAP']);

export function finalStatus(exit: ProgramExit, stopRequested: boolean): RunOutcome['status'] {
  if (stopRequested) return 'KILLED';
  if (exit.signal) return CRASH_SIGNALS.has(exit.signal) ? 'FAILED' : 'KILLED';
  return exit.exitCode === 0 && !exit.error ? 'FINISHED' : 'FAILED';
}

export async function ensureExperiment(store: Pick<TrackingStore, 'getExperimentByName' | 'restoreExperiment' | 'createExperiment'>, name: string): Promise<string> {
  const existing = await store.getExperimentByName(name);
  if (existing) {
    if (existing.lifecycleStage === 'deleted') await store.restoreExperiment(existing.experimentId);
    return existing.experimentId;
  }
  try {
    return await store.createExperiment(name);
  } catch (err) {
    // Another window created it in between.
    const now = await store.getExperimentByName(name);
    if (now) return now.experimentId;
    throw err;
  }
}

export async function launchTrackedRun(options: LaunchOptions): Promise<TrackedRun> {
  const now = options.now ?? Date.now;
  const { store, program } = options;
  const cwd = path.resolve(options.cwd);
  const file = path.resolve(cwd, program.file);
  if (!statSync(cwd, { throwIfNoEntry: false })?.isDirectory()) throw new LaunchError('INVALID_OPTIONS', `The working directory ${cwd} does not exist.`);
  if (program.kind === 'notebook' && !options.notebookExecutor) throw new LaunchError('INVALID_OPTIONS', 'Launching a notebook needs a notebook executor.');
  const notes: string[] = [];
  const timeoutMs = options.captureTimeoutMs ?? 120_000;

  // Before the run exists: what its tags and params need (git state, the file, config values).
  const args = program.kind === 'script' ? [...(program.args ?? [])] : [];
  const parsed = program.kind === 'script' ? parseArgs(args) : { params: flattenConfig(program.parameters ?? {}), configFiles: [] };
  const [gitCapture, experimentId, snapshot, config] = await Promise.all([
    captureGit(cwd, { patch: false, timeoutMs }),
    ensureExperiment(store, options.experimentName),
    readFile(file).catch((err: unknown) => {
      notes.push(`code snapshot: ${file} could not be read (${errorFirstLine(err)}).`);
      return undefined;
    }),
    readConfigParams(parsed.configFiles, cwd),
  ]);
  notes.push(...gitCapture.notes, ...config.notes);
  const git = gitCapture.state;
  const location = launchLocation(cwd, file, git);
  if (location.note) notes.push(location.note);
  const fitted = fitParams({ ...config.params, ...parsed.params });
  notes.push(...fitted.notes);

  const user = options.user ?? currentUserName();
  const runName = options.runName || defaultRunName(file, now());
  const tags = launchTags({
    file, kind: program.kind, user, runName, host: os.hostname(), owner: options.owner,
    ...(snapshot ? { snapshotFile: location.relativeFile } : {}),
    ...(git ? { git } : {}),
    ...(options.reproduces ? { reproduces: options.reproduces } : {}),
  });
  const startTime = now();
  const run = await store.createRun({ experimentId, runName, userId: user, startTime, tags });
  const runId = run.info.runId;

  const spool = path.join(options.spoolDir ?? defaultSpoolDir(), runId);
  mkdirSync(spool, { recursive: true });
  const logFile = path.join(spool, 'output.log');
  const sink = new MetricSink(store, runId, { now, intervalMs: options.metricFlushMs ?? 1000, onNote: (note) => notes.push(`printed values: ${note}`) });
  const output = new RunOutput({ store, runId, logFile, uploadIntervalMs: options.logUploadMs ?? 10_000, onRecords: (records) => sink.add(records) });
  if (options.onOutput) output.onOutput(options.onOutput);
  for (const note of notes) output.say(note);
  const said = notes.length;

  const userEnv = options.env ?? {};
  const childEnv = childEnvironment({
    baseEnv: options.baseEnv ?? process.env, userEnv, trackingUri: options.trackingUri, runId, experimentName: options.experimentName, experimentId,
    ...(options.trackingToken !== undefined ? { trackingToken: options.trackingToken } : {}),
  });
  const recipe = launchRecipe({
    kind: program.kind, location, cwd, git, args,
    parameters: program.kind === 'notebook' ? (program.parameters ?? {}) : {},
    userEnv, dataPaths: options.dataPaths ?? [], configFiles: parsed.configFiles, python: options.python,
    experimentName: options.experimentName, runName, reproduces: options.reproduces,
  });

  const runStart = now();
  const running: RunningProgram =
    program.kind === 'script'
      ? spawnScript(options.python, file, args, cwd, childEnv, (stream, bytes) => output.data(stream, bytes))
      : runNotebook(options.notebookExecutor as NotebookExecutor, {
          file,
          parameters: program.parameters ?? {},
          python: options.python,
          cwd,
          env: childEnv,
          onOutput: (stream, text) => output.data(stream, Buffer.from(text, 'utf8')),
        });
  if (running.pid !== undefined) {
    await store.setTag(runId, { key: TAGS.pid, value: String(running.pid) }).catch((err: unknown) => notes.push(`pid tag: not set (${errorFirstLine(err)}).`));
  }
  const artifacts = writeLaunchArtifacts({
    store, runId, python: options.python, env: childEnv, cwd, dataPaths: options.dataPaths ?? [], recipe, timeoutMs, now,
    ...(git ? { git } : {}),
    ...(snapshot ? { snapshot: { relativeFile: location.relativeFile, content: snapshot } } : {}),
  });

  let stopRequested = false;
  const done = finish();

  /** The parsed params the run does not have yet (the script's own values win). */
  async function logParsedParams(): Promise<void> {
    // Unreadable run (a server that is down): log them all; a queued store keeps them until it is back.
    const logged = await retry(() => store.getRun(runId)).then(
      (run) => run.data.params,
      (err: unknown) => {
        notes.push(`params: could not read the run's own params (${errorFirstLine(err)}); logging the parsed ones.`);
        return [];
      },
    );
    const { params: missing, notes: differing } = unloggedParams(fitted.params, logged);
    notes.push(...differing);
    for (let i = 0; i < missing.length; i += 100) await retry(() => store.logBatch(runId, { params: missing.slice(i, i + 100) }));
  }

  async function finish(): Promise<RunOutcome> {
    const exit = await running.exited;
    const endTime = now();
    const durationMs = Math.max(0, endTime - runStart);
    const status = finalStatus(exit, stopRequested);
    if (stopRequested) running.signal('SIGKILL'); // whatever the group still holds
    if (exit.error) output.say(`${exit.error}.`);
    if (exit.error && exit.exitCode === null && running.pid === undefined) output.say(`Check the Python interpreter (${options.python}) and the working directory (${cwd}).`);
    writeEndMarker(spool, { status, exitCode: exit.exitCode, signal: exit.signal, endTime });
    await output.close().catch(() => undefined);
    await sink.close();
    await logParsedParams().catch((err: unknown) => notes.push(`params: not logged (${errorFirstLine(err)}).`));
    if (exit.executedNotebook) {
      const name = path.basename(file);
      await store.writeArtifact(runId, `${ARTIFACTS.notebookDir}/${name}`, exit.executedNotebook).catch((err: unknown) => notes.push(`executed notebook: not saved (${errorFirstLine(err)}).`));
    }
    const captureNotes = await Promise.race([artifacts, delay(timeoutMs + 10_000).then(() => ['captures: still running after the process ended; left unfinished.'])]);
    notes.push(...captureNotes, ...output.notes);
    await writeNotes(store, runId, logFile, notes.slice(said));
    await retry(() => store.logBatch(runId, { tags: endTags(exit, durationMs) })).catch((err: unknown) => notes.push(`end tags: not set (${errorFirstLine(err)}).`));
    // Last, so Labbook's status wins over the mlflow client's end_run().
    await retry<Run | QueuedRunUpdate>(() => store.updateRun(runId, { status, endTime })).then(
      (result) => {
        const note = finalStatusNote(result, status);
        if (note) notes.push(note);
      },
      (err: unknown) => notes.push(`final status: not set (${errorFirstLine(err)}); recovery will set it.`),
    );
    return {
      status,
      exitCode: exit.exitCode,
      signal: exit.signal,
      durationMs,
      ...(exit.error ? { error: exit.error } : {}),
      notes,
      printed: { logged: sink.logged, dropped: sink.dropped, malformedLines: output.metricLineWarnings },
    };
  }

  let finished = false;
  void done.then(() => (finished = true));
  return {
    runId,
    experimentId,
    pid: running.pid,
    logFile,
    done,
    onOutput: (listener) => output.onOutput(listener),
    async stop() {
      if (finished) return done;
      if (!stopRequested) {
        stopRequested = true;
        writeEndMarker(spool, { status: 'KILLED', stopRequestedAt: now() });
        running.signal('SIGTERM');
        const timer = setTimeout(() => running.signal('SIGKILL'), options.stopGraceMs ?? 5_000);
        void done.finally(() => clearTimeout(timer));
      }
      return done;
    },
  };
}

/** Notes go into the log (the user reads them there) after the program's own output. */
async function writeNotes(store: Pick<TrackingStore, 'writeArtifact'>, runId: string, logFile: string, notes: readonly string[]): Promise<void> {
  if (notes.length === 0) return;
  try {
    const text = notes.map((n) => `[labbook] ${n}\n`).join('');
    writeFileSync(logFile, text, { flag: 'a' });
    await store.writeArtifact(runId, ARTIFACTS.outputLog, await readFile(logFile));
  } catch {
    // The log upload already noted its own failure; the notes are in the outcome.
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** What the log should say about the final status when it did not reach the store at once. */
function finalStatusNote(result: Run | QueuedRunUpdate, status: RunStatus): string | undefined {
  if (!('state' in result) || result.state === 'shipped') return undefined;
  return result.state === 'queued'
    ? `final status: ${status} waits in the outbox (${result.pending} write${result.pending === 1 ? '' : 's'} waiting: ${result.reason}); it is sent when the server is back.`
    : `final status: refused by the server (${result.reason}); recovery will set it.`;
}

/** Three tries, for the last writes of a run against a store that may blink. */
async function retry<T>(fn: () => Promise<T>): Promise<T> {
  let last: unknown;
  for (const wait of [0, 500, 2000]) {
    if (wait) await delay(wait);
    try {
      return await fn();
    } catch (err) {
      last = err;
    }
  }
  throw last;
}
