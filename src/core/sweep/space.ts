// The search space of a sweep: the grid's configurations, reproducible random samples, which
// parameters a configuration uses (conditions), and the same space as Optuna distributions for
// the bayes driver.
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import type { ParamSpec, ParamValue, SweepSpec, TrialConfig } from './types.ts';

type Params = Readonly<Record<string, ParamValue>>;
type Space = Pick<SweepSpec, 'parameters'>;

/**
 * 12 significant digits, so grid points computed as low + k·step print as 0.3, not
 * 0.30000000000000004; only when that moves the value by a negligible part of `scale` (the step),
 * which a tiny step far from zero would not allow.
 */
function tidy(x: number, scale: number): number {
  const t = Number(x.toPrecision(12));
  return Math.abs(t - x) <= Math.abs(scale) * 1e-9 ? t : x;
}

function unique(values: readonly ParamValue[]): ParamValue[] {
  return values.filter((v, i) => values.indexOf(v) === i);
}

function evenly(low: number, high: number, n: number, log: boolean): number[] {
  if (n <= 1) return [low];
  if (!log) return Array.from({ length: n }, (_, k) => (k === n - 1 ? high : tidy(low + ((high - low) * k) / (n - 1), (high - low) / (n - 1))));
  const a = Math.log(low);
  const b = Math.log(high);
  return Array.from({ length: n }, (_, k) => {
    if (k === 0 || k === n - 1) return k === 0 ? low : high;
    const x = Math.exp(a + ((b - a) * k) / (n - 1));
    return tidy(x, x);
  });
}

function stepped(low: number, high: number, step: number): number[] {
  // The tolerance keeps `high` when (high - low) / step is whole but computed as 3.9999999999999996.
  const n = Math.floor((high - low) / step + 1e-9);
  return Array.from({ length: n + 1 }, (_, k) => tidy(low + k * step, step));
}

/** The values a grid takes for one parameter, without duplicates, in order. */
export function gridValues(p: ParamSpec): ParamValue[] {
  switch (p.type) {
    case 'categorical':
      return unique(p.values);
    case 'int':
      return p.gridPoints !== undefined ? unique(evenly(p.low, p.high, p.gridPoints, p.log === true).map(Math.round)) : stepped(p.low, p.high, p.step ?? 1);
    case 'float':
      return p.step !== undefined ? stepped(p.low, p.high, p.step) : unique(evenly(p.low, p.high, p.gridPoints ?? 5, p.log === true));
  }
}

function isActive(p: ParamSpec, params: Params): boolean {
  if (!p.when) return true;
  const v = params[p.when.param];
  return v !== undefined && p.when.in.includes(v);
}

/** The parameters a configuration uses, in file order: those without a condition, and those whose condition holds. */
export function activeParams(spec: Space, params: Params): string[] {
  return Object.entries(spec.parameters)
    .filter(([, p]) => isActive(p, params))
    .map(([name]) => name);
}

/**
 * Every configuration, as itertools.product would list them (the first parameter varies slowest),
 * an inactive parameter left out. Branching only on active parameters gives no duplicates. Call
 * it after gridSize says the grid is not huge (a parsed spec guarantees at most MAX_GRID).
 */
export function gridConfigs(spec: Space): TrialConfig[] {
  const entries = Object.entries(spec.parameters).map(([name, p]) => ({ name, p, values: gridValues(p) }));
  const out: TrialConfig[] = [];
  const walk = (i: number, params: Record<string, ParamValue>): void => {
    if (i === entries.length) {
      out.push({ number: out.length, params: { ...params } });
      return;
    }
    const { name, p, values } = entries[i] as (typeof entries)[number];
    if (!isActive(p, params)) return walk(i + 1, params);
    for (const v of values) {
      params[name] = v;
      walk(i + 1, params);
      delete params[name];
    }
  };
  walk(0, {});
  return out;
}

/**
 * How many configurations gridConfigs gives, without listing them: past the last conditional
 * parameter it is a product, and before it only the values of parameters that later conditions
 * name matter (memoized on them), so a huge grid is counted as fast as a small one.
 */
