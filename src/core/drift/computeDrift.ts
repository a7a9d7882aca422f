// computeDrift: how a current table differs from a reference table, column by column and as a
// whole, with Evidently's default tests and thresholds (see columnTests.ts). Pure and
// deterministic: the same tables and options give the same report (but for createdAt).
import path from 'node:path';
import type { ColumnValues, TableData } from '../profile/tableData.ts';
import { isIntegerType } from '../profile/columnTypes.ts';
import type { Histogram } from '../profile/types.ts';
import { defaultTest, fewValueCounts, INTEGER_CARDINALITY_LIMIT, isDrift, numberCounts, prepare, scoreOf, testApplies, type Prepared } from './columnTests.ts';
import { binCounts, linspaceEdges, populationStd, sturgesEdges } from './statistics.ts';
import {
  DEFAULT_DRIFT_OPTIONS, DRIFT_FORMAT, DRIFT_TEST_NAMES, DRIFT_WHEN_BELOW,
  type ColumnDrift, type DriftOptions, type DriftReport, type DriftSide, type DriftTest, type SchemaChange, type SideSummary,
} from './types.ts';

/** Null shares that move by more than this are listed in the report. */
export const NULL_SHARE_CHANGE = 0.05;
/** Categories drawn per column in the charts (the most frequent over both sides). */
const CHART_CATEGORIES = 30;
/** Chart bins are the Sturges bins of both sides, kept within these bounds. */
const CHART_BINS = { min: 10, max: 50 };

export interface DriftSides {
  readonly reference?: Partial<DriftSide>;
  readonly current?: Partial<DriftSide>;
}

function sideOf(table: TableData, given: Partial<DriftSide> | undefined): DriftSide {
  const label = given?.label ?? (table.path ? path.basename(table.path) : 'table');
  return {
    label,
    ...(given?.path ?? table.path ? { path: given?.path ?? table.path } : {}),
    ...(given?.runId ? { runId: given.runId } : {}),
    rows: given?.rows ?? table.rows,
    fromProfile: given?.fromProfile ?? false,
  };
}

const nullShare = (c: ColumnValues): number => (c.count > 0 ? c.nulls / c.count : 0);

function baseSummary(c: ColumnValues): SideSummary {
  return { count: c.count, nullShare: nullShare(c) };
}

function numberSummary(c: ColumnValues, sorted: Float64Array, edges: readonly number[] | undefined): SideSummary {
  let sum = 0;
  for (let i = 0; i < sorted.length; i++) sum += sorted[i] ?? 0;
  const histogram: Histogram | undefined = edges ? { edges: [...edges], counts: binCounts(sorted, edges) } : undefined;
  return {
    ...baseSummary(c),
    ...(histogram ? { histogram } : {}),
    ...(sorted.length > 0 ? { mean: sum / sorted.length, std: populationStd(sorted) } : {}),
  };
}

function chartEdges(a: Float64Array, b: Float64Array): number[] | undefined {
  if (a.length === 0 && b.length === 0) return undefined;
  const x = a.length > 0 ? a : b, y = b.length > 0 ? b : a;
  const sturges = sturgesEdges(x, y);
  const bins = Math.min(CHART_BINS.max, Math.max(CHART_BINS.min, sturges.length - 1));
  const first = sturges[0] ?? 0, last = sturges[sturges.length - 1] ?? 0;
  return linspaceEdges(first, last, bins);
}

/** The most frequent values over both sides, the same list on each, for the overlaid bars. */
function categorySummaries(ref: ReadonlyMap<string, number>, cur: ReadonlyMap<string, number>): [SideSummary['categories'], SideSummary['categories']] {
  const both = new Map<string, number>();
  for (const [k, v] of ref) both.set(k, (both.get(k) ?? 0) + v);
  for (const [k, v] of cur) both.set(k, (both.get(k) ?? 0) + v);
  const top = [...both.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, CHART_CATEGORIES).map(([k]) => k);
  return [top.map((value) => ({ value, count: ref.get(value) ?? 0 })), top.map((value) => ({ value, count: cur.get(value) ?? 0 }))];
}

