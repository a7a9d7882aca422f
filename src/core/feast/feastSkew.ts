// The training–serving skew check: for a feature service and a sample of entity keys, the values a
// model trains on (offline, get_historical_features at now) against the values it is served
// (online, get_online_features), both asked of Feast by the shipped script (feastSkewSource.ts).
// Per feature: mismatches (numbers within a relative 1e-6, everything else equal; a value on one
// side only counts too), the numeric differences, values older than the view's TTL online, and
// the drift engine's test between the two distributions. Per entity: keys the online store or the
// offline store has nothing for. Pure apart from running the script.
import { computeDrift } from '../drift/computeDrift.ts';
import type { ColumnValues, TableData } from '../profile/tableData.ts';
import { FeastAnswerError } from './feastRegistry.ts';
import type { SkewExample, SkewFeature, SkewReport } from './skewTypes.ts';
import { FEAST_SKEW_SOURCE } from './feastSkewSource.ts';
import { runFeastScript, type FeastReadFailure } from './readFeastRegistry.ts';

type Value = number | string | boolean | null;

interface SkewFeatureAnswer {
  readonly name: string;
  readonly view: string;
  readonly feature: string;
  readonly dtype: string;
  readonly ttlSeconds: number | null;
  readonly offline: readonly Value[];
  readonly online: readonly Value[];
  readonly onlineTime: readonly (number | null)[];
}

export interface SkewAnswer {
  readonly feastVersion: string;
  readonly project: string;
  readonly service: string;
  /** When both stores were asked, epoch seconds. */
  readonly now: number;
  readonly keys: readonly string[];
  readonly rows: readonly Readonly<Record<string, Value>>[];
  /** Entity rows in the file before sampling. */
  readonly total: number;
  readonly features: readonly SkewFeatureAnswer[];
}

export type { SkewExample, SkewFeature, SkewReport } from './skewTypes.ts';

export type FeastSkewResult = { readonly ok: true; readonly report: SkewReport } | FeastReadFailure;

const MAX_EXAMPLES = 5;

function bad(where: string, what: string): never {
  throw new FeastAnswerError(`The Feast skew script's answer is not as expected: ${where} ${what}.`);
}

function isValue(v: unknown): v is Value {
  return v === null || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean';
}

function values(v: unknown, length: number, where: string): Value[] {
  if (!Array.isArray(v) || v.length !== length || !v.every(isValue)) bad(where, `is not a list of ${length} values`);
  return v;
}

/** The script's answer, checked field by field. */
export function parseSkewAnswer(answer: unknown): SkewAnswer {
  if (answer === null || typeof answer !== 'object') bad('the answer', 'is not an object');
  const a = answer as Record<string, unknown>;
  const text = (key: string) => (typeof a[key] === 'string' ? a[key] : bad(key, 'is not a string'));
  if (typeof a.now !== 'number' || typeof a.total !== 'number') bad('now or total', 'is not a number');
  if (!Array.isArray(a.keys) || !a.keys.every((k) => typeof k === 'string')) bad('keys', 'is not a list of names');
  if (!Array.isArray(a.rows) || !a.rows.every((r) => r !== null && typeof r === 'object')) bad('rows', 'is not a list of objects');
  const n = a.rows.length;
  if (!Array.isArray(a.features)) bad('features', 'is not a list');
  const features = a.features.map((f: unknown, i): SkewFeatureAnswer => {
    const at = `features[${i}]`;
    if (f === null || typeof f !== 'object') bad(at, 'is not an object');
    const o = f as Record<string, unknown>;
    const name = (key: string) => (typeof o[key] === 'string' ? o[key] : bad(`${at}.${key}`, 'is not a string'));
    if (o.ttlSeconds !== null && typeof o.ttlSeconds !== 'number') bad(`${at}.ttlSeconds`, 'is not a number');
    const times = values(o.onlineTime, n, `${at}.onlineTime`);
    if (!times.every((t) => t === null || typeof t === 'number')) bad(`${at}.onlineTime`, 'holds a value that is not a time');
    return {
      name: name('name'), view: name('view'), feature: name('feature'), dtype: name('dtype'), ttlSeconds: o.ttlSeconds,
      offline: values(o.offline, n, `${at}.offline`), online: values(o.online, n, `${at}.online`), onlineTime: times,
    };
  });
  return {
    feastVersion: text('feastVersion'), project: text('project'), service: text('service'), now: a.now, total: a.total,
    keys: a.keys, rows: a.rows as Record<string, Value>[], features,
  };
}

