// Launching a script or notebook as a tracked run: the run is created RUNNING with its tags
// before the process starts, the process logs into it through MLFLOW_RUN_ID (so the mlflow
// client resumes it) or through printed `labbook:` lines, code/environment/data are recorded
// beside it (nothing slow comes before the spawn, and the status never waits for a capture:
// `captured` says when they are all attached), and at exit Labbook's own status update comes
// last, so it wins over an `mlflow.end_run()` the script made before failing.
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
import { mkdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { QueuedRunUpdate, QueuedTrackingStore } from '../store/outbox/queuedStore.ts';
import type { TrackingStore } from '../store/trackingStore.ts';
import type { Run } from '../store/types.ts';
import { childEnvironment } from './childEnvironment.ts';
import { parseArgs } from './commandLine.ts';
import { fitParams, flattenConfig, readConfigParams, unloggedParams } from './configParams.ts';
import { ARTIFACTS, TAGS } from './conventions.ts';
import { LaunchError } from './errors.ts';
import { errorFirstLine } from '../../shared/errorMessage.ts';
import { writeLaunchArtifacts } from './launchArtifacts.ts';
import { MetricSink } from './metricSink.ts';
import { runNotebook, spawnScript, type NotebookExecutor, type RunningProgram } from './programProcess.ts';
import { RunOutput, type OutputListener } from './runOutput.ts';
import { appendNotes, delay, finalStatus, finalStatusNote, retry, type EndStatus } from './runEnd.ts';
import { defaultRunName, endTags, launchTags } from './runTags.ts';
import { defaultSpoolDir, writeEndMarker } from './spool.ts';
import { prepareKernelObservation, prepareObservation } from '../data/observeLaunch.ts';
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
  /** More tags set when the run is created (a retraining run's link to the data change, its recipe). */
  readonly extraTags?: Readonly<Record<string, string>>;
  /** mlflow.user; the OS user by default. */
  readonly user?: string;
  /** Required for notebooks: runs the notebook (see NotebookExecutor). */
  readonly notebookExecutor?: NotebookExecutor;
  /** Folder for the on-disk output spool and end markers (default: this user's private <tmp>/labbook-runs-<uid>). */
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
  /** Where captures keep what they may reuse between launches (each interpreter's pip freeze); none: nothing is cached. */
  readonly cacheDir?: string;
  /** Record the files the run (the script, or the notebook's kernel) reads and writes through an audit hook (src/core/data). Default true. */
  readonly observeData?: boolean;
  /** Globs of paths the observation never records (relative to `cwd`, or absolute). */
  readonly observeExclude?: readonly string[];
  /** Inputs and outputs recorded at most. Default 1000. */
  readonly observeMaxEntries?: number;
  /** Profile the tabular inputs (declared, observed) into labbook/data/profile.json beside the process (src/core/profile). Default true. */
  readonly profileData?: boolean;
  /** Files above this size are listed as not profiled. Default DEFAULT_PROFILE_MAX_BYTES (2 GB). */
  readonly profileMaxBytes?: number;
}

export interface RunOutcome {
  readonly status: EndStatus;
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
  readonly runName: string;
  /** undefined when the process could not be started (then `done` says why). */
  readonly pid: number | undefined;
  /** The local spool of the output log. */
  readonly logFile: string;
  /** Resolves (never rejects) once the final status is written; it never waits for a capture. */
  readonly done: Promise<RunOutcome>;
  /**
   * Resolves (never rejects), after `done`, once every capture (git state and patch, code
   * snapshot, environment, data fingerprints, recipe) is attached to the run or given up on, with
   * the capture notes that came after the status (also appended to the run's log; earlier ones
   * are in the outcome).
   */
  readonly captured: Promise<readonly string[]>;
  /** SIGTERM to the process group, SIGKILL after the grace period; resolves with the outcome. */
  stop(): Promise<RunOutcome>;
  /** Output chunks; a late listener first gets the retained tail (up to 1 MB). Returns unsubscribe. */
  onOutput(listener: OutputListener): () => void;
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

