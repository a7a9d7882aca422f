// Debug Run: an old run launched again under the Python debugger, as a tracked run. Reproduce
// (reproduce.ts) prepares the program, arguments, working directory, interpreter, environment
// variable names and data check, at the recorded commit (a worktree) or on the current code; this
// file turns that into the `debugpy` launch configuration VS Code's debug API starts, creates the
// run the program logs into (tagged labbook.reproduces and labbook.debug) and ends it when the
// debug session ends. The debugger, not Labbook, owns the process, so there is no output capture,
// data observation or stop grace here: the run gets what the script logs through MLFLOW_RUN_ID,
// its argument params, its end tags and its final status.
//
// A notebook run is refused: a notebook is debugged cell by cell in its kernel (Jupyter's Debug
// Cell and Run by Line), which no launch configuration can start with injected parameters.
import path from 'node:path';
import type { QueuedTrackingStore } from '../store/outbox/queuedStore.ts';
import type { TrackingStore } from '../store/trackingStore.ts';
import { childEnvironment } from './childEnvironment.ts';
import { parseArgs } from './commandLine.ts';
import { fitParams, unloggedParams } from './configParams.ts';
import { TAGS, type LaunchRecipe } from './conventions.ts';
import { LaunchError } from './errors.ts';
import { ensureExperiment } from './launchTrackedRun.ts';
import type { ReproductionPlan } from './reproduce.ts';
import { finalStatus, retry, type EndStatus } from './runEnd.ts';
import { endTags, launchTags } from './runTags.ts';
import { errorFirstLine } from '../../shared/errorMessage.ts';

/** Where the debugged code comes from: the Reproduce worktree at the recorded commit plus patch, or the repository as it is now. */
export type DebugCode = 'worktree' | 'current';

/** The launch configuration of the Python debugger extension (ms-python.debugpy), as VS Code's startDebugging takes it. */
export interface DebugpyConfiguration {
  readonly type: 'debugpy';
  readonly request: 'launch';
  readonly name: string;
  readonly program: string;
  readonly args: readonly string[];
  readonly cwd: string;
  /** Added to the debugger's environment: the launch's variables, then the MLflow ones that point the program at its run. */
  readonly env: Readonly<Record<string, string>>;
  /** The recorded interpreter when it still exists; else the debugger's selected one. */
  readonly python?: string;
  readonly console: 'integratedTerminal';
  readonly justMyCode: boolean;
  /** Read back by Labbook when the session ends (which run to end). */
  readonly labbookRunId: string;
}

/** Refuses what cannot be debugged (a notebook run), before any worktree or run is made. */
export function assertDebuggable(recipe: LaunchRecipe, runId: string): void {
  if (recipe.kind === 'script') return;
  const params = Object.entries(recipe.parameters).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ');
  throw new LaunchError(
    'NOT_DEBUGGABLE',
    `Run ${runId} ran the notebook ${recipe.file}${params ? ` with parameters ${params}` : ''}. Debug Run starts scripts only: a notebook is debugged in its kernel, cell by cell. ` +
      "Open the notebook, set these values in its 'parameters' cell and use Jupyter's Debug Cell or Run by Line; or export it to a pipeline and debug the generated script.",
  );
}

export interface DebugConfigurationInput {
  readonly launch: ReproductionPlan['launch'];
  /** Current values of the recorded variable names (the values were never recorded). */
  readonly envValues: Readonly<Record<string, string>>;
  /** What the launch target adds (a remote server's credentials), under the launch's own variables. */
  readonly targetEnv?: Readonly<Record<string, string>>;
  readonly trackingUri: string;
  readonly trackingToken?: string;
  readonly run: { readonly runId: string; readonly experimentId: string; readonly runName: string };
  /** The recorded interpreter, when it still exists. */
  readonly python?: string;
  /** Step into libraries too (false), or only the project's code (true, the debugger's default). */
  readonly justMyCode?: boolean;
}

/** The recorded names that have a value now. */
function pick(values: Readonly<Record<string, string>>, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) if (values[name] !== undefined) out[name] = values[name];
  return out;
}

