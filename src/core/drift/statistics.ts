// The drift statistics, each computed as Evidently 0.7 computes it (legacy/calculations/stattests),
// so that a column's score here and in Evidently's DataDriftPreset agree:
//   wasserstein: scipy.stats.wasserstein_distance(ref, cur) / max(np.std(ref), 0.001)
//   psi: Sturges bins over both samples (or one bucket per value when the reference has ≤ 20
//        distinct values), empty buckets filled with a tiny share, Σ (r − c)·ln(r / c)
//   chisquare: scipy.stats.chisquare(current counts, reference counts scaled to the current size)
//   jensenshannon: scipy.spatial.distance.jensenshannon of the same buckets, natural log, no filling
// Numbers come in sorted ascending (the caller sorts once per column); categories as count arrays
// aligned on one key order.
import { chiSquareSf } from './chiSquare.ts';

/** Σ|U − V| over the merged sample: the Wasserstein-1 distance of two sorted samples. */
export function wassersteinDistance(a: Float64Array, b: Float64Array): number {
  const n1 = a.length;
  const n2 = b.length;
  let i = 0, j = 0, total = 0;
  let prev = Math.min(a[0] ?? 0, b[0] ?? 0);
  while (i < n1 || j < n2) {
    const va = i < n1 ? (a[i] ?? 0) : Number.POSITIVE_INFINITY;
    const vb = j < n2 ? (b[j] ?? 0) : Number.POSITIVE_INFINITY;
    const v = va <= vb ? va : vb;
    // The CDFs are constant on [prev, v): add their gap times the width.
    total += Math.abs(i / n1 - j / n2) * (v - prev);
    prev = v;
    while (i < n1 && a[i] === v) i++;
    while (j < n2 && b[j] === v) j++;
  }
  return total;
}

/** Population standard deviation (numpy's default ddof = 0), two-pass for accuracy. */
export function populationStd(values: Float64Array): number {
  const n = values.length;
  if (n === 0) return Number.NaN;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i] ?? 0;
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = (values[i] ?? 0) - mean;
    ss += d * d;
  }
  return Math.sqrt(ss / n);
}

/** Evidently's "Wasserstein distance (normed)": the distance in reference standard deviations. */
export function wassersteinNormed(reference: Float64Array, current: Float64Array): number {
  return wassersteinDistance(reference, current) / Math.max(populationStd(reference), 0.001);
}

/** numpy.histogram_bin_edges(both samples, bins='sturges'): equal-width edges over the joint range. */
export function sturgesEdges(a: Float64Array, b: Float64Array): number[] {
  let first = Math.min(a[0] ?? 0, b[0] ?? 0);
  let last = Math.max(a[a.length - 1] ?? 0, b[b.length - 1] ?? 0);
  const size = a.length + b.length;
  let bins = 1;
  if (last > first) {
    const width = (last - first) / (Math.log2(size) + 1);
    bins = Math.ceil((last - first) / width);
  } else {
    first -= 0.5;
    last += 0.5;
  }
  return linspaceEdges(first, last, bins);
}

/** numpy.linspace(first, last, bins + 1): i·step + first, the last edge exactly `last`. */
export function linspaceEdges(first: number, last: number, bins: number): number[] {
  const step = (last - first) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => i * step + first);
  edges[bins] = last;
  return edges;
}

/** numpy.histogram(sorted, edges) counts: [e_i, e_{i+1}), the last bin closed. */
export function binCounts(sorted: Float64Array, edges: readonly number[]): number[] {
  const counts: number[] = [];
  const lowerBound = (x: number, strict: boolean): number => {
    let lo = 0, hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const v = sorted[mid] ?? 0;
      if (strict ? v <= x : v < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const nb = edges.length - 1;
  for (let i = 0; i < nb; i++) {
    const start = lowerBound(edges[i] ?? 0, false);
    const end = i === nb - 1 ? lowerBound(edges[i + 1] ?? 0, true) : lowerBound(edges[i + 1] ?? 0, false);
    counts.push(end - start);
  }
  return counts;
}

/** The value counts of a sorted sample: distinct values ascending, with their counts. */
export function sortedValueCounts(sorted: Float64Array): { values: number[]; counts: number[] } {
  const values: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < sorted.length;) {
    const v = sorted[i] ?? 0;
    let j = i + 1;
    while (j < sorted.length && sorted[j] === v) j++;
    values.push(v);
    counts.push(j - i);
    i = j;
  }
  return { values, counts };
}

/** Two samples' counts over one key order (union of both sides' keys). */
export interface AlignedCounts {
  readonly keys: readonly string[];
  readonly reference: readonly number[];
  readonly current: readonly number[];
}

export function alignCounts(reference: ReadonlyMap<string, number>, current: ReadonlyMap<string, number>): AlignedCounts {
  const keys = [...new Set([...reference.keys(), ...current.keys()])].sort();
  return { keys, reference: keys.map((k) => reference.get(k) ?? 0), current: keys.map((k) => current.get(k) ?? 0) };
}

/** Numeric samples as aligned counts per distinct value (numbers as keys, in ascending order). */
export function alignNumberCounts(a: Float64Array, b: Float64Array): AlignedCounts {
  const ra = sortedValueCounts(a);
  const rb = sortedValueCounts(b);
  const ma = new Map(ra.values.map((v, i) => [v, ra.counts[i] ?? 0]));
  const mb = new Map(rb.values.map((v, i) => [v, rb.counts[i] ?? 0]));
  const all = [...new Set([...ra.values, ...rb.values])].sort((x, y) => x - y);
  return { keys: all.map(String), reference: all.map((v) => ma.get(v) ?? 0), current: all.map((v) => mb.get(v) ?? 0) };
}

/** Evidently's fill for empty buckets: a millionth of the smallest non-empty share, at most 0.0001. */
function fillZeros(shares: number[]): number[] {
  const nonZero = shares.filter((s) => s !== 0);
  if (nonZero.length === 0) return shares;
  const min = Math.min(...nonZero);
  const fill = min <= 0.0001 ? min / 10 ** 6 : 0.0001;
  return shares.map((s) => (s === 0 ? fill : s));
}

const total = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0);

