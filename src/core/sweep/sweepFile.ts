// Reads `.labbook/sweeps/<name>.yaml`: the YAML with every node's position, checked against the
// shipped schema (the same file the YAML extension uses for hovers and completion), then turned
// into a SweepSpec with its defaults, and checked for what a schema cannot say (ranges, order of
// conditions, the grid's size). Never throws: every mistake is a problem on its line.
import { Ajv, type ValidateFunction } from 'ajv';
import { LineCounter, parseDocument } from 'yaml';
import schema from '../../../schemas/sweep.schema.json' with { type: 'json' };
import { buildParameters, type RawParam } from './sweepParams.ts';
import { gridSize } from './space.ts';
import type { EarlyStopping, ParamStyle, SweepBudget, SweepFileProblem, SweepMethod, SweepProgram, SweepSpec } from './types.ts';
import { schemaProblems, YamlLocator } from './yamlLocator.ts';

export const SWEEP_DIR = '.labbook/sweeps';

/** A grid larger than this is almost surely a mistake (and would take long to enumerate). */
export const MAX_GRID = 100_000;

export interface ParsedSweepFile {
  /** Set when there is no problem. */
  readonly spec?: SweepSpec;
  readonly problems: SweepFileProblem[];
}

let validator: ValidateFunction | undefined;
function validate(): ValidateFunction {
  // Compiled once: ajv generates code per schema, which need not be paid per keystroke.
  validator ??= new Ajv({ allErrors: true, verbose: true, allowUnionTypes: true, strict: true, strictRequired: false }).compile(schema);
  return validator;
}

type Scalar = string | number | boolean;
interface RawSweep {
  name?: string;
  description?: string;
  experiment?: string;
  program: string | { script?: string; notebook?: string; recipe?: string; args?: Scalar[]; parameters?: Record<string, unknown>; python?: string };
  paramStyle?: ParamStyle;
  parameters: Record<string, RawParam>;
  method: SweepMethod;
  objective: { metric: string; goal?: 'minimize' | 'maximize' };
  budget?: number | { trials?: number; minutes?: number };
  parallelism?: number;
  seeds?: number | number[];
  seedParam?: string;
  samplerSeed?: number;
  sampler?: SweepSpec['sampler'];
  earlyStopping?: { rule: 'median' | 'asha'; metric?: string; startupTrials?: number; warmupSteps?: number; minTrials?: number; minResource?: number; reductionFactor?: number; minEarlyStoppingRate?: number };
  env?: Record<string, Scalar>;
  dataPaths?: string[];
}

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** The sweep's name when the file does not give one: its base name without .yaml/.yml. */
export function sweepNameFromFile(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  return base.replace(/\.ya?ml$/i, '');
}

/** Parses, validates and defaults a sweep file's text. */
export function parseSweepFile(text: string, fileName: string): ParsedSweepFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = new YamlLocator(doc, lines, text);
  const problems: SweepFileProblem[] = doc.errors.map((e) => ({ message: `YAML: ${e.message.split('\n')[0] ?? e.message}`, ...at.position(e.pos[0]), path: '' }));
  if (problems.length > 0) return { problems };
  const data: unknown = doc.toJS();
  if (data === null || data === undefined) return { problems: [at.problem("the sweep file is empty: declare 'program', 'parameters', 'method' and 'objective'", [])] };
  const check = validate();
  if (!check(data)) return { problems: schemaProblems(check.errors ?? [], data, at, schema) };
  const raw = data as RawSweep;

  const name = raw.name ?? sweepNameFromFile(fileName);
  if (!SAFE_NAME.test(name)) {
    problems.push(
      raw.name === undefined
        ? at.problem(`the file name gives the sweep the name '${name}', which is not a safe name (letters, digits, - and _, at most 64): rename the file or set 'name'`, [])
        : at.problem(`'${name}' is not a safe sweep name: use letters, digits, - and _ (at most 64)`, ['name']),
    );
  }
  const program = buildProgram(raw.program, at, problems);
  const parameters = buildParameters(raw.parameters, at, problems);
  const seeds = typeof raw.seeds === 'number' ? Array.from({ length: raw.seeds }, (_, i) => i) : (raw.seeds ?? []);
  const seedParam = raw.seedParam ?? 'seed';
  if (seeds.length > 0 && seedParam in raw.parameters) {
    problems.push(at.problem(`'${seedParam}' is both a parameter and the seed parameter: rename one (seedParam)`, ['parameters', seedParam]));
  }
  const earlyStopping = raw.earlyStopping ? buildEarlyStopping(raw.earlyStopping, raw.objective.metric, at, problems) : undefined;
  const budgetIn: SweepBudget = typeof raw.budget === 'number' ? { trials: raw.budget } : (raw.budget ?? {});
  if (problems.length > 0 || !program) return { problems };

  const base: SweepSpec = {
    name,
    ...(raw.description !== undefined ? { description: raw.description } : {}),
    ...(raw.experiment !== undefined ? { experiment: raw.experiment } : {}),
    program,
    paramStyle: raw.paramStyle ?? 'flags',
    parameters,
    method: raw.method,
    objective: { metric: raw.objective.metric, goal: raw.objective.goal ?? 'minimize' },
    budget: budgetIn,
    parallelism: raw.parallelism ?? 2,
    seeds,
    seedParam,
    samplerSeed: raw.samplerSeed ?? 0,
    sampler: raw.sampler ?? 'tpe',
    ...(earlyStopping ? { earlyStopping } : {}),
    ...(raw.env ? { env: Object.fromEntries(Object.entries(raw.env).map(([k, v]) => [k, String(v)])) } : {}),
    ...(raw.dataPaths ? { dataPaths: raw.dataPaths } : {}),
  };
  if (raw.method === 'grid') {
    const size = gridSize(base);
    if (size > MAX_GRID) {
      problems.push(at.problem(`the grid has ${size.toLocaleString('en-US')} configurations, more than ${MAX_GRID.toLocaleString('en-US')}: use fewer values (gridPoints, step) or method random`, ['parameters']));
      return { problems };
    }
    const trials = Math.min(budgetIn.trials ?? size, size);
    return { spec: { ...base, budget: { ...budgetIn, trials } }, problems };
  }
  if (budgetIn.trials === undefined && budgetIn.minutes === undefined) {
    problems.push(at.problem(`method ${raw.method} needs a budget: 'budget: { trials: N }' or 'budget: { minutes: M }'`, raw.budget === undefined ? ['method'] : ['budget']));
    return { problems };
  }
  return { spec: base, problems };
}

