// A sweep as a Metaflow flow (`labbook sweep export` writes it as sweep_flow.py), for when one
// machine is not enough. Grid and random trials are computed here, by the same code as the
// in-editor sweeps, and embedded: the flow runs them as parallel `foreach` branches. Bayesian
// search runs in rounds of K parallel asks; a Metaflow graph is a DAG, so the rounds are unrolled
// (round_0 → trial_0 → join_0 → round_1 …) and each round rebuilds the Optuna study from the
// sweep's finished trial runs in the tracking server, which is thus the study's shared storage.
import path from 'node:path';
import { renderImportBlock, type ImportEntry } from '../pipeline/importBlock.ts';
import { pythonValue } from '../pipeline/literals.ts';
import type { JsonValue } from '../notebook/notebookModel.ts';
import { driverParams } from './optunaDriver.ts';
import { gridConfigs, randomConfigs } from './space.ts';
import { spaceSummary } from './sweepParent.ts';
import { BAYES_HELPERS, COMMON_HELPERS } from './sweepFlowPython.ts';
import { trialLaunch } from './trialLaunch.ts';
import type { ParamValue, SweepSpec } from './types.ts';

export interface SweepFlowOptions {
  /** The tracking server the trials log into (the flow's --tracking_uri default); else MLFLOW_TRACKING_URI when it runs. */
  readonly trackingUri?: string;
  /** The folder the program's file is relative to and the trials run in (the workspace). */
  readonly cwd: string;
  /** Bayes: trials asked per round (default: the sweep's parallelism). */
  readonly roundSize?: number;
  /** The folder sweep_flow.py is written to (default `cwd`): paths in the flow are relative to it. */
  readonly flowDir?: string;
  /** The sweep file, named in the header. */
  readonly sourceFile?: string;
  /** The flow's file name, for the commands in the header (default sweep_flow.py). */
  readonly fileName?: string;
}

/** A sweep the flow cannot run; the message says why and what to do. */
export class SweepExportError extends Error {
  override readonly name = 'SweepExportError';
}

/** One run of the flow: a configuration with one seed. */
interface FlowTrial {
  trial: number;
  seed: number | null;
  params: Record<string, ParamValue>;
  args: string[];
}

interface Layout {
  /** The trials' working folder relative to the flow's folder ('.' when the same). */
  workdir: string;
  /** The script relative to `workdir`. */
  script: string;
  warnings: string[];
}

const posix = (p: string) => p.split(path.sep).join('/');

function layout(spec: SweepSpec, options: SweepFlowOptions): Layout {
  const program = spec.program;
  if (program.kind === 'notebook') {
    throw new SweepExportError(`The sweep ${spec.name} runs a notebook (${program.file}); the Metaflow export runs script programs only. Point the sweep at a script (program: { script: … }), or run it with \`labbook sweep run\`.`);
  }
  if (program.kind === 'recipe') {
    throw new SweepExportError(`The sweep ${spec.name} runs the recipe ${program.recipe}; the Metaflow export runs script programs only. Put the recipe's script and args in the sweep file (program: { script: …, args: […] }), or run it with \`labbook sweep run\`.`);
  }
  const cwd = path.resolve(options.cwd);
  const flowDir = path.resolve(options.flowDir ?? cwd);
  const file = path.resolve(cwd, program.file);
  const workdir = posix(path.relative(flowDir, cwd)) || '.';
  const script = posix(path.relative(cwd, file));
  const warnings: string[] = [];
  const fromFlow = path.relative(flowDir, file);
  if (fromFlow.startsWith('..') || path.isAbsolute(fromFlow)) {
    warnings.push(`${posix(file)} is outside the flow's folder ${posix(flowDir)}: Metaflow's code package holds only the files under that folder, so the flow runs locally but not with --with kubernetes or --with batch. Write the flow to a folder that contains the script.`);
  } else if (workdir.startsWith('..')) {
    warnings.push(`The trials run in ${posix(cwd)}, above the flow's folder: that works locally only. Write the flow to ${posix(cwd)} to run it on a cluster.`);
  }
  if (program.python) warnings.push(`The sweep's python (${program.python}) is a local path: the flow runs the script with the interpreter Metaflow runs the step in.`);
  if (spec.earlyStopping) warnings.push(`Early stopping (${spec.earlyStopping.rule}) is not applied in the flow: every trial runs to its end.`);
  return { workdir, script, warnings };
}

