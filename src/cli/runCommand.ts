// `labbook run`: a tracked run from a terminal or CI, through the same launchTrackedRun as the
// editor's launch (params from the arguments and config files, code/git/environment captures,
// observed data, printed metric lines, the final status, the Feast feature views the script
// retrieved). The program's output passes through; Labbook's own lines go to stderr, marked
// [labbook]. It logs to the local store (a MLflow-compatible endpoint is started for the script's
// mlflow client), or to MLFLOW_TRACKING_URI when that names a server. Exit status: the program's
// (128 + signal number when a signal ended it), 1 when it could not start, 2 for usage.
import { constants } from 'node:os';
import path from 'node:path';
import type { PythonWasmPaths } from '../core/pipeline/pythonParser.ts';
import type { SqliteRuntime } from '../core/sqlite/openDatabase.ts';
import type { TrackingStore } from '../core/store/trackingStore.ts';
import type { CommandIo } from './exportCommand.ts';
import { serverStore } from './cliStore.ts';
import { parseCommandArgs, UsageError } from './usage.ts';
import { displayUri } from '../shared/displayUri.ts';
import { errorMessage } from '../shared/errorMessage.ts';

export const RUN_USAGE = `  run     Run a Python script as a tracked run (params, code, environment, the data it reads
          and writes, printed metrics), passing its output and exit status through.
          labbook run [options] -- python train.py ARGS...
          labbook run [options] train.py ARGS...
          --experiment NAME   the experiment (default: MLFLOW_EXPERIMENT_NAME, else Default)
          --name RUN          the run name (default: the script's name and the time)
          --store FILE        the local store (default: .labbook/tracking.db here); without it,
                              MLFLOW_TRACKING_URI (an http(s) server) is used when set
          --python PY         the interpreter for the second form (default: python3)
          --data-path PATH    a data file or folder to fingerprint as declared (repeatable)
          --exclude GLOB      a path the data observation leaves out (repeatable)
          --no-observe        do not observe the files the script reads and writes
`;

