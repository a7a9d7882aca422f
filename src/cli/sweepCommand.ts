// `labbook sweep run FILE`: a sweep from a terminal or CI, through the same engine and queue as
// the editor (src/core/sweep, src/core/queue): trials are queue items in the local store, run by a
// worker in this process as tracked runs that log through a local MLflow-compatible endpoint.
// Progress lines go to stderr (stdout with --json gets one JSON object at the end). Ctrl-C pauses
// the sweep (its running trials are stopped and will run again), so `--resume` goes on from there.
// Exit 0: the sweep finished; 1: it failed, was stopped or paused; 2: usage or a bad sweep file.
// `labbook sweep export` is sweepExport.ts.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SqliteRuntime } from '../core/sqlite/openDatabase.ts';
import { parseSweepFile } from '../core/sweep/sweepFile.ts';
import { bestTrial } from '../core/sweep/sweepParent.ts';
import type { SweepRecord, SweepSpec, TrialRecord } from '../core/sweep/types.ts';
import { errorMessage } from '../shared/errorMessage.ts';
import type { RunCommandIo } from './runCommand.ts';
import { sweepWorkspace } from './sweepExport.ts';
import { parseCommandArgs, UsageError } from './usage.ts';

export const SWEEP_RUN_USAGE = `  sweep run  Run a sweep (.labbook/sweeps/NAME.yaml): its trials go through the run queue of
          the local store, N at a time (this process runs only this sweep's trials, whatever
          the editor's Pause), as child runs of the sweep's parent run; prints the best
          trial. Exit 0 when the sweep finished, 1 otherwise. Ctrl-C pauses it; --resume goes on.
          labbook sweep run FILE [options]
          --store FILE    the local store (default: .labbook/tracking.db in the workspace)
          --workers N     trials run at once by this process (default: cores - 1; the sweep's
                          parallelism caps it too)
          --python PY     the interpreter for the trials and Optuna; it wins over the
                          sweep's program.python (the default, else python3)
          --resume        go on with the most recent unfinished sweep of FILE
          --json          print the sweep and its trials as one JSON object at the end
`;

export const SWEEP_USAGE = `${SWEEP_RUN_USAGE}`;

const RUN_OPTIONS = {
  store: { type: 'string' },
  workers: { type: 'string' },
  python: { type: 'string' },
  resume: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function sweepCommand(args: string[], io: RunCommandIo, sqliteRuntime: SqliteRuntime = {}, signal?: AbortSignal): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'export') {
    const { sweepExportCommand } = await import('./sweepExport.ts');
    return sweepExportCommand(rest, io);
  }
  if (sub === 'run') return sweepRun(rest, io, sqliteRuntime, signal);
  if (sub === undefined || sub === '-h' || sub === '--help' || sub === 'help') {
    const { SWEEP_EXPORT_USAGE } = await import('./sweepExport.ts');
    io.stdout.write(`Usage: labbook sweep run|export FILE [options]\n\n${SWEEP_RUN_USAGE}${SWEEP_EXPORT_USAGE}`);
    return sub === undefined ? 2 : 0;
  }
  io.stderr.write(`labbook sweep: unknown subcommand '${sub}' (run, export)\n\n${SWEEP_RUN_USAGE}`);
  return 2;
}

interface RunArgs {
  readonly file: string;
  readonly store?: string;
  readonly workers?: number;
  readonly python?: string;
  readonly resume: boolean;
  readonly json: boolean;
}

function readRunArgs(args: string[]): RunArgs | 'help' {
  const { values, positionals } = parseCommandArgs(args, RUN_OPTIONS);
  if (values.help) return 'help';
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'give the sweep file' : `one sweep file at a time (got ${positionals.join(' ')})`);
  let workers: number | undefined;
  if (values.workers !== undefined) {
    workers = Number(values.workers);
    if (!Number.isInteger(workers) || workers < 1) throw new UsageError(`--workers must be a whole number ≥ 1, got ${values.workers}`);
  }
  return {
    file: positionals[0] as string,
    ...(values.store !== undefined ? { store: values.store } : {}),
    ...(workers !== undefined ? { workers } : {}),
    ...(values.python !== undefined ? { python: values.python } : {}),
    resume: values.resume === true,
    json: values.json === true,
  };
}

/** The sweep file, parsed; problems printed with where they are. */
function loadSpec(file: string, io: RunCommandIo): SweepSpec | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    io.stderr.write(`labbook sweep run: ${file} could not be read (${errorMessage(err)})\n`);
    return undefined;
  }
  const parsed = parseSweepFile(text, path.basename(file));
  if (parsed.spec) return parsed.spec;
  for (const problem of parsed.problems) io.stderr.write(`${file}:${problem.line + 1}:${problem.column + 1}: ${problem.message}\n`);
  return undefined;
}