function trialBudget(spec: SweepSpec): number {
  const trials = spec.budget.trials;
  if (trials === undefined || !Number.isInteger(trials) || trials < 1) {
    throw new SweepExportError(`The ${spec.method} sweep ${spec.name} has no trial budget (budget: { trials: N }): the flow needs to know how many trials to run.`);
  }
  return trials;
}

/** The (configuration, seed) runs of a grid or random sweep, with the exact args Labbook's own launches give them. */
export function flowTrials(spec: SweepSpec, cwd: string): FlowTrial[] {
  const configs = spec.method === 'grid' ? gridConfigs(spec).slice(0, spec.budget.trials ?? Infinity) : randomConfigs(spec, 0, trialBudget(spec));
  const seeds: ReadonlyArray<number | undefined> = spec.seeds.length ? spec.seeds : [undefined];
  const ctx = { cwd, experimentName: spec.experiment ?? spec.name, target: '', sweepId: '', parentRunId: '' };
  const trials: FlowTrial[] = [];
  for (const config of configs) {
    for (const seed of seeds) {
      const launch = trialLaunch(spec, config, seed, ctx);
      const params = seed === undefined ? { ...config.params } : { ...config.params, [spec.seedParam]: seed };
      trials.push({ trial: config.number, seed: seed ?? null, params, args: [...(launch.args ?? [])] });
    }
  }
  return trials;
}

/** Why the flow may not run everywhere (a script outside the code package, a local interpreter…); empty when none. */
export function sweepFlowWarnings(spec: SweepSpec, options: SweepFlowOptions): string[] {
  return layout(spec, options).warnings;
}

function className(name: string): string {
  const pascal = name
    .replace(/[^A-Za-z0-9]+/g, ' ')
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => (w[0] ?? '').toUpperCase() + w.slice(1))
    .join('');
  return `${/^[A-Za-z]/.test(pascal) ? pascal : `Sweep${pascal}`}SweepFlow`;
}

const py = (value: unknown) => pythonValue(value as JsonValue);

/**
 * Text from the sweep file for a docstring: one line, with every backslash and quote escaped, so a
 * metric or path can neither end the docstring (and run code when the flow is imported) nor break
 * the file (a newline, `\N`, a NUL). Values the flow uses go in as py() literals instead.
 */
export function docText(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\\"]/g, (c) => `\\${c}`).replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]/g, ' ');
}

/** A list constant, one element per line. */
function listConstant(name: string, values: readonly unknown[]): string[] {
  if (values.length === 0) return [`${name} = []`];
  return [`${name} = [`, ...values.map((v) => `    ${py(v)},`), ']'];
}

function header(spec: SweepSpec, options: SweepFlowOptions, lay: Layout, shape: string): string[] {
  const uri = options.trackingUri ? '' : ' --tracking_uri http://mlflow.example:5000';
  const source = options.sourceFile ? ` from ${docText(posix(options.sourceFile))}` : '';
  const flow = docText(options.fileName ?? 'sweep_flow.py');
  return [
    `"""The sweep ${docText(spec.name)} as a Metaflow flow, exported by Labbook${source}.`,
    '',
    shape,
    'Each trial is a child run (mlflow.parentRunId) of the sweep\'s parent run in the tracking server:',
    'the script runs with MLFLOW_TRACKING_URI and MLFLOW_RUN_ID set, so its own mlflow calls log into',
    'its trial\'s run, and LABBOOK_TRIAL_PARAMS holds its params as JSON. The parent run gets',
    `best_${docText(spec.objective.metric)} and the best run (tag labbook.sweep.best_run) at the end.`,
    '',
    'Run it locally, at most --max-workers trials at a time:',
    '',
    `    python ${flow} run --max-workers ${spec.parallelism}${uri}`,
    '',
    'Resume an interrupted sweep (its finished trials are not run again):',
    '',
    `    python ${flow} run --resume-run PARENT_RUN_ID`,
    '',
    'It scales out unchanged, each trial in its own container, once Metaflow is configured for a cluster:',
    '',
    `    python ${flow} run --with kubernetes`,
    `    python ${flow} run --with batch`,
    '',
    `Metaflow's code package holds the .py files under this file's folder, so ${docText(lay.script)} must be there`,
    '(other files it reads need --package-suffixes, or live in storage the containers can read); the',
    'tracking server must be reachable from the cluster, with its credentials (MLFLOW_TRACKING_TOKEN…)',
    'in the containers\' environment (e.g. --with environment:vars=…). The containers need',
    `metaflow${spec.method === 'bayes' ? ', mlflow and optuna' : ' and mlflow'}. A foreach over more than 100 trials needs --max-num-splits.`,
    ...(spec.earlyStopping ? ['', `Early stopping (${spec.earlyStopping.rule}) is not applied here: every trial runs to its end.`] : []),
    '"""',
  ];
}