const RUN_OPTIONS = {
  experiment: { type: 'string' },
  name: { type: 'string' },
  store: { type: 'string' },
  python: { type: 'string' },
  'data-path': { type: 'string', multiple: true },
  exclude: { type: 'string', multiple: true },
  'no-observe': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const VALUE_OPTIONS = new Set(['--experiment', '--name', '--store', '--python', '--data-path', '--exclude']);

/** Labbook's options, and the program after them (after `--`, or from the first token that is not an option). */
export function splitRunArgs(args: readonly string[]): { options: string[]; program: string[] } {
  const dash = args.indexOf('--');
  if (dash >= 0) return { options: args.slice(0, dash), program: args.slice(dash + 1) };
  let i = 0;
  while (i < args.length) {
    const token = args[i] ?? '';
    if (!token.startsWith('-') || token === '-') break;
    i += VALUE_OPTIONS.has(token) ? 2 : 1;
  }
  return { options: args.slice(0, i), program: args.slice(i) };
}

const PYTHON = /^python(\d+(\.\d+)*)?(\.exe)?$/i;

/** `python [-u] train.py ARGS` or `train.py ARGS` → the interpreter, the script and its arguments. */
export function programOf(tokens: readonly string[], defaultPython: string): { python: string; file: string; args: string[] } {
  let python = defaultPython;
  let rest = [...tokens];
  if (rest[0] !== undefined && PYTHON.test(path.basename(rest[0]))) {
    python = rest[0];
    rest = rest.slice(1);
    while (rest[0] !== undefined && /^-[uBOsSEI]+$/.test(rest[0])) rest = rest.slice(1);
  }
  const file = rest[0];
  if (file === undefined) throw new UsageError('no script to run: give `-- python train.py ARGS...` or `train.py ARGS...`');
  if (file.startsWith('-')) throw new UsageError(`labbook run runs a script file; '${file}' (modules with -m, code with -c) is not supported`);
  if (!file.toLowerCase().endsWith('.py')) throw new UsageError(`'${file}' is not a Python script (.py)`);
  return { python, file, args: rest.slice(1) };
}

export interface RunCommandIo extends CommandIo {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

export async function runCommand(args: string[], io: RunCommandIo, sqliteRuntime: SqliteRuntime = {}, signal?: AbortSignal, wasmPaths?: PythonWasmPaths): Promise<number> {
  let values;
  let program;
  try {
    const split = splitRunArgs(args);
    values = parseCommandArgs(split.options, RUN_OPTIONS).values;
    if (values.help) {
      io.stdout.write(`Usage: labbook run [options] -- python SCRIPT.py ARGS...\n\n${RUN_USAGE}`);
      return 0;
    }
    program = programOf(split.program, values.python ?? 'python3');
  } catch (err) {
    io.stderr.write(`labbook run: ${errorMessage(err)}\n\n${RUN_USAGE}`);
    return 2;
  }
  const say = (text: string) => io.stderr.write(`[labbook] ${text}\n`);
  const uri = io.env['MLFLOW_TRACKING_URI']?.trim();
  const remote = values.store === undefined && uri ? uri : undefined;
  if (remote !== undefined && !/^https?:\/\//i.test(remote)) {
    io.stderr.write(`labbook run: MLFLOW_TRACKING_URI (${displayUri(remote)}) is not an http(s) server; unset it, or pass --store FILE for a local store.\n`);
    return 2;
  }
  let store: TrackingStore & { close?(): Promise<void> };
  let target: { trackingUri: string; trackingToken?: string; description: string };
  let server: { close(): Promise<void> } | undefined;
  if (remote !== undefined) {
    const token = io.env['MLFLOW_TRACKING_TOKEN'];
    store = await serverStore(remote, io.env);
    // Printed below, and CI keeps what is printed: the address without its credentials.
    target = { trackingUri: remote, ...(token ? { trackingToken: token } : {}), description: displayUri(remote) };
  } else {
    const { SqliteTrackingStore } = await import('../core/store/sqlite/sqliteTrackingStore.ts');
    const { startLocalTrackingServer } = await import('../core/mlflow/server/localTrackingServer.ts');
    const file = path.resolve(io.cwd, values.store ?? path.join('.labbook', 'tracking.db'));
    const local = new SqliteTrackingStore(file, { runtime: sqliteRuntime });
    store = local;
    try {
      const started = await startLocalTrackingServer({ store: local });
      server = started;
      target = { trackingUri: started.url, trackingToken: started.token, description: file };
    } catch (err) {
      await local.close();
      throw err;
    }
  }
  try {
    const { launchTrackedRun } = await import('../core/launch/launchTrackedRun.ts');
    const feast = await import('../core/feast/recordFeastInputs.ts');
    // The Feast features the code retrieves, read as the process starts (recorded once it ended).
    const inCode = feast.featuresInCode(path.resolve(io.cwd, program.file), wasmPaths).catch((err: unknown) => {
      // A file that is not there: the launch says so.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') say(`${program.file} could not be read for Feast feature retrievals (${errorMessage(err)})`);
      return feast.NO_FEATURES_IN_CODE;
    });
    const experimentName = values.experiment?.trim() || io.env['MLFLOW_EXPERIMENT_NAME']?.trim() || 'Default';
    const tracked = await launchTrackedRun({
      store,
      trackingUri: target.trackingUri,
      ...(target.trackingToken !== undefined ? { trackingToken: target.trackingToken } : {}),
      experimentName,
      ...(values.name ? { runName: values.name } : {}),
      program: { kind: 'script', file: program.file, args: program.args },
      python: program.python,
      cwd: io.cwd,
      baseEnv: io.env,
      dataPaths: values['data-path'] ?? [],
      observeData: !values['no-observe'],
      observeExclude: values.exclude ?? [],
      owner: `cli-${process.pid}`,
      onOutput: (chunk) => (chunk.stream === 'stdout' ? io.stdout.write(chunk.text) : io.stderr.write(chunk.text)),
    });
    say(`run ${tracked.runId} (${tracked.runName}) in experiment '${experimentName}', logged to ${target.description}`);
    const stop = () => void tracked.stop();
    signal?.addEventListener('abort', stop, { once: true });
    // A Ctrl-C while the run was starting fired before the listener was there.
    if (signal?.aborted) stop();
    const outcome = await tracked.done;
    signal?.removeEventListener('abort', stop);
    say(`run ${tracked.runId} ${outcome.status}${outcome.exitCode !== null ? ` (exit ${outcome.exitCode})` : outcome.signal ? ` (${outcome.signal})` : ''}; attaching the captures…`);
    await tracked.captured;
    await feast.recordFeastInputs({
      store,
      runId: tracked.runId,
      inCode,
      registries: () => feastRegistries(io.cwd, program.python, say),
      log: { info: say, warn: say },
    });
    say(`run ${tracked.runId} recorded.`);
    if (outcome.exitCode !== null) return outcome.exitCode;
    if (outcome.signal) return 128 + (constants.signals[outcome.signal] ?? 0);
    return 1;
  } finally {
    await server?.close();
    await store.close?.();
  }
}

/** The registries of the Feast repositories under `cwd`, read in `python` (the run's interpreter); each one that cannot be read is said. */
async function feastRegistries(cwd: string, python: string, say: (text: string) => void) {
  const { findFeastReposUnder } = await import('../core/feast/findFeastRepos.ts');
  const { readFeastRegistry } = await import('../core/feast/readFeastRegistry.ts');
  const reads = await Promise.all((await findFeastReposUnder(cwd)).map((repo) => readFeastRegistry(python, repo)));
  for (const read of reads) if (!read.ok) say(read.message);
  return reads.flatMap((read) => (read.ok ? [read.registry] : []));
}
