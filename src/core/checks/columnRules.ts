// The rules of one column, decided on the file's profile where it can (types, ranges, null share,
// exact distinct counts, complete top values) and by a DuckDB query where it cannot: allowed values
// beyond the top values, uniqueness when the distinct count is an estimate.
import { isIntegerType } from '../profile/columnTypes.ts';
import type { ColumnProfile, DataProfile } from '../profile/types.ts';
import type { Offenders, ValueCount } from './columnQueries.ts';
import type { CheckResult, CheckRule, ColumnSpec, SourceRange } from './types.ts';

/** Where a result belongs: the dataset's label and the file, relative to the workspace. */
export interface RuleContext {
  readonly dataset: string;
  readonly file: string;
  /** Values of a column that appear more than once (asked of the file only when needed). */
  readonly repeated: (column: string) => Promise<Offenders>;
  /** Values of a column outside the allowed ones. */
  readonly disallowed: (column: string, allowed: readonly (string | number | boolean)[]) => Promise<Offenders>;
}

const FLOAT = /^(FLOAT|FLOAT4|FLOAT8|REAL|DOUBLE|DECIMAL(\(.*\))?|NUMERIC(\(.*\))?)$/;
const STRING = /^(VARCHAR|TEXT|STRING|CHAR|BPCHAR|ENUM.*)$/;
const BOOL = /^(BOOLEAN|BOOL)$/;
const DATETIME = /^(DATE|DATETIME|TIMESTAMP.*|TIME.*)$/;

const normType = (t: string) => t.trim().toUpperCase().replace(/\s+/g, ' ');

/** Whether a column of engine type `actual` is of the declared type (portable name or engine name). */
export function typeMatches(declared: string, actual: string): boolean {
  const t = normType(actual);
  switch (declared) {
    case 'int':
      return isIntegerType(t);
    case 'float':
      return FLOAT.test(t);
    case 'number':
      return isIntegerType(t) || FLOAT.test(t);
    case 'string':
      return STRING.test(t);
    case 'bool':
      return BOOL.test(t);
    case 'datetime':
      return DATETIME.test(t);
    default:
      return normType(declared) === t;
  }
}

/** Numbers as people write them: integers as they are, others to 6 significant digits. */
export function formatValue(v: number | string | boolean): string {
  if (typeof v !== 'number') return String(v);
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(6)));
}

function result(rule: CheckRule, status: 'pass' | 'fail' | 'error', ctx: RuleContext, column: string, range: SourceRange, expected: string, observed: string | undefined, message: string): CheckResult {
  return { rule, status, dataset: ctx.dataset, file: ctx.file, column, expected, ...(observed !== undefined ? { observed } : {}), message: `${column}: ${message}`, range };
}

/** A bound compared with a column's min or max: numbers with numbers, ISO times with datetimes. */
function comparable(bound: number | string, col: ColumnProfile, observed: number | string | undefined): [number, number] | string {
  if (observed === undefined) return `${col.kind === 'numeric' || col.kind === 'datetime' ? 'has no values' : `min and max apply to numeric and datetime columns, not ${col.type}`}`;
  if (typeof bound === 'number' && typeof observed === 'number') return [bound, observed];
  if (col.kind === 'datetime') {
    const b = typeof bound === 'number' ? bound : Date.parse(bound);
    const o = typeof observed === 'number' ? observed : Date.parse(observed);
    if (Number.isNaN(b)) return `'${String(bound)}' is not an ISO date or time`;
    if (!Number.isNaN(o)) return [b, o];
  }
  return `cannot compare ${JSON.stringify(bound)} with the ${col.type} value ${formatValue(observed)}`;
}

function rangeRule(which: 'min' | 'max', spec: NonNullable<ColumnSpec['min']>, col: ColumnProfile, ctx: RuleContext): CheckResult {
  const observed = which === 'min' ? col.min : col.max;
  const expected = `${which === 'min' ? '>=' : '<='} ${formatValue(spec.value)}`;
  const pair = comparable(spec.value, col, observed);
  if (typeof pair === 'string') return result(which, 'error', ctx, col.name, spec.range, expected, undefined, `${which}: ${pair}`);
  const [bound, value] = pair;
  const ok = which === 'min' ? value >= bound : value <= bound;
  const shown = formatValue(observed as number | string);
  return result(which, ok ? 'pass' : 'fail', ctx, col.name, spec.range, expected, shown, `${which} ${shown} ${ok ? (which === 'min' ? '>=' : '<=') : which === 'min' ? '<' : '>'} ${formatValue(spec.value)}`);
}

/** Offending values as people read them: 'x' (12 rows), … */
export function listValues(values: readonly ValueCount[], distinct: number): string {
  const shown = values.map((v) => `'${v.value}' (${v.count} row${v.count === 1 ? '' : 's'})`).join(', ');
  return distinct > values.length ? `${shown}, … ${distinct - values.length} more` : shown;
}