function buildProgram(raw: RawSweep['program'], at: YamlLocator, problems: SweepFileProblem[]): SweepProgram | undefined {
  if (typeof raw === 'string') {
    // The schema's pattern allows only .py and .ipynb here.
    return raw.endsWith('.ipynb') ? { kind: 'notebook', file: raw } : { kind: 'script', file: raw };
  }
  const python = raw.python !== undefined ? { python: raw.python } : {};
  const before = problems.length;
  if (raw.script !== undefined) {
    if (!/\.py$/i.test(raw.script)) problems.push(at.problem(raw.script.endsWith('.ipynb') ? `'${raw.script}' is a notebook: write 'notebook: ${raw.script}'` : 'a script is a .py file', ['program', 'script']));
    if (raw.parameters !== undefined) problems.push(at.problem("'parameters' are a notebook's; a script takes 'args'", ['program', 'parameters']));
    if (problems.length > before) return undefined;
    return { kind: 'script', file: raw.script, ...(raw.args ? { args: raw.args.map(String) } : {}), ...python };
  }
  if (raw.notebook !== undefined) {
    if (!/\.ipynb$/i.test(raw.notebook)) problems.push(at.problem(raw.notebook.endsWith('.py') ? `'${raw.notebook}' is a script: write 'script: ${raw.notebook}'` : 'a notebook is a .ipynb file', ['program', 'notebook']));
    if (raw.args !== undefined) problems.push(at.problem("'args' are a script's; a notebook takes 'parameters'", ['program', 'args']));
    if (problems.length > before) return undefined;
    return { kind: 'notebook', file: raw.notebook, ...(raw.parameters ? { parameters: raw.parameters } : {}), ...python };
  }
  for (const key of ['args', 'parameters', 'python'] as const) {
    if (raw[key] !== undefined) problems.push(at.problem(`'${key}' comes from the recipe in .labbook/runs.json; set it there`, ['program', key]));
  }
  return problems.length > before ? undefined : { kind: 'recipe', recipe: raw.recipe ?? '' };
}

const MEDIAN_KEYS = ['startupTrials', 'warmupSteps', 'minTrials'] as const;
const ASHA_KEYS = ['minResource', 'reductionFactor', 'minEarlyStoppingRate'] as const;

function buildEarlyStopping(raw: NonNullable<RawSweep['earlyStopping']>, objective: string, at: YamlLocator, problems: SweepFileProblem[]): EarlyStopping | undefined {
  const other = raw.rule === 'median' ? ASHA_KEYS : MEDIAN_KEYS;
  const wrong = other.filter((k) => raw[k] !== undefined);
  for (const k of wrong) problems.push(at.problem(`applies to rule ${raw.rule === 'median' ? 'asha' : 'median'}, not ${raw.rule}`, ['earlyStopping', k]));
  if (wrong.length > 0) return undefined;
  const metric = raw.metric ?? objective;
  // Defaults as Optuna's MedianPruner and SuccessiveHalvingPruner (min_resource 1 rather than 'auto').
  return raw.rule === 'median'
    ? { rule: 'median', metric, startupTrials: raw.startupTrials ?? 5, warmupSteps: raw.warmupSteps ?? 0, minTrials: raw.minTrials ?? 1 }
    : { rule: 'asha', metric, minResource: raw.minResource ?? 1, reductionFactor: raw.reductionFactor ?? 4, minEarlyStoppingRate: raw.minEarlyStoppingRate ?? 0 };
}