function skipped(ref: ColumnValues | undefined, cur: ColumnValues | undefined, reason: string): ColumnDrift {
  const c = (ref ?? cur) as ColumnValues;
  const empty: SideSummary = { count: 0, nullShare: 0 };
  return { column: c.name, kind: c.kind, role: c.role, skipped: reason, drifted: false, reference: ref ? baseSummary(ref) : empty, current: cur ? baseSummary(cur) : empty };
}

/** Why a column present on both sides is not compared, or undefined when it is. */
function skipReason(ref: ColumnValues, cur: ColumnValues, options: DriftOptions): string | undefined {
  const role = ref.role !== 'feature' ? ref : cur.role !== 'feature' ? cur : undefined;
  if (role && !options.includeIdentifiers) return `identifies rows (${role.role}${role.roleReason ? `: ${role.roleReason}` : ''}); left out of drift`;
  if (ref.kind === 'text' || cur.kind === 'text') return 'free text: not compared';
  const numeric = (c: ColumnValues) => c.numbers !== undefined;
  if (numeric(ref) !== numeric(cur)) {
    if (ref.type !== cur.type) return `type changed (${ref.type} → ${cur.type}): not compared`;
    return (numeric(ref) ? cur : ref).note ?? 'no comparable values on one side';
  }
  if (!ref.numbers && !ref.categories) return ref.note ?? 'no comparable values in the reference';
  if (!cur.numbers && !cur.categories) return cur.note ?? 'no comparable values in the current data';
  return undefined;
}

/** How far past (positive) or short of (negative) its threshold a score is, for sorting. */
function severity(c: ColumnDrift): number {
  if (c.skipped || c.test === undefined || c.score === undefined || c.threshold === undefined) return Number.NEGATIVE_INFINITY;
  const s = Math.max(c.score, 1e-300), t = Math.max(c.threshold, 1e-300);
  return DRIFT_WHEN_BELOW[c.test] ? Math.log(t / s) : Math.log(s / t);
}