/** Whether two values agree: numbers within a relative 1e-6, anything else exactly. */
function same(a: Value, b: Value): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));
  return a === b;
}

function column(name: string, vals: readonly Value[]): ColumnValues {
  const present = vals.filter((v): v is Exclude<Value, null> => v !== null);
  const numeric = present.length > 0 && present.every((v) => typeof v === 'number');
  const base = { name, type: numeric ? 'DOUBLE' : 'VARCHAR', role: 'feature' as const, count: vals.length, nulls: vals.length - present.length };
  if (numeric) return { ...base, kind: 'numeric', numbers: Float64Array.from(present) };
  const categories = new Map<string, number>();
  for (const v of present) categories.set(String(v), (categories.get(String(v)) ?? 0) + 1);
  return { ...base, kind: 'categorical', categories };
}

/** The report of a script's answer: mismatches over `threshold` (a share, per feature) make it skewed. */
export function skewReport(answer: SkewAnswer, threshold: number, now: Date = new Date()): SkewReport {
  const entity = (i: number) => answer.keys.map((k) => `${k}=${String(answer.rows[i]?.[k] ?? '')}`).join(', ');
  const table = (side: 'offline' | 'online'): TableData => ({
    path: side, format: 'parquet', rows: answer.rows.length, notes: [],
    columns: answer.features.map((f) => column(f.name, f[side])),
  });
  const drift = answer.rows.length > 1 ? computeDrift(table('offline'), table('online'), {}, undefined, now) : undefined;
  const features = answer.features.map((f): SkewFeature => {
    let compared = 0;
    let mismatches = 0;
    let missingOnline = 0;
    let missingOffline = 0;
    let stale = 0;
    const diffs: number[] = [];
    const examples: SkewExample[] = [];
    f.offline.forEach((off, i) => {
      const on = f.online[i] ?? null;
      if (off === null && on === null) return;
      compared++;
      if (off !== null && on === null) missingOnline++;
      if (off === null && on !== null) missingOffline++;
      if (typeof off === 'number' && typeof on === 'number') diffs.push(Math.abs(off - on));
      const time = f.onlineTime[i];
      if (f.ttlSeconds && on !== null && typeof time === 'number' && time > 0 && answer.now - time > f.ttlSeconds) stale++;
      if (!same(off, on)) {
        mismatches++;
        if (examples.length < MAX_EXAMPLES) examples.push({ entity: entity(i), offline: off, online: on });
      }
    });
    const columnDrift = drift?.columns.find((c) => c.column === f.name);
    return {
      name: f.name, view: f.view, feature: f.feature, dtype: f.dtype, compared, mismatches,
      mismatchShare: compared ? mismatches / compared : 0, missingOnline, missingOffline, stale, examples,
      ...(diffs.length ? { maxAbsDiff: Math.max(...diffs), meanAbsDiff: diffs.reduce((s, d) => s + d, 0) / diffs.length } : {}),
      ...(f.ttlSeconds ? { ttlSeconds: f.ttlSeconds } : {}),
      ...(columnDrift && !columnDrift.skipped ? { drift: columnDrift } : {}),
    };
  });
  const missing = (side: 'offline' | 'online') =>
    answer.rows.flatMap((_, i) => (answer.features.length > 0 && answer.features.every((f) => f[side][i] === null) && answer.features.some((f) => f[side === 'online' ? 'offline' : 'online'][i] !== null) ? [entity(i)] : []));
  const comparisons = features.reduce((s, f) => s + f.compared, 0);
  const mismatched = features.reduce((s, f) => s + f.mismatches, 0);
  return {
    project: answer.project, service: answer.service, feastVersion: answer.feastVersion,
    checkedAt: new Date(answer.now * 1000).toISOString(), keys: answer.keys, sampled: answer.rows.length, total: answer.total,
    features, missingEntities: { online: missing('online'), offline: missing('offline') },
    mismatchShare: comparisons ? mismatched / comparisons : 0, threshold,
    skewed: features.some((f) => f.mismatchShare > threshold),
  };
}