function imports(bayes: boolean): string {
  const entries: ImportEntry[] = [
    ...['json', 'os', 'statistics', 'subprocess', 'sys', 'time', 'uuid'].map((module) => ({ module })),
    ...(bayes ? [{ module: 'optuna' }] : []),
    ...['FlowSpec', 'Parameter', 'current', 'step'].map((name) => ({ module: 'metaflow', name })),
    { module: 'mlflow.entities', name: 'Param' },
    { module: 'mlflow.exceptions', name: 'MlflowException' },
    { module: 'mlflow.tracking', name: 'MlflowClient' },
  ];
  return renderImportBlock(entries, new Set());
}

const TRIAL_STEP_BODY = [
  '        self.result = None',
  '        if self.input is not None and not past(self.deadline):',
  '            self.result = run_trial(self.tracking, self.parent_run_id, self.sweep_id, self.input, task_label())',
];

const SHARED = '["tracking", "parent_run_id", "sweep_id", "deadline", "results"]';

function startStep(first: string, next: string): string[] {
  return [
    '    @step',
    '    def start(self):',
    '        """Opens the sweep\'s parent run (or reopens --resume-run)."""',
    '        self.tracking = self.tracking_uri or os.environ.get("MLFLOW_TRACKING_URI", "")',
    '        if not self.tracking:',
    '            raise ValueError("no tracking server: pass --tracking_uri URI or set MLFLOW_TRACKING_URI")',
    '        metaflow_run = "%s/%s" % (current.flow_name, current.run_id)',
    '        self.parent_run_id, self.sweep_id = open_parent(self.tracking, self.resume_run, metaflow_run)',
    '        self.deadline = None if BUDGET_MINUTES is None else time.time() + BUDGET_MINUTES * 60',
    '        self.results = []',
    ...(first ? [`        ${first}`] : []),
    `        ${next}`,
    '',
  ];
}

function finalJoin(name: string, doc: string): string[] {
  return [
    '    @step',
    `    def ${name}(self, inputs):`,
    `        """${doc}"""`,
    `        self.merge_artifacts(inputs, include=${SHARED})`,
    '        self.results = self.results + [i.result for i in inputs if i.result is not None]',
    '        self.best = finish_sweep(self.tracking, self.parent_run_id)',
    '        self.next(self.end)',
    '',
  ];
}

function gridSteps(): string[] {
  return [
    ...startStep('self.trials = pending(self.tracking, self.parent_run_id, TRIALS) if self.resume_run else (TRIALS or [None])', 'self.next(self.trial, foreach="trials")'),
    '    @step',
    '    def trial(self):',
    '        """One configuration with one seed, as a child run (None: nothing left to run)."""',
    ...TRIAL_STEP_BODY,
    '        self.next(self.join)',
    '',
    ...finalJoin('join', 'Collects the objectives; logs the best on the parent run and ends it.'),
  ];
}

function bayesSteps(rounds: number): string[] {
  const lines = startStep('', 'self.next(self.round_0)');
  for (let i = 0; i < rounds; i++) {
    lines.push(
      '    @step',
      `    def round_${i}(self):`,
      `        """Round ${i + 1} of ${rounds}: up to ROUND_SIZE asks of the study rebuilt from the tracking server."""`,
      '        self.asked = ask_round(self.tracking, self.parent_run_id, self.deadline)',
      `        self.next(self.trial_${i}, foreach="asked")`,
      '',
      '    @step',
      `    def trial_${i}(self):`,
      '        """One asked configuration with one seed, as a child run (None: the budget is spent)."""',
      ...TRIAL_STEP_BODY,
      `        self.next(self.join_${i})`,
      '',
    );
    if (i === rounds - 1) {
      lines.push(...finalJoin(`join_${i}`, `Ends round ${i + 1}; logs the best on the parent run and ends it.`));
    } else {
      lines.push(
        '    @step',
        `    def join_${i}(self, inputs):`,
        `        """Ends round ${i + 1}: its trials are in the tracking server for the next round's study."""`,
        `        self.merge_artifacts(inputs, include=${SHARED})`,
        '        self.results = self.results + [i.result for i in inputs if i.result is not None]',
        `        self.next(self.round_${i + 1})`,
        '',
      );
    }
  }
  return lines;
}

