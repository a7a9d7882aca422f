// Starting points for a sweep file: a commented template for a program, and a sweep around a run
// that already worked (its params become ranges around their values, one of its metrics the
// objective). Text, not a YAML dump, so the comments that teach the format survive.
import path from 'node:path';
import { SWEEP_DIR } from './sweepFile.ts';
import type { ParamValue } from './types.ts';

/** A name the sweep file accepts: letters, digits, - and _, at most 64. */
export function safeSweepName(name: string): string {
  const s = name
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/^[-_]+|-+$/g, '')
    .slice(0, 64);
  return s || 'sweep';
}

/**
 * Where New Sweep writes the sweep `name`: `<root>/.labbook/sweeps/<name>.yaml`. Throws when the
 * name is not a safe sweep name (a command argument may hold `../x`): the file never lands
 * outside .labbook/sweeps.
 */
export function sweepFilePath(root: string, name: string): string {
  if (name !== safeSweepName(name)) throw new Error(`'${name}' is not a safe sweep name: use letters, digits, - and _ (at most 64), starting with a letter or digit.`);
  const dir = path.resolve(root, ...SWEEP_DIR.split('/'));
  const file = path.resolve(dir, `${name}.yaml`);
  if (path.dirname(file) !== dir) throw new Error(`The sweep file ${file} would be outside ${dir}.`);
  return file;
}

/** A YAML scalar: plain when it reads back as the same value, else JSON-quoted (JSON is YAML). */
function scalar(v: ParamValue): string {
  if (typeof v !== 'string') return String(v);
  return /^[A-Za-z_][A-Za-z0-9_./-]*$/.test(v) && !/^(true|false|yes|no|on|off|null|y|n|~)$/i.test(v) ? v : JSON.stringify(v);
}

function key(k: string): string {
  return /^[A-Za-z_][A-Za-z0-9_.-]*$/.test(k) ? k : JSON.stringify(k);
}

function programLine(program: { kind: 'script' | 'notebook'; file: string }): string {
  return `program:\n  ${program.kind}: ${JSON.stringify(program.file)}`;
}

function styleLine(kind: 'script' | 'notebook'): string[] {
  return kind === 'script'
    ? ['# How the script gets a trial\'s parameters: flags (--lr=0.01), hydra (lr=0.01) or none', '# (read the JSON variable LABBOOK_TRIAL_PARAMS).', 'paramStyle: flags']
    : ['# A notebook gets them as parameters, injected after its cell tagged "parameters".'];
}

const TAIL = [
  '# Each configuration once per seed (passed as --seed); its value is the mean.',
  '# seeds: [0, 1, 2]',
  '# Stop unpromising trials from the steps of a metric (Optuna\'s pruners):',
  '# earlyStopping:',
  '#   rule: median        # or asha (successive halving)',
  '#   startupTrials: 5',
];

/** A commented sweep file for a program, to edit before starting it. */
export function sweepTemplate(program: { kind: 'script' | 'notebook'; file: string }, name: string): string {
  return [
    `# Sweep ${safeSweepName(name)}: hover a key for help. Start it with Labbook: Start Sweep, or`,
    `# labbook sweep run .labbook/sweeps/${safeSweepName(name)}.yaml`,
    `name: ${safeSweepName(name)}`,
    programLine(program),
    ...styleLine(program.kind),
    '# grid: every combination; random: samples; bayes: Optuna learns from finished trials.',
    'method: random',
    'objective:',
    '  metric: val_loss       # a metric your program logs',
    '  goal: minimize',
    'parameters:',
    '  lr: { low: 0.0001, high: 0.1, log: true }',
    '  batch_size: [32, 64, 128]',
    '  # momentum: { low: 0.8, high: 0.99, when: { param: optimizer, in: [sgd] } }',
    'budget:',
    '  trials: 20',
    '  # minutes: 60',
    'parallelism: 2',
    ...TAIL,
    '',
  ].join('\n');
}

export interface RunForSweep {
  readonly name: string;
  readonly params: Readonly<Record<string, string>>;
  readonly file: string;
  readonly kind: 'script' | 'notebook';
  readonly metrics: readonly string[];
}

function tidy(x: number): number {
  return Number(x.toPrecision(6));
}

/** A parameter's range around the value a run used. */
export function rangeAround(value: string): string {
  const v = value.trim();
  if (/^(true|false)$/i.test(v)) return '[true, false]';
  const n = v === '' ? Number.NaN : Number(v);
  if (!Number.isFinite(n)) return `[${scalar(value)}]`;
  if (/^[-+]?\d+$/.test(v)) {
    // ±50%, at least ±1; a positive count stays positive.
    const d = Math.max(1, Math.round(Math.abs(n) * 0.5));
    const low = n >= 1 ? Math.max(1, n - d) : n - d;
    return `{ type: int, low: ${low}, high: ${n + d} }`;
  }
  if (n > 0) return `{ type: float, low: ${tidy(n / 10)}, high: ${tidy(n * 10)}, log: true }`;
  if (n < 0) return `{ type: float, low: ${tidy(n * 10)}, high: ${tidy(n / 10)} }`;
  return '{ type: float, low: 0.0, high: 0.1 }';
}

/** The objective a run suggests: a loss to minimize, else a score to maximize, else an error to minimize. */
export function objectiveFor(metrics: readonly string[]): { metric: string; goal: 'minimize' | 'maximize'; guessed: boolean } {
  const byPreference = (re: RegExp) => {
    const found = metrics.filter((m) => re.test(m));
    // A validation or test metric says more about a configuration than the training one.
    return found.find((m) => /val|valid|test|eval/i.test(m)) ?? found[0];
  };
  const loss = byPreference(/loss/i);
  if (loss) return { metric: loss, goal: 'minimize', guessed: false };
  const score = byPreference(/acc|auc|f1|r2|precision|recall|score/i);
  if (score) return { metric: score, goal: 'maximize', guessed: false };
  const error = byPreference(/err|rmse|mse|mae|perplexity/i);
  if (error) return { metric: error, goal: 'minimize', guessed: false };
  return { metric: metrics[0] ?? 'loss', goal: 'minimize', guessed: true };
}

/** A sweep around a run: its parameters as ranges around their values, random search, 20 trials. */
export function sweepAroundRun(run: RunForSweep, name: string): string {
  const objective = objectiveFor(run.metrics);
  const params = Object.entries(run.params).filter(([k]) => !k.startsWith('labbook.') && !k.startsWith('mlflow.'));
  const lines = params.length > 0 ? params.map(([k, v]) => `  ${key(k)}: ${rangeAround(v)}   # was ${v.replace(/\s+/g, ' ').slice(0, 60)}`) : ['  lr: { low: 0.0001, high: 0.1, log: true }   # the run logged no params: an example'];
  return [
    `# Sweep ${safeSweepName(name)} around the run ${JSON.stringify(run.name)}: each parameter ranges around the`,
    '# value the run used (floats ×/÷ 10 on a log scale, ints ±50%). Narrow them, remove the',
    '# ones not to vary (or give a single value), then Labbook: Start Sweep.',
    `name: ${safeSweepName(name)}`,
    programLine(run),
    ...styleLine(run.kind),
    'method: random',
    'objective:',
    `  metric: ${scalar(objective.metric)}${objective.guessed ? '   # check: the metric to optimize' : ''}`,
    `  goal: ${objective.goal}`,
    'parameters:',
    ...lines,
    'budget:',
    '  trials: 20',
    'parallelism: 2',
    ...TAIL,
    '',
  ].join('\n');
}