/** Whether a value (as text) is allowed: as text, by number (1 allows 1.0), booleans whatever their case. */
function allowedTest(allowed: readonly (string | number | boolean)[]): (value: string) => boolean {
  const strings = new Set(allowed.map(String));
  const numbers = new Set(allowed.map((v) => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN)).filter((n) => Number.isFinite(n)));
  const booleans = new Set(allowed.filter((v) => typeof v === 'boolean').map(String));
  return (value) => strings.has(value) || (value.trim() !== '' && numbers.has(Number(value))) || booleans.has(value.toLowerCase());
}

async function allowedRule(spec: NonNullable<ColumnSpec['allowed']>, col: ColumnProfile, ctx: RuleContext): Promise<CheckResult> {
  const expected = `one of ${spec.value.map((v) => formatValue(v)).join(', ')}`;
  let bad: Offenders;
  // Complete top values decide it without reading the file again; otherwise DuckDB is asked.
  if (col.topValues && col.otherCount === 0) {
    const ok = allowedTest(spec.value);
    const all = col.topValues.filter((t) => !ok(t.value)).sort((a, b) => b.count - a.count);
    bad = { values: all.slice(0, 5), distinct: all.length };
  } else bad = await ctx.disallowed(col.name, spec.value);
  if (bad.distinct === 0) return result('allowed', 'pass', ctx, col.name, spec.range, expected, 'none outside', 'all values allowed');
  const observed = listValues(bad.values, bad.distinct);
  return result('allowed', 'fail', ctx, col.name, spec.range, expected, observed, `${bad.distinct} value${bad.distinct === 1 ? '' : 's'} not allowed: ${observed}`);
}

async function uniqueRule(spec: NonNullable<ColumnSpec['unique']>, col: ColumnProfile, ctx: RuleContext): Promise<CheckResult> {
  const expected = spec.value ? 'unique' : 'not required unique';
  if (!spec.value) return result('unique', 'pass', ctx, col.name, spec.range, expected, undefined, 'uniqueness not required');
  const nonNull = col.count - col.nulls;
  // An exact distinct count decides it; an estimate (HyperLogLog) needs DuckDB to count.
  if (!col.distinctApprox) {
    const observed = `${col.distinct} distinct of ${nonNull}`;
    return col.distinct === nonNull
      ? result('unique', 'pass', ctx, col.name, spec.range, expected, observed, 'unique')
      : result('unique', 'fail', ctx, col.name, spec.range, expected, observed, `not unique: ${col.distinct} distinct values in ${nonNull} non-null rows`);
  }
  const repeated = await ctx.repeated(col.name);
  if (repeated.distinct === 0) return result('unique', 'pass', ctx, col.name, spec.range, expected, `${nonNull} distinct`, 'unique');
  const observed = listValues(repeated.values, repeated.distinct);
  return result('unique', 'fail', ctx, col.name, spec.range, expected, observed, `not unique: ${repeated.distinct} repeated value${repeated.distinct === 1 ? '' : 's'}: ${observed}`);
}

/** Every rule of one column against one file's profile. */
export async function columnResults(spec: ColumnSpec, profile: DataProfile, ctx: RuleContext): Promise<CheckResult[]> {
  const col = profile.columns.find((c) => c.name === spec.name);
  if (!col) {
    if (!spec.required) return [];
    const names = profile.columns.map((c) => c.name);
    const shown = names.slice(0, 12).join(', ') + (names.length > 12 ? ', …' : '');
    return [result('column', 'fail', ctx, spec.name, spec.range, 'present', 'missing', `missing (the file has ${shown || 'no columns'})`)];
  }
  const out: CheckResult[] = [];
  if (spec.required) out.push(result('column', 'pass', ctx, col.name, spec.range, 'present', 'present', 'present'));
  if (spec.type) {
    const ok = typeMatches(spec.type.value, col.type);
    out.push(result('type', ok ? 'pass' : 'fail', ctx, col.name, spec.type.range, spec.type.value, col.type, ok ? `type ${col.type} is ${spec.type.value}` : `type ${col.type}, expected ${spec.type.value}`));
  }
  if (spec.min) out.push(rangeRule('min', spec.min, col, ctx));
  if (spec.max) out.push(rangeRule('max', spec.max, col, ctx));
  if (spec.maxNullShare) {
    const limit = spec.maxNullShare.value;
    const ok = col.nullShare <= limit;
    const observed = formatValue(col.nullShare);
    out.push(result('maxNullShare', ok ? 'pass' : 'fail', ctx, col.name, spec.maxNullShare.range, `<= ${formatValue(limit)}`, observed, `null share ${observed} ${ok ? '<=' : '>'} ${formatValue(limit)} (${col.nulls} of ${col.count} rows)`));
  }
  if (spec.allowed) out.push(await allowedRule(spec.allowed, col, ctx));
  if (spec.unique) out.push(await uniqueRule(spec.unique, col, ctx));
  return out;
}