/** The debugpy configuration that re-launches a script run into the new tracked run. */
export function debugConfiguration(input: DebugConfigurationInput): DebugpyConfiguration {
  const { launch, run } = input;
  if (launch.program.kind !== 'script') throw new LaunchError('NOT_DEBUGGABLE', `${launch.program.file} is a notebook: Debug Run starts scripts only.`);
  const env = childEnvironment({
    // Only what differs from the debugger's own environment: it adds these to it.
    baseEnv: {},
    userEnv: { ...input.targetEnv, ...pick(input.envValues, launch.envNames) },
    trackingUri: input.trackingUri,
    runId: run.runId,
    experimentName: launch.experimentName,
    experimentId: run.experimentId,
    ...(input.trackingToken !== undefined ? { trackingToken: input.trackingToken } : {}),
  });
  return {
    type: 'debugpy',
    request: 'launch',
    name: `Labbook: debug ${run.runName}`,
    program: launch.program.file,
    args: [...(launch.program.args ?? [])],
    cwd: launch.cwd,
    env,
    ...(input.python ? { python: input.python } : {}),
    console: 'integratedTerminal',
    justMyCode: input.justMyCode ?? true,
    labbookRunId: run.runId,
  };
}

/**
 * `file` moved from under `from` to under `to` (a workspace file to its worktree copy, or back);
 * undefined when it is not under `from`.
 */
export function mapPath(file: string, from: string, to: string): string | undefined {
  const rel = path.relative(path.resolve(from), path.resolve(file));
  if (rel === '' || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) return undefined;
  return path.join(to, rel);
}

/** The breakpoints under `from`, moved under `to` (the others are left out). */
export function mapBreakpoints<T extends { readonly file: string }>(breakpoints: readonly T[], from: string, to: string): (T & { readonly original: string })[] {
  return breakpoints.flatMap((bp) => {
    const file = mapPath(bp.file, from, to);
    return file === undefined ? [] : [{ ...bp, file, original: bp.file }];
  });
}

export interface DebugRunOptions {
  readonly launch: ReproductionPlan['launch'];
  readonly owner: string;
  readonly user: string;
  readonly host: string;
  readonly now?: () => number;
}

/** Creates the RUNNING run the debugged program logs into: a launch's tags, labbook.reproduces and labbook.debug=true. */
export async function createDebugRun(store: TrackingStore | QueuedTrackingStore, options: DebugRunOptions): Promise<{ runId: string; experimentId: string; runName: string; startTime: number }> {
  const now = options.now ?? Date.now;
  const { launch } = options;
  const experimentId = await ensureExperiment(store, launch.experimentName);
  const runName = launch.runName.replace(/-reproduced$/, '-debug');
  const tags = [
    ...launchTags({ file: launch.program.file, kind: launch.program.kind, user: options.user, runName, host: options.host, owner: options.owner, reproduces: launch.reproduces }),
    { key: TAGS.debug, value: 'true' },
  ];
  const startTime = now();
  const run = await store.createRun({ experimentId, runName, userId: options.user, startTime, tags });
  return { runId: run.info.runId, experimentId, runName: run.info.runName || runName, startTime };
}

export interface DebugEnd {
  /** The program's exit code from the debugger's `exited` event; null when the session ended without one (stopped, disconnected). */
  readonly exitCode: number | null;
  readonly args: readonly string[];
  readonly startTime: number;
  readonly now?: () => number;
}

/**
 * Ends a debug run when its session has ended: the argument params the script did not log
 * itself, the end tags, then the status (exit 0 FINISHED, another code FAILED, no exit KILLED).
 * Returns the status and the notes of what could not be written.
 */
export async function endDebugRun(store: TrackingStore | QueuedTrackingStore, runId: string, end: DebugEnd): Promise<{ status: EndStatus; notes: string[] }> {
  const endTime = (end.now ?? Date.now)();
  const notes: string[] = [];
  const status = end.exitCode === null ? 'KILLED' : finalStatus({ exitCode: end.exitCode, signal: null }, false);
  const fitted = fitParams(parseArgs(end.args).params);
  notes.push(...fitted.notes);
  try {
    const run = await retry(() => store.getRun(runId));
    const missing = unloggedParams(fitted.params, run.data.params);
    notes.push(...missing.notes);
    for (let i = 0; i < missing.params.length; i += 100) await retry(() => store.logBatch(runId, { params: missing.params.slice(i, i + 100) }));
  } catch (err) {
    notes.push(`params: not logged (${errorFirstLine(err)}).`);
  }
  await retry(() => store.logBatch(runId, { tags: endTags({ exitCode: end.exitCode, signal: null }, Math.max(0, endTime - end.startTime)) })).catch((err: unknown) =>
    notes.push(`end tags: not set (${errorFirstLine(err)}).`),
  );
  await retry<unknown>(() => store.updateRun(runId, { status, endTime })).catch((err: unknown) => notes.push(`final status: not set (${errorFirstLine(err)}); recovery will set it.`));
  return { status, notes };
}