export function gridSize(spec: Space): number {
  const entries = Object.entries(spec.parameters).map(([name, p]) => ({ name, p, count: gridValues(p).length }));
  const lastConditional = entries.reduce((last, e, i) => (e.p.when ? i : last), -1);
  // referenced[i]: parameters named by the conditions of parameters i and later.
  const referenced = entries.map((_, i) => [...new Set(entries.slice(i).flatMap((e) => (e.p.when ? [e.p.when.param] : [])))]);
  const tail = (i: number) => entries.slice(i).reduce((n, e) => n * e.count, 1);
  const memo = new Map<string, number>();
  const count = (i: number, params: Record<string, ParamValue>): number => {
    if (i > lastConditional) return tail(i);
    const key = `${i}|${JSON.stringify((referenced[i] ?? []).map((n) => params[n] ?? null))}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    const { name, p } = entries[i] as (typeof entries)[number];
    let n = 0;
    if (!isActive(p, params)) n = count(i + 1, params);
    else {
      for (const v of gridValues(p)) {
        n += count(i + 1, { ...params, [name]: v });
      }
    }
    memo.set(key, n);
    return n;
  };
  return count(0, {});
}

// Random sampling. Each (samplerSeed, trial number, parameter name) gets its own xoroshiro128+
// stream (pure-rand), seeded through a 32-bit finalizer, so trial i is the same whatever else
// was drawn before: a sweep resumed after a crash regenerates exactly the trials it had queued,
// and adding a parameter does not change the others' values.

function fmix32(h: number): number {
  // MurmurHash3's finalizer: spreads nearby seeds (0, 1, 2…) over the whole state space.
  let x = h | 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x | 0;
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h | 0;
}

function streamFor(seed: number, trial: number, name: string) {
  const n = fnv1a(name);
  const s = seed | 0;
  const hi = Math.floor(seed / 2 ** 32) | 0;
  return xoroshiro128plusFromState([fmix32(s ^ 0x1b873593), fmix32(trial + 0x632be5ab), fmix32(n ^ 0x7f4a7c15), fmix32((hi + Math.imul(trial, 0x9e3779b9) + n) | 0) | 1]);
}

function clamp(x: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, x));
}

/** One value drawn from a parameter's distribution (uniform, log-uniform, stepped), within its bounds. */
export function sampleParam(p: ParamSpec, seed: number, trial: number, name: string): ParamValue {
  const rng = streamFor(seed, trial, name);
  switch (p.type) {
    case 'categorical':
      return p.values[uniformInt(rng, 0, p.values.length - 1)] as ParamValue;
    case 'int': {
      if (p.log === true) {
        // As Optuna's IntDistribution(log=True): log-uniform over [low − ½, high + ½], rounded.
        const a = Math.log(p.low - 0.5);
        const b = Math.log(p.high + 0.5);
        return clamp(Math.round(Math.exp(a + (b - a) * uniformFloat64(rng))), p.low, p.high);
      }
      const step = p.step ?? 1;
      return p.low + step * uniformInt(rng, 0, Math.floor((p.high - p.low) / step));
    }
    case 'float': {
      if (p.step !== undefined) return clamp(tidy(p.low + p.step * uniformInt(rng, 0, Math.floor((p.high - p.low) / p.step + 1e-9)), p.step), p.low, p.high);
      const u = uniformFloat64(rng);
      if (p.log === true) {
        const a = Math.log(p.low);
        const b = Math.log(p.high);
        return clamp(Math.exp(a + (b - a) * u), p.low, p.high);
      }
      return clamp(p.low + (p.high - p.low) * u, p.low, p.high);
    }
  }
}

/** Trials start … start+count−1 of a random search; trial i depends only on (samplerSeed, i). */
export function randomConfigs(spec: Pick<SweepSpec, 'parameters' | 'samplerSeed'>, start: number, count: number): TrialConfig[] {
  const out: TrialConfig[] = [];
  for (let i = start; i < start + count; i++) {
    const params: Record<string, ParamValue> = {};
    for (const [name, p] of Object.entries(spec.parameters)) {
      if (isActive(p, params)) params[name] = sampleParam(p, spec.samplerSeed, i, name);
    }
    out.push({ number: i, params });
  }
  return out;
}

/** Optuna's distributions as JSON, plus each parameter's condition (the driver asks only active ones). */
export type OptunaDistribution =
  | { readonly type: 'categorical'; readonly choices: readonly ParamValue[]; readonly when?: ParamSpec['when'] }
  | { readonly type: 'int'; readonly low: number; readonly high: number; readonly step: number; readonly log: boolean; readonly when?: ParamSpec['when'] }
  | { readonly type: 'float'; readonly low: number; readonly high: number; readonly step?: number; readonly log: boolean; readonly when?: ParamSpec['when'] };

export function optunaDistributions(spec: Space): Record<string, OptunaDistribution> {
  const out: Record<string, OptunaDistribution> = {};
  for (const [name, p] of Object.entries(spec.parameters)) {
    const when = p.when ? { when: p.when } : {};
    out[name] =
      p.type === 'categorical'
        ? { type: 'categorical', choices: unique(p.values), ...when }
        : p.type === 'int'
          ? { type: 'int', low: p.low, high: p.high, step: p.step ?? 1, log: p.log === true, ...when }
          : { type: 'float', low: p.low, high: p.high, ...(p.step !== undefined ? { step: p.step } : {}), log: p.log === true, ...when };
  }
  return out;
}
