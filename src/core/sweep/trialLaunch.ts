// The queue item a trial becomes: the program with the trial's parameters added the way the
// program reads them (flags, Hydra overrides, notebook parameters), the tags that tie the run to
// its sweep and parent run, and LABBOOK_TRIAL_PARAMS for programs that read JSON.
import path from 'node:path';
import type { QueueLaunch } from '../queue/types.ts';
import type { ParamStyle, ParamValue, SweepSpec, TrialConfig } from './types.ts';

/** A recipe of .labbook/runs.json, resolved by the caller (the engine) for `program: { recipe }`. */
export interface ResolvedRecipe {
  readonly kind: 'script' | 'notebook';
  readonly file: string;
  readonly args?: readonly string[];
  readonly parameters?: Readonly<Record<string, unknown>>;
  readonly env?: Readonly<Record<string, string>>;
  readonly dataPaths?: readonly string[];
  /** The interpreter the recipe names, if any (an explicit TrialLaunchContext.python still wins). */
  readonly python?: string;
  /** The folder the recipe runs in (its runs.json `cwd`), relative to the workspace or absolute: trials run there, as Queue Run does. */
  readonly cwd?: string;
  readonly experimentName?: string;
  readonly name: string;
}

export interface TrialLaunchContext {
  readonly cwd: string;
  readonly experimentName: string;
  readonly target: string;
  readonly sweepId: string;
  /** '' when the parent run is not created yet: the tag is then left out. */
  readonly parentRunId: string;
  readonly python?: string;
  readonly recipe?: ResolvedRecipe;
}

export const TRIAL_PARAMS_ENV = 'LABBOOK_TRIAL_PARAMS';

/** What a redacted environment value reads as. */
export const REDACTED = '<set>';

/**
 * A launch to print (`labbook queue list --json`, tooltips): the environment's names without their
 * values, which may be secrets (the trial's own params, LABBOOK_TRIAL_PARAMS, are shown). The queue
 * item itself keeps the values: the process that runs it later needs them.
 */
export function redactedLaunch(launch: QueueLaunch): QueueLaunch {
  if (!launch.env) return launch;
  return { ...launch, env: Object.fromEntries(Object.entries(launch.env).map(([k, v]) => [k, k === TRIAL_PARAMS_ENV ? v : REDACTED])) };
}

/** A value as a command line writes it: numbers in JavaScript's shortest round-trip form, which Python's float() reads. */
function text(v: ParamValue): string {
  return String(v);
}

/** The trial's parameters as command-line arguments for a script. */
export function paramArgs(style: ParamStyle, params: Readonly<Record<string, ParamValue>>): string[] {
  if (style === 'none') return [];
  return Object.entries(params).map(([k, v]) => (style === 'flags' ? `--${k}=${text(v)}` : `${k}=${text(v)}`));
}

export class RecipeMissingError extends Error {
  constructor(recipe: string) {
    super(`The sweep's program is the recipe '${recipe}', which is not in .labbook/runs.json.`);
    this.name = 'RecipeMissingError';
  }
}

/** The launch of one trial (with one seed, when the sweep has seeds). Throws RecipeMissingError when a recipe program is not resolved. */
export function trialLaunch(spec: SweepSpec, trial: TrialConfig, seed: number | undefined, ctx: TrialLaunchContext): QueueLaunch {
  const params: Record<string, ParamValue> = { ...trial.params, ...(seed !== undefined ? { [spec.seedParam]: seed } : {}) };
  const program = spec.program;
  let kind: 'script' | 'notebook';
  let file: string;
  let baseArgs: readonly string[] = [];
  let baseParameters: Readonly<Record<string, unknown>> = {};
  let recipeEnv: Readonly<Record<string, string>> = {};
  let dataPaths = spec.dataPaths;
  let python = ctx.python;
  let cwd = ctx.cwd;
  if (program.kind === 'recipe') {
    const r = ctx.recipe;
    if (!r || r.name !== program.recipe) throw new RecipeMissingError(program.recipe);
    kind = r.kind;
    file = r.file;
    baseArgs = r.args ?? [];
    baseParameters = r.parameters ?? {};
    recipeEnv = r.env ?? {};
    dataPaths ??= r.dataPaths;
    python ??= r.python;
    if (r.cwd) {
      // The recipe's program is relative to the workspace, not to the folder it runs in.
      cwd = path.resolve(ctx.cwd, r.cwd);
      file = path.resolve(ctx.cwd, r.file);
    }
  } else {
    kind = program.kind;
    file = program.file;
    if (program.kind === 'script') baseArgs = program.args ?? [];
    else baseParameters = program.parameters ?? {};
    python ??= program.python;
  }
  const tags: Record<string, string> = {
    ...(ctx.parentRunId ? { 'mlflow.parentRunId': ctx.parentRunId } : {}),
    'labbook.sweep.id': ctx.sweepId,
    'labbook.sweep.name': spec.name,
    'labbook.sweep.trial': String(trial.number),
    ...(seed !== undefined ? { 'labbook.sweep.seed': String(seed) } : {}),
    ...(program.kind === 'recipe' ? { 'labbook.recipe': program.recipe } : {}),
  };
  return {
    kind,
    file,
    ...(kind === 'script' ? { args: [...baseArgs, ...paramArgs(spec.paramStyle, params)] } : { parameters: { ...baseParameters, ...params } }),
    cwd,
    env: { ...recipeEnv, ...spec.env, [TRIAL_PARAMS_ENV]: JSON.stringify(params) },
    ...(dataPaths && dataPaths.length > 0 ? { dataPaths: [...dataPaths] } : {}),
    experimentName: ctx.experimentName,
    runName: `${spec.name} #${trial.number}${seed !== undefined ? ` seed ${seed}` : ''}`,
    ...(python !== undefined ? { python } : {}),
    tags,
    target: ctx.target,
  };
}