  // Before the spawn, only what the run's creation and the child's environment need: the
  // experiment, and the file as it is now (its snapshot is the code that ran). Git, pip freeze and
  // fingerprints run beside the process (launchArtifacts.ts).
  const args = program.kind === 'script' ? [...(program.args ?? [])] : [];
  const parsed = program.kind === 'script' ? parseArgs(args) : { params: flattenConfig(program.parameters ?? {}), configFiles: [] };
  const [experimentId, snapshot] = await Promise.all([
    ensureExperiment(store, options.experimentName),
    readFile(file).catch((err: unknown) => {
      notes.push(`code snapshot: ${file} could not be read (${errorFirstLine(err)}).`);
      return undefined;
    }),
  ]);
  const user = options.user ?? currentUserName();
  const runName = options.runName || defaultRunName(file, now());
  const tags = launchTags({
    file, kind: program.kind, user, runName, host: os.hostname(), owner: options.owner,
    ...(options.reproduces ? { reproduces: options.reproduces } : {}),
  });
  for (const [key, value] of Object.entries(options.extraTags ?? {})) tags.push({ key, value });
  const run = await store.createRun({ experimentId, runName, userId: user, startTime: now(), tags });
  const runId = run.info.runId;

  const spool = path.join(options.spoolDir ?? defaultSpoolDir(), runId);
  mkdirSync(spool, { recursive: true });
  const logFile = path.join(spool, 'output.log');
  const sink = new MetricSink(store, runId, { now, intervalMs: options.metricFlushMs ?? 1000, onNote: (note) => notes.push(`printed values: ${note}`) });
  const output = new RunOutput({ store, runId, logFile, uploadIntervalMs: options.logUploadMs ?? 10_000, onRecords: (records) => sink.add(records) });
  if (options.onOutput) output.onOutput(options.onOutput);
  const userEnv = options.env ?? {};
  const childEnv = childEnvironment({
    baseEnv: options.baseEnv ?? process.env, userEnv, trackingUri: options.trackingUri, runId, experimentName: options.experimentName, experimentId,
    ...(options.trackingToken !== undefined ? { trackingToken: options.trackingToken } : {}),
  });
  // Data observation: the script runs under the bootstrap (a notebook's kernel runs its startup file), which writes what it opened to the spool.
  const skip = [spool, options.spoolDir ?? defaultSpoolDir(), ...(options.cacheDir ? [options.cacheDir] : [])];
  const observation = options.observeData === false ? undefined : (program.kind === 'script' ? prepareObservation : prepareKernelObservation)(spool, childEnv, skip);
  // Read while the process starts; the values are logged when it has ended.
  const config = readConfigParams(parsed.configFiles, cwd).catch((err: unknown) => ({ params: {}, notes: [`config files: not read (${errorFirstLine(err)}).`] }));

  const runStart = now();
  const running: RunningProgram =
    program.kind === 'script'
      ? spawnScript(options.python, file, args, cwd, childEnv, (stream, bytes) => output.data(stream, bytes), observation ? observation.bootstrap : undefined)
      : runNotebook(options.notebookExecutor as NotebookExecutor, {
          file,
          parameters: program.parameters ?? {},
          python: options.python,
          cwd,
          env: childEnv,
          onOutput: (stream, text) => output.data(stream, Buffer.from(text, 'utf8')),
        });

