// A sweep file's parameters as ParamSpecs: the shorthands (a list is categorical, a single value
// is fixed, a range without `type` is int when both bounds are written as whole numbers), and the
// checks a schema cannot express (bounds, log scales, conditions on earlier parameters).
import type { ParamSpec, ParamValue, SweepFileProblem } from './types.ts';
import type { YamlLocator } from './yamlLocator.ts';

type Scalar = string | number | boolean;
export type RawParam =
  | Scalar
  | Scalar[]
  | { type?: 'categorical' | 'int' | 'float'; values?: Scalar[]; low?: number; high?: number; step?: number; log?: boolean; gridPoints?: number; when?: { param: string; in: Scalar[] } };

const RANGE_KEYS = ['low', 'high', 'step', 'log', 'gridPoints'] as const;

/** Ordered as written: a condition may only name an earlier parameter. */
export function buildParameters(raw: Readonly<Record<string, RawParam>>, at: YamlLocator, problems: SweepFileProblem[]): Record<string, ParamSpec> {
  const out: Record<string, ParamSpec> = {};
  const names = Object.keys(raw);
  names.forEach((name, index) => {
    const spec = buildParam(name, raw[name] as RawParam, at, problems);
    if (!spec) return;
    const when = spec.when;
    if (when) {
      const where = ['parameters', name, 'when', 'param'];
      const target = names.indexOf(when.param);
      if (target < 0) problems.push(at.problem(`'${when.param}' is not a parameter of this sweep`, where));
      else if (target >= index) problems.push(at.problem(`'${when.param}' must come before '${name}' (a condition names an earlier parameter)`, where));
      else {
        const ref = out[when.param];
        if (ref?.type === 'categorical' && !when.in.some((v) => ref.values.includes(v))) {
          problems.push(at.problem(`none of ${JSON.stringify(when.in)} is a value of '${when.param}': '${name}' would never be used`, ['parameters', name, 'when', 'in']));
        }
      }
    }
    out[name] = spec;
  });
  return out;
}

function looksFloat(source: string, value: number): boolean {
  return !Number.isInteger(value) || /[.eE]/.test(source);
}

function buildParam(name: string, raw: RawParam, at: YamlLocator, problems: SweepFileProblem[]): ParamSpec | undefined {
  const base = ['parameters', name];
  if (Array.isArray(raw)) return { type: 'categorical', values: raw };
  if (typeof raw !== 'object') return { type: 'categorical', values: [raw] };
  const before = problems.length;
  const when = raw.when ? { when: { param: raw.when.param, in: raw.when.in as readonly ParamValue[] } } : {};
  const inferred = raw.values !== undefined ? 'categorical' : looksFloat(at.source([...base, 'low']), raw.low ?? 0) || looksFloat(at.source([...base, 'high']), raw.high ?? 0) ? 'float' : 'int';
  const type = raw.type ?? inferred;
  if (type === 'categorical') {
    for (const k of RANGE_KEYS) if (raw[k] !== undefined) problems.push(at.problem(`'${k}' applies to int and float ranges, not to a list of values`, [...base, k]));
    if (raw.values === undefined) problems.push(at.problem("a categorical parameter needs 'values'", base));
    return problems.length > before || raw.values === undefined ? undefined : { type, values: raw.values, ...when };
  }
  if (raw.values !== undefined) problems.push(at.problem(`'values' is for categorical parameters; an ${type} range takes 'low' and 'high'`, [...base, 'values']));
  if (raw.low === undefined || raw.high === undefined) {
    problems.push(at.problem(`an ${type} range needs 'low' and 'high'`, base));
    return undefined;
  }
  const { low, high, step, log } = raw;
  if (type === 'int') {
    for (const k of ['low', 'high', 'step'] as const) {
      const v = raw[k];
      if (v !== undefined && !Number.isInteger(v)) problems.push(at.problem(`must be a whole number for an int parameter`, [...base, k]));
    }
  }
  if (low >= high) problems.push(at.problem(`low (${low}) must be less than high (${high})`, [...base, 'low']));
  if (log === true && low <= 0) problems.push(at.problem(`a log range needs low > 0 (got ${low})`, [...base, 'low']));
  // Optuna's distributions refuse these combinations; say so here rather than when a bayes sweep starts.
  if (log === true && step !== undefined && (type === 'float' || step !== 1)) {
    problems.push(at.problem(type === 'float' ? "'step' and 'log' cannot be combined for a float" : "an int with 'log' can only have step 1", [...base, 'step']));
  }
  if (step !== undefined && step > high - low && low < high) problems.push(at.problem(`step (${step}) is larger than the range ${low}..${high}`, [...base, 'step']));
  if (problems.length > before) return undefined;
  const opt = { ...(step !== undefined ? { step } : {}), ...(log !== undefined ? { log } : {}), ...(raw.gridPoints !== undefined ? { gridPoints: raw.gridPoints } : {}), ...when };
  return { type, low, high, ...opt };
}