export interface SkewOptions {
  readonly sample?: number;
  readonly seed?: number;
  /** The largest mismatch share a feature may have; default 0 (any mismatch is skew). */
  readonly threshold?: number;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** Runs the skew check of `service` in the repository `repo` over the entity keys of `entitiesFile`, in `python`. */
export async function checkFeastSkew(python: string, repo: string, service: string, entitiesFile: string, options: SkewOptions = {}): Promise<FeastSkewResult> {
  const result = await runFeastScript(
    python,
    repo,
    { source: FEAST_SKEW_SOURCE, stem: 'feast_skew', args: [service, entitiesFile, String(options.sample ?? 1000), String(options.seed ?? 0)], what: `The skew check of ${service}` },
    parseSkewAnswer,
    { ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}), ...(options.signal ? { signal: options.signal } : {}) },
  );
  return result.ok ? { ok: true, report: skewReport(result.value, options.threshold ?? 0) } : result;
}

const pct = (x: number) => `${(100 * x).toFixed(x > 0 && x < 0.01 ? 2 : 1)}%`;

/** The report as text (the CLI): a verdict line, one line per feature, the mismatching rows and the missing entities. */
export function renderSkew(report: SkewReport): string {
  const lines = [
    `${report.skewed ? 'SKEW' : 'OK'}: ${report.service} (project ${report.project}, Feast ${report.feastVersion}), ${report.sampled} of ${report.total} entities at ${report.checkedAt}; mismatches ${pct(report.mismatchShare)} (threshold ${pct(report.threshold)} per feature)`,
    '',
  ];
  for (const f of report.features) {
    const parts = [`${f.mismatches}/${f.compared} mismatched (${pct(f.mismatchShare)})`];
    if (f.missingOnline) parts.push(`${f.missingOnline} missing online`);
    if (f.missingOffline) parts.push(`${f.missingOffline} missing offline`);
    if (f.maxAbsDiff !== undefined && f.maxAbsDiff > 0) parts.push(`max |diff| ${f.maxAbsDiff.toPrecision(4)}, mean ${(f.meanAbsDiff ?? 0).toPrecision(4)}`);
    if (f.stale) parts.push(`${f.stale} older than the TTL online`);
    if (f.drift?.test && f.drift.score !== undefined) parts.push(`${f.drift.test} ${f.drift.score.toPrecision(3)}${f.drift.drifted ? ' (drifted)' : ''}`);
    lines.push(`${f.mismatchShare > report.threshold ? '✗' : '✓'} ${f.name} (${f.dtype}): ${parts.join('; ')}`);
    for (const e of f.examples) lines.push(`    ${e.entity}: offline ${JSON.stringify(e.offline)}, online ${JSON.stringify(e.online)}`);
  }
  if (report.missingEntities.online.length) lines.push('', `Not in the online store: ${report.missingEntities.online.slice(0, 10).join('; ')}${report.missingEntities.online.length > 10 ? ` and ${report.missingEntities.online.length - 10} more` : ''}`);
  if (report.missingEntities.offline.length) lines.push('', `Not in the offline store: ${report.missingEntities.offline.slice(0, 10).join('; ')}${report.missingEntities.offline.length > 10 ? ` and ${report.missingEntities.offline.length - 10} more` : ''}`);
  return `${lines.join('\n')}\n`;
}