  // The process runs: from here on nothing delays it.
  const pidTagged =
    running.pid === undefined
      ? Promise.resolve()
      : store.setTag(runId, { key: TAGS.pid, value: String(running.pid) }).catch((err: unknown) => void notes.push(`pid tag: not set (${errorFirstLine(err)}).`));
  const fitted = config.then(({ params, notes: configNotes }) => {
    notes.push(...configNotes);
    const result = fitParams({ ...params, ...parsed.params });
    notes.push(...result.notes);
    return result.params;
  });
  const artifacts = writeLaunchArtifacts({
    store, runId, cwd, file, python: options.python, env: childEnv, dataPaths: options.dataPaths ?? [], timeoutMs, now,
    ...(snapshot ? { snapshot } : {}),
    ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
    ...(observation
      ? { observation: { recordFile: observation.recordFile, exited: running.exited, skip, exclude: options.observeExclude ?? [], ...(options.observeMaxEntries ? { maxEntries: options.observeMaxEntries } : {}) } }
      : {}),
    ...(options.profileData === false ? {} : { profile: { exited: running.exited, ...(options.profileMaxBytes !== undefined ? { maxBytes: options.profileMaxBytes } : {}) } }),
    recipe: {
      kind: program.kind, cwd, args,
      parameters: program.kind === 'notebook' ? (program.parameters ?? {}) : {},
      userEnv, dataPaths: options.dataPaths ?? [], configFiles: parsed.configFiles, python: options.python,
      experimentName: options.experimentName, runName, reproduces: options.reproduces,
    },
  });
  let captureNotes: readonly string[] | undefined;
  void artifacts.then((result) => (captureNotes = result));
  /** The capture notes already in the log and the outcome when the status was written (captures that ended with the process). */
  let capturesLogged: readonly string[] | undefined;

  let stopRequested = false;
  const done = finish();
  const captured = attachLateCaptures();

  /** The parsed params the run does not have yet (the script's own values win). */
  async function logParsedParams(): Promise<void> {
    const params = await fitted;
    // Unreadable run (a server that is down): log them all; a queued store keeps them until it is back.
    const logged = await retry(() => store.getRun(runId)).then(
      (run) => run.data.params,
      (err: unknown) => {
        notes.push(`params: could not read the run's own params (${errorFirstLine(err)}); logging the parsed ones.`);
        return [];
      },
    );
    const { params: missing, notes: differing } = unloggedParams(params, logged);
    notes.push(...differing);
    for (let i = 0; i < missing.length; i += 100) await retry(() => store.logBatch(runId, { params: missing.slice(i, i + 100) }));
  }

  async function finish(): Promise<RunOutcome> {
    const exit = await running.exited;
    const endTime = now();
    const durationMs = Math.max(0, endTime - runStart);
    const status = finalStatus(exit, stopRequested);
    if (stopRequested) running.signal('SIGKILL'); // whatever the group still holds
    writeEndMarker(spool, { status, exitCode: exit.exitCode, signal: exit.signal, endTime });
    // The last printed lines reach the sink before it flushes.
    output.endStreams();
    await sink.close();
    await pidTagged;
    await logParsedParams().catch((err: unknown) => notes.push(`params: not logged (${errorFirstLine(err)}).`));
    if (exit.executedNotebook) {
      const name = path.basename(file);
      await store.writeArtifact(runId, `${ARTIFACTS.notebookDir}/${name}`, exit.executedNotebook).catch((err: unknown) => notes.push(`executed notebook: not saved (${errorFirstLine(err)}).`));
    }
    // Captures that ended with the process are noted in this log; later ones are appended after the status.
    capturesLogged = captureNotes;
    if (capturesLogged) notes.push(...capturesLogged);
    for (const note of notes) output.say(note);
    if (exit.error) output.say(`${exit.error}.`);
    if (exit.error && exit.exitCode === null && running.pid === undefined) output.say(`Check the Python interpreter (${options.python}) and the working directory (${cwd}).`);
    await output.close().catch(() => undefined);
    notes.push(...output.notes);
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

  /** After the final status: the captures still running are awaited (bounded), and their notes appended to the log. */
  async function attachLateCaptures(): Promise<readonly string[]> {
    await done.catch(() => undefined);
    if (capturesLogged) return [];
    const late = await Promise.race([artifacts, delay(timeoutMs + 10_000).then(() => ['captures: still running long after the process ended; left unfinished.'])]);
    await appendNotes(store, runId, logFile, late);
    return late;
  }

  let finished = false;
  void done.then(() => (finished = true));
  return {
    runId,
    experimentId,
    runName: run.info.runName || runName,
    pid: running.pid,
    logFile,
    done,
    captured,
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
