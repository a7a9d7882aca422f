// One column's drift test: which test Evidently's DataDriftPreset would choose, and its score.
// Evidently's rules (legacy/calculations/stattests/registry.py, core/datasets.py), kept here:
//   - nulls and ±∞ are dropped first; the sample size is the reference's remaining values;
//   - integer columns with at most 10 distinct values are categorical;
//   - up to 1000 reference values: numeric → KS (chi-square when ≤ 5 distinct values over both
//     sides), categorical → chi-square; above: numeric → Wasserstein (normed) (Jensen–Shannon when
//     ≤ 5 distinct values), categorical → Jensen–Shannon.
// Evidently uses a two-proportion z-test for small samples with ≤ 2 distinct values; the report
// has no z-test, so chi-square (the same question, asked of the reference's shares) stands in.
import type { ColumnValues } from '../profile/tableData.ts';
import type { DriftOptions, DriftTest } from './types.ts';
import { ks2Samp } from './kolmogorov.ts';
import { presorted } from './presort.ts';
import {
  alignCounts, alignNumberCounts, chiSquareOfCounts, distinctSortedUnion, jensenShannonOfCounts,
  numericBuckets, psiOfCounts, wassersteinNormed, type AlignedCounts,
} from './statistics.ts';

/** A column's comparable values: sorted finite numbers, or counts per value. */
export type Prepared =
  | { readonly kind: 'numbers'; readonly sorted: Float64Array }
  | { readonly kind: 'counts'; readonly counts: ReadonlyMap<string, number>; readonly total: number };

/** The finite numbers, sorted (a copy: the table keeps its file order). */
export function sortedFinite(values: Float64Array): Float64Array {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) n++;
  const out = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? Number.NaN;
    if (Number.isFinite(v)) out[k++] = v;
  }
  return out.sort();
}

/** Evidently treats integer columns with at most this many distinct values as categorical. */
export const INTEGER_CARDINALITY_LIMIT = 10;

/** Numbers as counts per value (for integer codes and other few-valued numeric columns). */
export function numberCounts(sorted: Float64Array): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < sorted.length;) {
    const v = sorted[i] ?? 0;
    let j = i + 1;
    while (j < sorted.length && sorted[j] === v) j++;
    counts.set(String(v), j - i);
    i = j;
  }
  return counts;
}

export function prepare(column: ColumnValues): Prepared | undefined {
  if (column.numbers) {
    const sorted = presorted(column.numbers) ?? sortedFinite(column.numbers);
    return { kind: 'numbers', sorted };
  }
  if (column.categories) {
    let total = 0;
    for (const c of column.categories.values()) total += c;
    return { kind: 'counts', counts: column.categories, total };
  }
  return undefined;
}

/**
 * Counts per value of an unsorted sample when it has at most `limit` distinct finite values
 * (undefined past that): integer codes are counted without sorting a million values.
 */
export function fewValueCounts(values: Float64Array, limit: number): Map<string, number> | undefined {
  const counts = new Map<number, number>();
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? Number.NaN;
    if (!Number.isFinite(v)) continue;
    const c = counts.get(v);
    if (c === undefined) {
      if (counts.size >= limit) return undefined;
      counts.set(v, 1);
    } else counts.set(v, c + 1);
  }
  return new Map([...counts.entries()].sort((a, b) => a[0] - b[0]).map(([v, n]) => [String(v), n]));
}

export function sizeOf(p: Prepared): number {
  return p.kind === 'numbers' ? p.sorted.length : p.total;
}

/** Evidently's default test for a column (see the header). */
export function defaultTest(reference: Prepared, current: Prepared, options: DriftOptions): DriftTest {
  const small = sizeOf(reference) <= options.smallSample;
  if (reference.kind === 'numbers' && current.kind === 'numbers') {
    const few = distinctSortedUnion(reference.sorted, current.sorted, 6) <= 5;
    if (small) return few ? 'chisquare' : 'ks';
    return few ? 'jensenshannon' : 'wasserstein';
  }
  return small ? 'chisquare' : 'jensenshannon';
}

/** Which tests apply to values of this form. */
export function testApplies(test: DriftTest, p: Prepared): boolean {
  return p.kind === 'numbers' || test === 'chisquare' || test === 'jensenshannon' || test === 'psi';
}

function countsOf(reference: Prepared, current: Prepared): AlignedCounts {
  if (reference.kind === 'numbers' && current.kind === 'numbers') return alignNumberCounts(reference.sorted, current.sorted);
  const asMap = (p: Prepared): ReadonlyMap<string, number> => (p.kind === 'counts' ? p.counts : numberCounts(p.sorted));
  return alignCounts(asMap(reference), asMap(current));
}

/** The test's score: a p-value (ks, chisquare) or a distance. */
export function scoreOf(test: DriftTest, reference: Prepared, current: Prepared): number {
  if (reference.kind === 'numbers' && current.kind === 'numbers') {
    const a = reference.sorted, b = current.sorted;
    switch (test) {
      case 'ks': return ks2Samp(a, b).pValue;
      case 'wasserstein': return wassersteinNormed(a, b);
      case 'psi': { const c = numericBuckets(a, b); return psiOfCounts(c.reference, c.current); }
      case 'jensenshannon': { const c = numericBuckets(a, b); return jensenShannonOfCounts(c.reference, c.current); }
      case 'chisquare': return chiSquareScore(countsOf(reference, current));
    }
  }
  const counts = countsOf(reference, current);
  switch (test) {
    case 'chisquare': return chiSquareScore(counts);
    case 'jensenshannon': return jensenShannonOfCounts(counts.reference, counts.current);
    case 'psi': return psiOfCounts(counts.reference, counts.current);
    default: return Number.NaN;
  }
}

/** One value on both sides: nothing moved (p = 1), where scipy has no degrees of freedom. */
function chiSquareScore(counts: AlignedCounts): number {
  if (counts.keys.length <= 1) return 1;
  return chiSquareOfCounts(counts.reference, counts.current).pValue;
}

/** Evidently's comparisons: p-values drift at ≤ (KS) or < (chi-square) the threshold, distances at ≥. */
export function isDrift(test: DriftTest, score: number, threshold: number): boolean {
  if (Number.isNaN(score)) return false;
  switch (test) {
    case 'ks': return score <= threshold;
    case 'chisquare': return score < threshold;
    default: return score >= threshold;
  }
}