function compareColumn(ref: ColumnValues, cur: ColumnValues, options: DriftOptions, notes: Set<string>): ColumnDrift {
  const reason = skipReason(ref, cur, options);
  if (reason) return skipped(ref, cur, reason);
  // Integer codes (≤ 10 values in the reference) are categories, as Evidently infers them: counted, not sorted.
  const codes = ref.kind === 'numeric' && ref.numbers && cur.numbers && isIntegerType(ref.type) ? fewValueCounts(ref.numbers, INTEGER_CARDINALITY_LIMIT) : undefined;
  let r: Prepared, c: Prepared;
  if (codes && codes.size > 0 && cur.numbers) {
    notes.add('Integer columns with at most 10 distinct values are compared as categories, as Evidently does.');
    const curCounts = fewValueCounts(cur.numbers, Number.POSITIVE_INFINITY) ?? new Map<string, number>();
    const sum = (m: ReadonlyMap<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
    r = { kind: 'counts', counts: codes, total: sum(codes) };
    c = { kind: 'counts', counts: curCounts, total: sum(curCounts) };
  } else {
    r = prepare(ref) as Prepared;
    c = prepare(cur) as Prepared;
  }
  const size = (p: Prepared) => (p.kind === 'numbers' ? p.sorted.length : p.total);
  if (size(r) === 0) return skipped(ref, cur, 'no values in the reference (all null)');
  if (size(c) === 0) return skipped(ref, cur, 'no values in the current data (all null)');
  const forced = options.testByColumn?.[ref.name];
  if (forced && !testApplies(forced, r)) return skipped(ref, cur, `${DRIFT_TEST_NAMES[forced]} needs numbers; this column holds categories`);
  const test: DriftTest = forced ?? defaultTest(r, c, options);
  const score = scoreOf(test, r, c);
  const threshold = options.thresholds[test];
  const also: { test: DriftTest; score: number; threshold: number; drifted: boolean }[] = [];
  if (r.kind === 'numbers' && c.kind === 'numbers' && test !== 'psi') {
    const psi = scoreOf('psi', r, c);
    also.push({ test: 'psi', score: psi, threshold: options.thresholds.psi, drifted: isDrift('psi', psi, options.thresholds.psi) });
  }
  let refSummary: SideSummary, curSummary: SideSummary;
  if (r.kind === 'numbers' && c.kind === 'numbers') {
    const edges = chartEdges(r.sorted, c.sorted);
    refSummary = numberSummary(ref, r.sorted, edges);
    curSummary = numberSummary(cur, c.sorted, edges);
  } else {
    const asMap = (p: Prepared) => (p.kind === 'counts' ? p.counts : numberCounts(p.sorted));
    const [rc, cc] = categorySummaries(asMap(r), asMap(c));
    refSummary = { ...baseSummary(ref), ...(rc ? { categories: rc } : {}) };
    curSummary = { ...baseSummary(cur), ...(cc ? { categories: cc } : {}) };
  }
  return {
    column: ref.name, kind: ref.kind, role: ref.role, test, score, threshold, drifted: isDrift(test, score, threshold),
    ...(also.length > 0 ? { also } : {}), reference: refSummary, current: curSummary,
  };
}

function schemaOf(reference: TableData, current: TableData): SchemaChange {
  const refBy = new Map(reference.columns.map((c) => [c.name, c]));
  const curBy = new Map(current.columns.map((c) => [c.name, c]));
  return {
    added: current.columns.filter((c) => !refBy.has(c.name)).map((c) => ({ column: c.name, type: c.type })),
    removed: reference.columns.filter((c) => !curBy.has(c.name)).map((c) => ({ column: c.name, type: c.type })),
    typeChanged: reference.columns.flatMap((c) => {
      const other = curBy.get(c.name);
      return other && other.type !== c.type ? [{ column: c.name, from: c.type, to: other.type }] : [];
    }),
  };
}

/** Merges partial options over Evidently's defaults (thresholds key by key). */
export function driftOptions(options?: Partial<DriftOptions>): DriftOptions {
  return {
    ...DEFAULT_DRIFT_OPTIONS, ...options,
    thresholds: { ...DEFAULT_DRIFT_OPTIONS.thresholds, ...options?.thresholds },
  };
}

/** The drift of `current` against `reference`. */
export function computeDrift(reference: TableData, current: TableData, options?: Partial<DriftOptions>, sides?: DriftSides, now: Date = new Date()): DriftReport {
  const opts = driftOptions(options);
  const notes = new Set<string>();
  const curBy = new Map(current.columns.map((c) => [c.name, c]));
  const refNames = new Set(reference.columns.map((c) => c.name));
  const columns: ColumnDrift[] = [];
  for (const ref of reference.columns) {
    const cur = curBy.get(ref.name);
    columns.push(cur ? compareColumn(ref, cur, opts, notes) : skipped(ref, undefined, 'only in the reference (removed)'));
  }
  for (const cur of current.columns) if (!refNames.has(cur.name)) columns.push(skipped(undefined, cur, 'only in the current data (added)'));
  const order = new Map(columns.map((c, i) => [c.column, i]));
  columns.sort((a, b) => severity(b) - severity(a) || (order.get(a.column) ?? 0) - (order.get(b.column) ?? 0));
  const compared = columns.filter((c) => !c.skipped);
  const drifted = compared.filter((c) => c.drifted).length;
  const share = compared.length > 0 ? drifted / compared.length : 0;
  const refSide = sideOf(reference, sides?.reference);
  const curSide = sideOf(current, sides?.current);
  if (refSide.fromProfile || curSide.fromProfile) notes.add('One side was rebuilt from a stored profile (its file changed or is gone): scores are approximate.');
  const nullShareChanges = reference.columns.flatMap((ref) => {
    const cur = curBy.get(ref.name);
    if (!cur) return [];
    const a = nullShare(ref), b = nullShare(cur);
    return Math.abs(a - b) > NULL_SHARE_CHANGE ? [{ column: ref.name, reference: a, current: b }] : [];
  });
  const skippedIds = columns.filter((c) => c.skipped?.startsWith('identifies rows')).map((c) => c.column);
  if (skippedIds.length > 0) notes.add(`Left out as row identifiers: ${skippedIds.join(', ')} (compare them too with --include-ids, or the includeIdentifiers option).`);
  return {
    format: DRIFT_FORMAT,
    reference: refSide,
    current: curSide,
    options: opts,
    columns,
    dataset: {
      comparedColumns: compared.length, driftedColumns: drifted, share,
      drifted: compared.length > 0 && share >= opts.datasetShare,
      schema: schemaOf(reference, current),
      nullShareChanges,
    },
    notes: [...reference.notes, ...current.notes, ...notes],
    createdAt: now.toISOString(),
  };
}