async function sweepRun(args: string[], io: RunCommandIo, sqliteRuntime: SqliteRuntime, signal?: AbortSignal): Promise<number> {
  let request;
  try {
    request = readRunArgs(args);
  } catch (err) {
    io.stderr.write(`labbook sweep run: ${errorMessage(err)}\n\n${SWEEP_RUN_USAGE}`);
    return 2;
  }
  if (request === 'help') {
    io.stdout.write(`Usage: labbook sweep run FILE [options]\n\n${SWEEP_RUN_USAGE}`);
    return 0;
  }
  const file = path.resolve(io.cwd, request.file);
  const spec = loadSpec(file, io);
  if (!spec) return 2;
  const workspace = sweepWorkspace(file, io.cwd);
  const recorded = path.relative(workspace, file).split(path.sep).join('/');
  const storeFile = path.resolve(io.cwd, request.store ?? path.join(workspace, '.labbook', 'tracking.db'));
  const python = request.python ?? (spec.program.kind !== 'recipe' ? spec.program.python : undefined) ?? 'python3';
  const say = (text: string) => io.stderr.write(`[labbook] ${text}\n`);

  const { openSweepSession } = await import('./sweepSession.ts');
  const session = await openSweepSession({
    storeFile, workspace, python, sqliteRuntime, env: io.env,
    workers: request.workers ?? Math.max(1, os.availableParallelism() - 1),
    log: say,
  });
  try {
    let sweep: SweepRecord | undefined;
    if (request.resume) {
      sweep = session.sweeps.list().find((s) => (s.state === 'running' || s.state === 'paused') && path.resolve(workspace, s.file) === file);
      if (!sweep) say(`no unfinished sweep of ${recorded}: starting a new one.`);
      else if (!(await session.engine.resume(sweep.sweepId))) {
        io.stderr.write(`labbook sweep run: sweep ${sweep.name} (${sweep.sweepId}) is driven by another window or process right now; try again when it stops.\n`);
        return 1;
      } else say(`resuming sweep ${sweep.name} (${sweep.sweepId}): ${session.sweeps.trials(sweep.sweepId).filter((t) => t.state === 'finished').length} trials finished so far.`);
    }
    if (!sweep) {
      try {
        sweep = await session.engine.start(spec, recorded);
      } catch (err) {
        io.stderr.write(`labbook sweep run: ${errorMessage(err)}\n`);
        return 1;
      }
      say(`sweep ${sweep.name} (${sweep.sweepId}): ${spec.method} search, ${describeBudget(spec)}, ${Math.min(sweep.parallelism, session.workers)} at a time; runs in experiment '${spec.experiment ?? spec.name}' of ${storeFile}`);
    }
    const ended = await session.follow(sweep.sweepId, signal);
    const trials = session.sweeps.trials(ended.sweepId);
    const best = bestTrial(ended.spec, trials);
    if (request.json) io.stdout.write(`${JSON.stringify(sweepJson(ended, trials, best), null, 2)}\n`);
    else io.stdout.write(summary(ended, trials, best));
    return ended.state === 'finished' ? 0 : 1;
  } finally {
    await session.close();
  }
}

function describeBudget(spec: SweepSpec): string {
  const parts = [spec.budget.trials !== undefined ? `${spec.budget.trials} trials` : '', spec.budget.minutes !== undefined ? `${spec.budget.minutes} min` : ''].filter(Boolean);
  return parts.join(' or ') || 'no budget';
}

function summary(sweep: SweepRecord, trials: readonly TrialRecord[], best: TrialRecord | undefined): string {
  const counts = new Map<string, number>();
  for (const t of trials) counts.set(t.state, (counts.get(t.state) ?? 0) + 1);
  const lines = [`Sweep ${sweep.name} ${sweep.state}: ${trials.length} trials (${[...counts].map(([s, n]) => `${n} ${s}`).join(', ')}).${sweep.note ? ` ${sweep.note}` : ''}`];
  if (best) {
    lines.push(`Best: trial ${best.number}, ${sweep.spec.objective.metric} = ${best.value} (${sweep.spec.objective.goal})`);
    for (const [k, v] of Object.entries(best.params)) lines.push(`  ${k} = ${String(v)}`);
  }
  if (sweep.state === 'paused') lines.push(`Paused: labbook sweep run ${sweep.file} --resume goes on.`);
  return `${lines.join('\n')}\n`;
}

function sweepJson(sweep: SweepRecord, trials: readonly TrialRecord[], best: TrialRecord | undefined) {
  return {
    sweepId: sweep.sweepId,
    name: sweep.name,
    file: sweep.file,
    state: sweep.state,
    method: sweep.spec.method,
    objective: sweep.spec.objective,
    parentRunId: sweep.parentRunId,
    experimentId: sweep.experimentId,
    note: sweep.note,
    best: best ? { number: best.number, value: best.value, params: best.params } : null,
    trials: trials.map((t) => ({ number: t.number, state: t.state, value: t.value ?? null, params: t.params, note: t.note })),
  };
}