/** Population stability index of two bucketings (counts over the same buckets). */
export function psiOfCounts(reference: readonly number[], current: readonly number[]): number {
  const nr = total(reference);
  const nc = total(current);
  const r = fillZeros(reference.map((c) => c / nr));
  const c = fillZeros(current.map((x) => x / nc));
  let psi = 0;
  for (let i = 0; i < r.length; i++) {
    const ri = r[i] ?? 0, ci = c[i] ?? 0;
    psi += (ri - ci) * Math.log(ri / ci);
  }
  return psi;
}

/** Jensen–Shannon distance (natural log) of two bucketings, as scipy.spatial.distance.jensenshannon. */
export function jensenShannonOfCounts(reference: readonly number[], current: readonly number[]): number {
  const nr = total(reference);
  const nc = total(current);
  // Evidently passes shares; scipy renormalises them, so counts over totals are the same thing.
  let js = 0;
  for (let i = 0; i < reference.length; i++) {
    const p = (reference[i] ?? 0) / nr;
    const q = (current[i] ?? 0) / nc;
    const m = (p + q) / 2;
    if (p > 0) js += p * Math.log(p / m);
    if (q > 0) js += q * Math.log(q / m);
  }
  return Math.sqrt(Math.max(js, 0) / 2);
}

/** Chi-square goodness of fit of the current counts to the reference shares: p-value (and statistic). */
export function chiSquareOfCounts(reference: readonly number[], current: readonly number[]): { statistic: number; pValue: number } {
  const k = total(current) / total(reference);
  let stat = 0;
  for (let i = 0; i < reference.length; i++) {
    const exp = (reference[i] ?? 0) * k;
    const obs = current[i] ?? 0;
    // A category the reference never had: expected 0, observed > 0, an infinite statistic (p = 0), as in scipy.
    stat += exp === 0 ? (obs === 0 ? Number.NaN : Number.POSITIVE_INFINITY) : ((obs - exp) * (obs - exp)) / exp;
  }
  const df = reference.length - 1;
  if (df <= 0) return { statistic: stat, pValue: Number.NaN };
  return { statistic: stat, pValue: stat === Number.POSITIVE_INFINITY ? 0 : chiSquareSf(stat, df) };
}

/** PSI of two sorted numeric samples, bucketed as Evidently's get_binned_data does. */
export function psiOfNumbers(reference: Float64Array, current: Float64Array): { psi: number; edges?: number[] } {
  const counts = numericBuckets(reference, current);
  return { psi: psiOfCounts(counts.reference, counts.current), ...(counts.edges ? { edges: counts.edges } : {}) };
}

/** Jensen–Shannon distance of two sorted numeric samples, over Evidently's buckets. */
export function jensenShannonOfNumbers(reference: Float64Array, current: Float64Array): number {
  const counts = numericBuckets(reference, current);
  return jensenShannonOfCounts(counts.reference, counts.current);
}

/** Sturges bins when the reference has more than 20 distinct values, else one bucket per value. */
export function numericBuckets(reference: Float64Array, current: Float64Array): { reference: number[]; current: number[]; edges?: number[] } {
  if (distinctSorted(reference, 21) > 20) {
    const edges = sturgesEdges(reference, current);
    return { reference: binCounts(reference, edges), current: binCounts(current, edges), edges };
  }
  const aligned = alignNumberCounts(reference, current);
  return { reference: [...aligned.reference], current: [...aligned.current] };
}

/** Distinct values of a sorted sample, counting stops at `cap`. */
export function distinctSorted(sorted: Float64Array, cap = Number.POSITIVE_INFINITY): number {
  let n = 0;
  for (let i = 0; i < sorted.length && n < cap; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) n++;
  return n;
}

/** Distinct values across two sorted samples, counting stops at `cap`. */
export function distinctSortedUnion(a: Float64Array, b: Float64Array, cap = Number.POSITIVE_INFINITY): number {
  let i = 0, j = 0, n = 0;
  while ((i < a.length || j < b.length) && n < cap) {
    const va = i < a.length ? (a[i] ?? 0) : Number.POSITIVE_INFINITY;
    const vb = j < b.length ? (b[j] ?? 0) : Number.POSITIVE_INFINITY;
    const v = va <= vb ? va : vb;
    while (i < a.length && a[i] === v) i++;
    while (j < b.length && b[j] === v) j++;
    n++;
  }
  return n;
}