/** The source of sweep_flow.py for `spec`; throws SweepExportError for a sweep the flow cannot run. */
export function sweepFlowSource(spec: SweepSpec, options: SweepFlowOptions): string {
  const lay = layout(spec, options);
  const bayes = spec.method === 'bayes';
  const program = spec.program.kind === 'script' ? spec.program : undefined;
  const trials = bayes ? [] : flowTrials(spec, options.cwd);
  const budget = bayes ? trialBudget(spec) : trials.length;
  const roundSize = Math.max(1, Math.floor(options.roundSize ?? spec.parallelism));
  if (!Number.isFinite(roundSize)) throw new SweepExportError(`The round size must be a whole number of trials, got ${options.roundSize}.`);
  const rounds = bayes ? Math.ceil(budget / roundSize) : 0;
  const shape = bayes
    ? `Bayesian search (Optuna, ${spec.sampler}) for ${budget} trials in ${rounds} round(s) of up to ${roundSize} parallel trials: each round\nrebuilds the study from the sweep's finished trial runs in the tracking server and asks the next ones.\n`
    : `A ${spec.method} search: ${trials.length} run(s) (configurations × seeds), computed by Labbook and run as\nparallel foreach branches.\n`;
  const constants = [
    `SWEEP_NAME = ${py(spec.name)}`,
    `EXPERIMENT = ${py(spec.experiment ?? spec.name)}`,
    `METHOD = ${py(spec.method)}`,
    `OBJECTIVE = ${py(spec.objective.metric)}`,
    `GOAL = ${py(spec.objective.goal)}`,
    `TRACKING_URI = ${py(options.trackingUri ?? '')}`,
    "# The trials run in WORKDIR (relative to this file's folder, i.e. to Metaflow's code package).",
    `WORKDIR = ${py(lay.workdir)}`,
    `SCRIPT = ${py(lay.script)}`,
    `BASE_ARGS = ${py(program?.args ?? [])}`,
    `PARAM_STYLE = ${py(spec.paramStyle)}`,
    `SWEEP_ENV = ${py(spec.env ?? {})}`,
    '# The parent run\'s params: the space, the method and the objective (as Labbook\'s own sweeps log them).',
    `PARENT_PARAMS = ${py(Object.fromEntries(spaceSummary(spec).map((p) => [p.key, p.value])))}`,
    `BUDGET_MINUTES = ${spec.budget.minutes === undefined ? 'None' : py(spec.budget.minutes)}`,
    ...(bayes
      ? [
          ...listConstant('SPACE', driverParams(spec)),
          `SEEDS = ${py(spec.seeds)}`,
          `SEED_PARAM = ${py(spec.seedParam)}`,
          `BUDGET_TRIALS = ${budget}`,
          `ROUND_SIZE = ${roundSize}`,
          `SAMPLER = ${py(spec.sampler)}`,
          `SAMPLER_SEED = ${py(spec.samplerSeed)}`,
        ]
      : ['# One entry per run: the trial number, its seed, its params and the exact args Labbook gives it.', ...listConstant('TRIALS', trials)]),
  ];
  const cls = className(spec.name);
  const lines = [
    ...header(spec, options, lay, shape),
    '',
    imports(bayes),
    '',
    ...constants,
    '',
    '',
    COMMON_HELPERS.trim(),
    ...(bayes ? ['', '', BAYES_HELPERS.trim()] : []),
    '',
    '',
    `class ${cls}(FlowSpec):`,
    `    """Sweep ${docText(spec.name)}: ${spec.method} search, ${spec.objective.goal} ${docText(spec.objective.metric)}."""`,
    '',
    '    tracking_uri = Parameter("tracking_uri", default=TRACKING_URI, help="the MLflow tracking server (default: MLFLOW_TRACKING_URI)")',
    '    resume_run = Parameter("resume-run", default="", help="the parent run of an interrupted run of this sweep, to go on with")',
    '',
    ...(bayes ? bayesSteps(rounds) : gridSteps()),
    '    @step',
    '    def end(self):',
    '        """Prints the parent run, the trials run and the best as JSON."""',
    '        print(json.dumps({"parent_run_id": self.parent_run_id, "runs": len(self.results), "best": self.best}, sort_keys=True))',
    '',
    '',
    'if __name__ == "__main__":',
    `    ${cls}()`,
    '',
  ];
  return lines.join('\n');
}
